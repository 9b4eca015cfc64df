//! `mailroom user|alias|sender`.

use crate::{TempDir, error, mailroom, ok};

#[test]
fn users_aliases_and_senders_are_managed_from_the_command_line() {
    let dir = TempDir::new("directory");
    let run = |args: &[&str], stdin: &str| mailroom(dir.path(), args, stdin);
    assert_eq!(
        ok(&run(&["user", "add", "alice@example.org"], "s3cret\n")),
        "added alice@example.org\n"
    );
    ok(&run(&["user", "add", "bob@example.org"], "other\n"));
    assert!(error(&run(&["user", "add", "alice@example.org"], "x\n")).contains("exists"));
    assert!(error(&run(&["user", "add", "not-an-address"], "x\n")).contains("not an address"));
    assert_eq!(
        ok(&run(&["user", "list"], "")),
        "alice@example.org\nbob@example.org\n"
    );
    ok(&run(
        &[
            "alias",
            "add",
            "sales@example.org",
            "alice@example.org",
            "bob@example.org",
        ],
        "",
    ));
    ok(&run(
        &["alias", "add", "@example.org", "alice@example.org"],
        "",
    ));
    assert_eq!(
        ok(&run(&["alias", "list"], "")),
        "sales@example.org -> alice@example.org, bob@example.org\n@example.org -> alice@example.org\n"
    );
    ok(&run(
        &["sender", "allow", "bob@example.org", "ceo@example.org"],
        "",
    ));
    assert_eq!(
        ok(&run(&["sender", "list"], "")),
        "bob@example.org may send as ceo@example.org\n"
    );
    ok(&run(
        &["sender", "deny", "bob@example.org", "ceo@example.org"],
        "",
    ));
    assert_eq!(ok(&run(&["sender", "list"], "")), "");
    ok(&run(&["user", "passwd", "alice@example.org"], "n3w\n"));
    ok(&run(&["user", "del", "bob@example.org"], ""));
    assert!(error(&run(&["user", "del", "bob@example.org"], "")).contains("no user"));
    assert_eq!(ok(&run(&["user", "list"], "")), "alice@example.org\n");

    // The password is stored only as a hash, in a file only its owner can read.
    let text = std::fs::read_to_string(dir.path().join("directory.toml")).unwrap();
    assert!(text.contains("$argon2id$") && !text.contains("n3w") && !text.contains("s3cret"));
}

#[test]
fn a_bad_setting_is_named() {
    let dir = TempDir::new("bad-setting");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_mailroom"))
        .args(["user", "list"])
        .env("MAILROOM_DATA_DIR", dir.path())
        .env("MAILROOM_LIMITS_MAX_ERRORS", "0")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("`limits.max_errors`: must be more than 0")
    );
}
