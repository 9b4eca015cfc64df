//! Interoperability with Python's dkimpy, a real peer: dkimpy verifies what we sign, and we
//! verify what dkimpy signs (rsa-sha256 and ed25519-sha256, simple and relaxed).
//!
//! `.ci/run` installs dkimpy and sets `MAILROOM_REQUIRE_PEERS=1`, which makes a missing peer a
//! failure; elsewhere these tests say they were skipped.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use futures::executor::block_on;
use mailroom_dkim::{Canonicalization, DkimResult, Signer, SigningKey, Verifier, VerifyOptions};
use mailroom_dns::{RecordData, Txt, Zone};
use mailroom_testkit as kit;

const MESSAGE: &[u8] = b"From: Joe SixPack <joe@example.com>\r\nTo: Suzie Q <suzie@example.net>\r\nSubject: Is dinner ready?\r\nDate: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\nMessage-ID: <20030712040037.46341.5F8J@example.com>\r\n\r\nHi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n\r\n";

fn peer_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/dkimpy_peer.py")
}

/// Whether python3 with dkimpy is here; panics when it must be and is not.
fn dkimpy_available() -> bool {
    mailroom_testkit::peer_available(
        "python3",
        &["-c", "import dkim, nacl"],
        "pip install dkimpy pynacl",
    )
}

fn run_peer(args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let mut child = Command::new("python3")
        .arg(peer_script())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "dkimpy peer failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

struct KeyCase {
    algorithm: &'static str,
    /// The key file dkimpy signs with.
    dkimpy_key: &'static str,
    our_key: fn() -> SigningKey,
}

fn cases() -> [KeyCase; 2] {
    [
        KeyCase {
            algorithm: "rsa-sha256",
            dkimpy_key: "dkim/dkimpy/2048_testkey.key",
            our_key: || {
                SigningKey::from_pem(&kit::read_text("dkim/dkimpy/2048_testkey.key")).unwrap()
            },
        },
        KeyCase {
            algorithm: "ed25519-sha256",
            dkimpy_key: "dkim/dkimpy/ed25519test.key",
            our_key: || {
                SigningKey::from_key_file(&kit::read("dkim/dkimpy/ed25519test.key")).unwrap()
            },
        },
    ]
}

const CANONS: [(Canonicalization, &str); 2] = [
    (Canonicalization::Simple, "simple"),
    (Canonicalization::Relaxed, "relaxed"),
];

#[test]
fn dkimpy_verifies_what_we_sign() {
    if !dkimpy_available() {
        return;
    }
    for case in cases() {
        for (header_canon, _) in CANONS {
            for (body_canon, _) in CANONS {
                let key = (case.our_key)();
                let record = key.dns_record();
                let signer = Signer::new(key, "example.com", "sel")
                    .unwrap()
                    .canonicalization(header_canon, body_canon);
                let signed = [
                    signer.sign(MESSAGE, 1_700_000_000).unwrap().as_bytes(),
                    MESSAGE,
                ]
                .concat();
                let verdict = run_peer(&["verify", &record], &signed);
                assert_eq!(
                    String::from_utf8_lossy(&verdict),
                    "pass\n",
                    "{} {header_canon}/{body_canon}",
                    case.algorithm
                );
            }
        }
    }
}

#[test]
fn we_verify_what_dkimpy_signs() {
    if !dkimpy_available() {
        return;
    }
    for case in cases() {
        let mut zone = Zone::new();
        zone.insert(
            "sel._domainkey.example.com",
            RecordData::Txt(Txt::new([(case.our_key)().dns_record()])),
        )
        .unwrap();
        let key_file = kit::testdata_dir().join(case.dkimpy_key);
        for (_, header_canon) in CANONS {
            for (_, body_canon) in CANONS {
                let signed = run_peer(
                    &[
                        "sign",
                        key_file.to_str().unwrap(),
                        "example.com",
                        "sel",
                        case.algorithm,
                        header_canon,
                        body_canon,
                    ],
                    MESSAGE,
                );
                let results = block_on(Verifier::default().verify(&zone, &signed, 4_000_000_000));
                assert_eq!(results.len(), 1);
                assert_eq!(
                    results[0].result,
                    DkimResult::Pass,
                    "{} {header_canon}/{body_canon}: {}",
                    case.algorithm,
                    results[0].reason()
                );
            }
        }
    }
}

#[test]
fn dkimpy_length_limited_signature_is_policy_until_allowed() {
    if !dkimpy_available() {
        return;
    }
    let case = &cases()[1];
    let mut zone = Zone::new();
    zone.insert(
        "sel._domainkey.example.com",
        RecordData::Txt(Txt::new([(case.our_key)().dns_record()])),
    )
    .unwrap();
    let key_file = kit::testdata_dir().join(case.dkimpy_key);
    let signed = run_peer(
        &[
            "sign",
            key_file.to_str().unwrap(),
            "example.com",
            "sel",
            case.algorithm,
            "relaxed",
            "relaxed",
            "l",
        ],
        MESSAGE,
    );
    // As signed, l= covers the whole body: a pass.
    let results = block_on(Verifier::default().verify(&zone, &signed, 4_000_000_000));
    assert_eq!(
        results[0].result,
        DkimResult::Pass,
        "{}",
        results[0].reason()
    );
    // Content appended after the signed part: the known l= attack.
    let mut appended = signed.clone();
    appended.extend_from_slice(b"Click here: http://attacker.example/\r\n");
    let results = block_on(Verifier::default().verify(&zone, &appended, 4_000_000_000));
    assert_eq!(
        results[0].result,
        DkimResult::Policy,
        "{}",
        results[0].reason()
    );
    let lenient = Verifier::new(VerifyOptions::default().allow_partial_body(true));
    let results = block_on(lenient.verify(&zone, &appended, 4_000_000_000));
    assert_eq!(results[0].result, DkimResult::Pass);
}
