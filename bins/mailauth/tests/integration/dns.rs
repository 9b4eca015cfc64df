//! `mailauth dns` against the sample zone file: output and exit status for each kind of answer.

use std::path::PathBuf;
use std::process::{Command, Output};

fn example_zone() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/example.zone")
}

fn mailauth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mailauth"))
        .args(args)
        .output()
        .expect("mailauth runs")
}

fn dns(name: &str, record_type: &str) -> (i32, String, String) {
    let zone = example_zone();
    let out = mailauth(&["dns", name, record_type, "--zone", zone.to_str().unwrap()]);
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn records_print_as_zone_lines() {
    let (code, out, _) = dns("Example.org", "txt");
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "example.org. TXT \"v=spf1 mx ip4:192.0.2.0/24 -all\"\n"
    );
    let (code, out, _) = dns("example.org", "MX");
    assert_eq!(
        (code, out.as_str()),
        (0, "example.org. MX 10 mx.example.org.\n")
    );
    let (_, out, _) = dns("mail._domainkey.example.org", "TXT");
    assert!(
        out.contains(r#"TXT "v=DKIM1; k=ed25519; " "p=11qY"#),
        "{out}"
    );
    let (code, out, _) = dns("192.0.2.25", "ptr");
    assert_eq!(
        (code, out.as_str()),
        (0, "25.2.0.192.in-addr.arpa. PTR mx.example.org.\n")
    );
    let (code, out, _) = dns("www.example.org", "a");
    assert_eq!(code, 1, "the CNAME target has no A record: {out}");
    let (code, _, _) = dns("mx.example.org", "exists");
    assert_eq!(code, 0);
}

#[test]
fn empty_answers_are_told_apart() {
    let (code, out, _) = dns("example.org", "aaaa");
    assert_eq!(
        (code, out.as_str()),
        (1, "; example.org: no AAAA records (NODATA)\n")
    );
    let (code, out, _) = dns("nowhere.example.org", "txt");
    assert_eq!(
        (code, out.as_str()),
        (1, "; nowhere.example.org: no such name (NXDOMAIN)\n")
    );
}

#[test]
fn failures_exit_2_with_a_reason() {
    let (code, out, err) = dns("slow.example.org", "txt");
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("timed out") && err.contains("temperror"),
        "{err}"
    );
    let (code, _, err) = dns("a..b", "txt");
    assert_eq!(code, 2);
    assert!(err.contains("not a valid domain name"), "{err}");
}

#[test]
fn a_bad_zone_file_names_the_line() {
    let dir = mailroom_testkit::TempDir::new("mailauth-dns");
    let path = dir.file(
        "bad.zone",
        "ok.example. A 192.0.2.1\nbad.example. A 999.0.0.1\n",
    );
    let out = mailauth(&["dns", "ok.example", "A", "--zone", path.to_str().unwrap()]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("zone line 2: not an IPv4 address (`999.0.0.1`)"),
        "{err}"
    );
}
