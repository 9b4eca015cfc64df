//! Integration tests of the `mailauth` binary: run it as a user would.
#![allow(clippy::unwrap_used, clippy::expect_used)] // rust-clippy#11119: test helpers are not tests

mod dkim;
mod dns;
mod spf;
mod verify;

/// Runs `mailauth` with `args`, `stdin` piped in; the output when it ends.
fn mailauth(args: &[&str], stdin: &[u8]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_mailauth"));
    command.args(args);
    mailroom_testkit::run_with_input(&mut command, stdin)
}
