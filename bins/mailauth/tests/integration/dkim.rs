//! `mailauth dkim keygen|sign|verify|check`, run as a user would: keys made, a message signed and
//! verified against the record keygen printed, tampering caught, the published record checked.

use crate::mailauth;
use mailroom_testkit::TempDir;
use std::path::{Path, PathBuf};

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Makes a key, writes the printed record as a zone file, and returns (key, zone).
fn keygen(dir: &Path, algorithm: &str) -> (PathBuf, PathBuf) {
    let key = dir.join(format!("{algorithm}.pem"));
    let record = keygen_as(&key, algorithm, "s1");
    let zone = dir.join(format!("{algorithm}.zone"));
    std::fs::write(&zone, record).unwrap();
    (key, zone)
}

/// Makes a key for example.org under `selector`, written to `key`; returns the printed record.
pub(crate) fn keygen_as(key: &Path, algorithm: &str, selector: &str) -> String {
    let out = mailauth(
        &[
            "dkim",
            "keygen",
            "--algorithm",
            algorithm,
            "--domain",
            "example.org",
            "--selector",
            selector,
            "--out",
            path(key),
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap();
    let start = format!("{selector}._domainkey.example.org. IN TXT \"v=DKIM1;");
    printed
        .lines()
        .find(|l| l.starts_with(&start))
        .unwrap()
        .to_owned()
}

/// Runs `mailauth dkim sign` with `key` for example.org under selector s1.
pub(crate) fn sign_as_s1(key: &Path, message: &[u8]) -> std::process::Output {
    mailauth(
        &[
            "dkim",
            "sign",
            "--key",
            path(key),
            "--domain",
            "example.org",
            "--selector",
            "s1",
        ],
        message,
    )
}

#[test]
fn keygen_sign_verify_round_trip() {
    let dir = TempDir::new("mailauth-dkim-round-trip");
    for algorithm in ["ed25519", "rsa"] {
        let (key, zone) = keygen(dir.path(), algorithm);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{algorithm} key file mode");
        }
        // LF line ends in, LF line ends out.
        let message = b"From: a@example.org\nTo: b@example.net\nSubject: hi\n\nHello.\n";
        let signed = sign_as_s1(&key, message);
        assert!(
            signed.status.success(),
            "{}",
            String::from_utf8_lossy(&signed.stderr)
        );
        assert!(signed.stdout.starts_with(b"DKIM-Signature: v=1;"));
        assert!(signed.stdout.ends_with(message));
        assert!(!signed.stdout.contains(&b'\r'));

        let verified = mailauth(&["dkim", "verify", "--zone", path(&zone)], &signed.stdout);
        let text = String::from_utf8(verified.stdout).unwrap();
        assert_eq!(verified.status.code(), Some(0), "{text}");
        assert!(text.starts_with("pass d=example.org s=s1 a="), "{text}");

        let mut tampered = signed.stdout.clone();
        let len = tampered.len();
        tampered[len - 3] = b'!';
        let verified = mailauth(&["dkim", "verify", "--zone", path(&zone)], &tampered);
        let text = String::from_utf8(verified.stdout).unwrap();
        assert_eq!(verified.status.code(), Some(1), "{text}");
        assert!(
            text.contains("fail") && text.contains("body hash"),
            "{text}"
        );
    }
}

#[test]
fn keygen_never_replaces_a_key() {
    let dir = TempDir::new("mailauth-dkim-no-replace");
    let (key, _) = keygen(dir.path(), "ed25519");
    let before = std::fs::read(&key).unwrap();
    let again = mailauth(
        &[
            "dkim",
            "keygen",
            "--domain",
            "example.org",
            "--selector",
            "s1",
            "--out",
            path(&key),
        ],
        b"",
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("never replaced"));
    assert_eq!(std::fs::read(&key).unwrap(), before);
}

#[test]
fn verify_reports_unsigned_mail_and_missing_keys() {
    let dir = TempDir::new("mailauth-dkim-verify");
    let zone = dir.path().join("empty.zone");
    std::fs::write(&zone, "; nothing\n").unwrap();
    let out = mailauth(
        &["dkim", "verify", "--zone", path(&zone)],
        b"From: a@example.org\r\n\r\nx\r\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "none: the message has no DKIM-Signature\n"
    );

    let rfc = mailroom_testkit::testdata_dir().join("dkim/dkim_verifier/rfc6376-A.2.eml");
    let out = mailauth(&["dkim", "verify", "--zone", path(&zone), path(&rfc)], b"");
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text,
        "permerror d=example.com s=brisbane a=rsa-sha256: no DKIM key at brisbane._domainkey.example.com\n"
    );
}

#[test]
fn sign_refuses_bad_input_with_a_reason() {
    let dir = TempDir::new("mailauth-dkim-bad");
    let (key, _) = keygen(dir.path(), "ed25519");
    let out = sign_as_s1(&key, b"Subject: no from\n\nx\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no From header"));
    let out = mailauth(
        &[
            "dkim",
            "sign",
            "--key",
            path(&key),
            "--domain",
            "bad domain",
            "--selector",
            "s1",
        ],
        b"From: a@b\n\nx\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("d="),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn check_finds_the_published_key_and_says_what_to_publish_when_it_is_not() {
    let dir = TempDir::new("mailauth-dkim-check");
    let (key, zone) = keygen(dir.path(), "ed25519");
    let run = |selector: &str, key: &Path| {
        let out = mailauth(
            &[
                "dkim",
                "check",
                "--domain",
                "example.org",
                "--selector",
                selector,
                "--key",
                path(key),
                "--zone",
                path(&zone),
            ],
            b"",
        );
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };

    let (code, text) = run("s1", &key);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(
        text,
        "s1._domainkey.example.org: publishes an Ed25519 key\n\
         ok: signatures with this key will verify\n"
    );

    // A second key, checked against the first one's record, and under a selector with none.
    let second = dir.path().join("second.pem");
    let record = keygen_as(&second, "ed25519", "s2");
    let (code, text) = run("s1", &second);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("problem: the published key is not the signing key"),
        "{text}"
    );
    assert!(
        text.contains(&record.replace("s2._domainkey", "s1._domainkey")),
        "{text}"
    );
    let (code, text) = run("s2", &second);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("problem: no key record is published"),
        "{text}"
    );
    assert!(text.ends_with(&format!("{record}\n")), "{text}");
}

#[test]
fn keys_other_tools_wrote_sign_as_they_are() {
    let dir = TempDir::new("mailauth-dkim-foreign-keys");
    let testdata = mailroom_testkit::testdata_dir().join("dkim/dkimpy");
    // rspamd keeps an Ed25519 key as its seed and public key in base64: RFC 8463 A.1 and A.2.
    let rspamd = dir.file(
        "rspamd.key",
        "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2DXWpgBgrEKt9VL/tPJZAc6DuFy89qmIyWvAhpo9wdRGg==\n",
    );
    let ed25519_record = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
    let cases = [
        // PKCS#1 PEM, as older opendkim-genkey and rspamadm write.
        (
            testdata.join("2048_testkey.key"),
            std::fs::read_to_string(testdata.join("2048_testkey_wo_markers.pub.txt")).unwrap(),
        ),
        // dkimpy's Ed25519 key: the seed alone in base64.
        (
            testdata.join("ed25519test.key"),
            std::fs::read_to_string(testdata.join("ed25519test.dns")).unwrap(),
        ),
        (rspamd, ed25519_record.to_owned()),
    ];
    for (key, record) in cases {
        // A TXT string holds at most 255 octets: a long record is split over several.
        let strings: Vec<String> = record
            .trim()
            .as_bytes()
            .chunks(255)
            .map(|chunk| format!("\"{}\"", String::from_utf8_lossy(chunk)))
            .collect();
        let zone = dir.file(
            "foreign.zone",
            &format!("s1._domainkey.example.org. TXT {}\n", strings.join(" ")),
        );
        let signed = sign_as_s1(
            &key,
            b"From: a@example.org\nTo: b@example.net\nSubject: hi\n\nHello.\n",
        );
        assert!(
            signed.status.success(),
            "{}: {}",
            key.display(),
            String::from_utf8_lossy(&signed.stderr)
        );
        let verified = mailauth(&["dkim", "verify", "--zone", path(&zone)], &signed.stdout);
        let text = String::from_utf8(verified.stdout).unwrap();
        assert_eq!(verified.status.code(), Some(0), "{}: {text}", key.display());
    }
}
