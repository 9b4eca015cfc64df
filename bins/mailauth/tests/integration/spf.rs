//! `mailauth spf check`, run as a user would, against the sample zone.

use std::path::PathBuf;
use std::process::Command;

fn spf(args: &[&str]) -> (i32, String) {
    let zone = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/example.zone");
    let out = Command::new(env!("CARGO_BIN_EXE_mailauth"))
        .args([
            "spf",
            "check",
            "--zone",
            zone.to_str().unwrap(),
            "--receiver",
            "mx.receiver.example",
        ])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn pass_fail_and_trace() {
    let (code, out) = spf(&[
        "--ip",
        "192.0.2.25",
        "--sender",
        "joe@example.org",
        "--helo",
        "mx.example.org",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("pass (1 DNS terms, 0 void lookups)\nmatched: mx\n"),
        "{out}"
    );
    assert!(out.contains("Received-SPF: pass (mx.receiver.example: domain of joe@example.org designates 192.0.2.25 as permitted sender)"), "{out}");

    let (code, out) = spf(&[
        "--ip",
        "203.0.113.9",
        "--sender",
        "joe@example.org",
        "--helo",
        "x.example",
        "--trace",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("fail "), "{out}");
    assert!(out.contains("matched: -all"), "{out}");
    for line in [
        "trace: TXT example.org: 1 record(s)",
        "trace: example.org: 1 SPF record(s)",
        "trace: MX example.org: 1 record(s)",
        "trace: A mx.example.org: 1 record(s)",
    ] {
        assert!(out.contains(line), "{line} in {out}");
    }
    assert!(
        out.contains("trace: example.org: mx does not match"),
        "{out}"
    );
}

#[test]
fn timeouts_are_temperror_and_no_record_is_none() {
    let (code, out) = spf(&[
        "--ip",
        "192.0.2.1",
        "--sender",
        "a@slow.example.org",
        "--helo",
        "x.example",
    ]);
    assert_eq!(code, 1);
    assert!(out.starts_with("temperror"), "{out}");
    assert!(
        out.contains("reason: DNS lookup for slow.example.org failed"),
        "{out}"
    );
    let (_, out) = spf(&[
        "--ip",
        "192.0.2.1",
        "--sender",
        "a@mx.example.org",
        "--helo",
        "x.example",
    ]);
    assert!(out.starts_with("none"), "{out}");
}
