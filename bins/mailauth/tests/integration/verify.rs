//! `mailauth verify` and `mailauth dmarc record`, run as a user would: a message signed with a
//! fresh key, checked against a zone with SPF, DKIM and DMARC records.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::dkim::sign_as_s1;
use crate::mailauth;
use mailroom_testkit::TempDir;

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A key for example.org, a zone publishing it with SPF and DMARC, and a message signed with it,
/// in a directory removed when the first value is dropped.
fn setup(name: &str) -> (TempDir, PathBuf, Vec<u8>) {
    let dir = TempDir::new(&format!("mailauth-verify-{name}"));
    let key = dir.path().join("key.pem");
    let record = crate::dkim::keygen_as(&key, "ed25519", "s1");
    let zone = dir.path().join("example.zone");
    std::fs::write(
        &zone,
        format!(
            "{record}\nexample.org. TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n\
             _dmarc.example.org. TXT \"v=DMARC1; p=reject; sp=quarantine\"\n\
             lists.example.net. TXT \"v=spf1 ip4:198.51.100.0/24 -all\"\n"
        ),
    )
    .unwrap();
    let message = b"From: Ann <ann@example.org>\nTo: b@example.net\nSubject: hi\n\nHello.\n";
    let signed = sign_as_s1(&key, message);
    assert!(signed.status.success(), "{}", text(&signed));
    (dir, zone, signed.stdout)
}

#[test]
fn a_signed_message_from_an_authorized_host_passes_everything() {
    let (_dir, zone, signed) = setup("pass");
    let out = mailauth(
        &[
            "verify",
            "--zone",
            path(&zone),
            "--ip",
            "192.0.2.7",
            "--helo",
            "mx.example.org",
            "--mail-from",
            "bounce@example.org",
            "--receiver",
            "mx.example.net",
        ],
        &signed,
    );
    let out_text = text(&out);
    assert_eq!(out.status.code(), Some(0), "{out_text}");
    assert!(
        out_text.starts_with("Authentication-Results: mx.example.net;\r\n\tspf=pass"),
        "{out_text}"
    );
    assert!(out_text.contains("dkim=pass"), "{out_text}");
    assert!(out_text.contains("header.d=example.org"), "{out_text}");
    assert!(out_text.contains("dmarc=pass"), "{out_text}");
    assert!(out_text.contains("SPF pass for example.org"), "{out_text}");
    assert!(
        out_text.contains("DKIM pass d=example.org s=s1"),
        "{out_text}"
    );
    assert!(
        out_text.contains("DMARC pass for From domain example.org"),
        "{out_text}"
    );
}

#[test]
fn a_forwarded_message_passes_on_dkim_alone_and_a_tampered_one_fails() {
    let (_dir, zone, signed) = setup("forward");
    let args = [
        "verify",
        "--zone",
        path(&zone),
        "--ip",
        "198.51.100.9",
        "--helo",
        "lists.example.net",
        "--mail-from",
        "owner@lists.example.net",
    ];
    let out = mailauth(&args, &signed);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("DKIM d=example.org aligned"),
        "{}",
        text(&out)
    );

    let mut tampered = signed.clone();
    let len = tampered.len();
    tampered[len - 3] = b'!';
    let out = mailauth(&args, &tampered);
    let out_text = text(&out);
    assert_eq!(out.status.code(), Some(1), "{out_text}");
    assert!(out_text.contains("dkim=fail"), "{out_text}");
    assert!(out_text.contains("dmarc=fail"), "{out_text}");
    assert!(
        out_text.contains("disposition asked for: reject"),
        "{out_text}"
    );
}

#[test]
fn a_message_without_from_is_a_permerror() {
    let (_dir, zone, _) = setup("nofrom");
    let out = mailauth(
        &[
            "verify",
            "--zone",
            path(&zone),
            "--ip",
            "192.0.2.7",
            "--helo",
            "mx.example.org",
        ],
        b"To: b@example.net\n\nHello.\n",
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("dmarc=permerror"), "{}", text(&out));
}

#[test]
fn dmarc_record_shows_the_policy_and_the_walk() {
    let zone = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/example.zone");
    let out = mailauth(
        &[
            "dmarc",
            "record",
            "news.mail.example.org",
            "--zone",
            path(&zone),
        ],
        b"",
    );
    let out_text = text(&out);
    assert_eq!(out.status.code(), Some(0), "{out_text}");
    for line in [
        "discovery: DNS tree walk (RFC 9989)",
        "  asked _dmarc.news.mail.example.org",
        "  asked _dmarc.example.org  <- policy in force",
        "organizational domain: example.org",
        "record at _dmarc.example.org: v=DMARC1; p=reject",
        "  aggregate reports to mailto:dmarc@example.org",
    ] {
        assert!(out_text.contains(line), "{line}\n{out_text}");
    }
    let out = mailauth(
        &["dmarc", "record", "example.net", "--zone", path(&zone)],
        b"",
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

#[test]
fn dmarc_report_summarizes_files_and_mails() {
    let feedback = mailroom_testkit::testdata_dir().join("dmarc/mail-auth/dmarc-feedback");
    let out = mailauth(&["dmarc", "report", path(&feedback.join("100.eml"))], b"");
    let out_text = text(&out);
    assert_eq!(out.status.code(), Some(0), "{out_text}");
    for line in [
        "report 5264580628977113351 from google.com <noreply-dmarc-support@google.com>",
        "period: 2022-11-27 00:00:00 to 2022-11-27 23:59:59 (UTC)",
        "policy published for stalw.art: p=none",
        "messages: 1, DMARC pass 1, fail 0",
    ] {
        assert!(out_text.contains(line), "{line}\n{out_text}");
    }
    let out = mailauth(&["dmarc", "report", path(&feedback.join("101.eml"))], b"");
    assert!(
        text(&out).contains("  FAIL        1 x 50.223.129.194"),
        "{}",
        text(&out)
    );
    let out = mailauth(&["dmarc", "report", path(&feedback.join("001.xml"))], b"");
    assert!(text(&out).contains("messages: 123"), "{}", text(&out));
    let out = mailauth(&["dmarc", "report", path(&feedback.join("001.json"))], b"");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}
