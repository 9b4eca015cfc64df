//! Running other programs from tests: real peers for the interoperability tests, and the
//! workspace's own binaries.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

/// Whether `program args` runs and succeeds (`python3 -c "import dkim"`, `swaks --version`).
/// With `MAILROOM_REQUIRE_PEERS=1` (as `.ci/run` sets it), a peer that cannot run fails the
/// test; otherwise the test is skipped with a note saying how to `install` it.
pub fn peer_available(program: &str, args: &[&str], install: &str) -> bool {
    let ok = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !ok {
        assert!(
            std::env::var("MAILROOM_REQUIRE_PEERS").as_deref() != Ok("1"),
            "`{program} {}` cannot run ({install}) and MAILROOM_REQUIRE_PEERS=1",
            args.join(" ")
        );
        #[allow(clippy::print_stderr)] // a skipped test says so
        {
            eprintln!(
                "skipped: `{program} {}` cannot run ({install})",
                args.join(" ")
            );
        }
    }
    ok
}

/// Runs `command` with `stdin` piped in and its output captured, to its end. A program that
/// exits without reading its input is not an error.
pub fn run_with_input(command: &mut Command, stdin: &[u8]) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot run {command:?}: {error}"));
    if let Some(mut input) = child.stdin.take() {
        let _ = input.write_all(stdin);
    }
    child
        .wait_with_output()
        .unwrap_or_else(|error| panic!("{command:?} did not finish: {error}"))
}
