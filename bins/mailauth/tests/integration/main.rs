//! Integration tests of the `mailauth` binary: run it as a user would.
#![allow(clippy::unwrap_used, clippy::expect_used)] // rust-clippy#11119: test helpers are not tests

mod dkim;
mod dns;
mod spf;
mod verify;

/// Runs `mailauth` with `args`, `stdin` piped in; the output when it ends.
fn mailauth(args: &[&str], stdin: &[u8]) -> std::process::Output {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailauth"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}
