//! Integration tests of the `mailroom` binary: one binary, one module per subject.
#![allow(clippy::unwrap_used, clippy::expect_used)] // rust-clippy#11119: test helpers are not tests

mod crash;
mod directory;
mod memory;
mod serve;

use std::path::Path;
use std::process::{Command, Output};

pub(crate) use mailroom_testkit::TempDir;

/// Runs `mailroom` with the data directory set by the environment, feeding `stdin`.
pub(crate) fn mailroom(data_dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mailroom"));
    command.args(args).env("MAILROOM_DATA_DIR", data_dir);
    mailroom_testkit::run_with_input(&mut command, stdin.as_bytes())
}

/// Its standard output, asserting success.
pub(crate) fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Its standard error, asserting failure.
pub(crate) fn error(output: &Output) -> String {
    assert!(
        !output.status.success(),
        "succeeded: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8(output.stderr.clone()).unwrap()
}
