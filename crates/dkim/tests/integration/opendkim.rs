//! Interoperability with OpenDKIM, the DKIM milter behind most Postfix setups, docker-mailserver
//! and mailcow: what operators move from, and what many receivers verify with.
//!
//! - OpenDKIM verifies what we sign (`opendkim -t`, its test mode, with public keys from a
//!   file), rsa-sha256 and ed25519-sha256, simple and relaxed, and sees a changed body fail.
//! - We verify what OpenDKIM signs, with the key record as `opendkim-genkey` wrote it, pasted
//!   under `$ORIGIN` into zone text.
//! - The RSA key both sides sign with is the one `opendkim-genkey` wrote, used as it is.
//! - `opendkim-testmsg` still signs with rsa-sha1: we refuse that signature (RFC 8301).
//!
//! `.ci/run` installs `opendkim` and `opendkim-tools` and sets `MAILROOM_REQUIRE_PEERS=1`, which
//! makes a missing peer a failure; elsewhere these tests say they were skipped.

use std::path::PathBuf;
use std::process::Command;

use futures::executor::block_on;
use mailroom_dkim::{Canonicalization, DkimResult, Error, Signer, SigningKey, Verifier};
use mailroom_dns::{Resolver, Zone};
use mailroom_testkit::{TempDir, lf_to_crlf, peer_available, run_with_input};

const MESSAGE: &[u8] = b"From: Joe SixPack <joe@example.com>\r\nTo: Suzie Q <suzie@example.net>\r\nSubject: Is dinner  ready?\r\nDate: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\nMessage-ID: <20030712040037.46341.5F8J@example.com>\r\n\r\nHi.\r\n\r\nWe lost the game.\t Are you hungry yet? \r\n\r\nJoe.\r\n\r\n\r\n";

const CANONS: [Canonicalization; 2] = [Canonicalization::Simple, Canonicalization::Relaxed];

/// Whether OpenDKIM and its tools are here; panics when they must be and are not.
fn opendkim_available() -> bool {
    let install = "apt-get install opendkim opendkim-tools";
    peer_available("opendkim", &["-V"], install)
        && peer_available("opendkim-genkey", &["--version"], install)
}

/// The keys of one test: an RSA key from `opendkim-genkey` (selector `rsa`) and an Ed25519
/// key of ours (selector `ed`), in files OpenDKIM reads, and the zone of their records.
struct Keys {
    dir: TempDir,
    /// The private keys as PKCS#8 PEM, as the files hold them.
    rsa_pem: String,
    ed25519_pem: String,
    zone: Zone,
}

impl Keys {
    fn new(test: &str) -> Self {
        let dir = TempDir::new(test);
        let genkey = Command::new("opendkim-genkey")
            .args(["--bits=2048", "--domain=example.com", "--selector=rsa"])
            .arg("--directory")
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(genkey.status.success(), "{genkey:?}");
        let rsa_pem = dir.read("rsa.private");
        let ed = mailroom_dkim::keygen::ed25519([0x5e; 32]);
        dir.file("ed.private", &ed.pem);
        // opendkim-genkey's record, as it wrote it: a relative owner, and the key split over
        // strings in parentheses.
        let zone_text = format!(
            "$ORIGIN example.com.\n{}ed._domainkey IN TXT \"{}\"\n",
            dir.read("rsa.txt"),
            ed.key.dns_record()
        );
        let zone = Zone::from_text(&zone_text).unwrap();
        // The same records for OpenDKIM, one `name record` per line.
        let keys: String = ["rsa", "ed"]
            .iter()
            .map(|selector| {
                let name = format!("{selector}._domainkey.example.com");
                let answer = block_on(zone.txt(&name)).unwrap();
                let record = String::from_utf8(answer.records()[0].concat()).unwrap();
                format!("{name} {record}\n")
            })
            .collect();
        dir.file("public-keys", &keys);
        Self {
            dir,
            rsa_pem,
            ed25519_pem: ed.pem,
            zone,
        }
    }

    /// (selector, algorithm, private key PEM, header and body canonicalization): every key with
    /// every canonicalization.
    fn cases(
        &self,
    ) -> Vec<(
        &'static str,
        &'static str,
        &str,
        Canonicalization,
        Canonicalization,
    )> {
        let keys = [
            ("rsa", "rsa-sha256", self.rsa_pem.as_str()),
            ("ed", "ed25519-sha256", self.ed25519_pem.as_str()),
        ];
        let mut cases = Vec::new();
        for (selector, algorithm, pem) in keys {
            for header in CANONS {
                for body in CANONS {
                    cases.push((selector, algorithm, pem, header, body));
                }
            }
        }
        cases
    }

    /// Runs `opendkim -t` on `message` with these settings, and returns what it printed.
    /// Verbose, it prints the Authentication-Results field it would add; otherwise, when
    /// signing, the DKIM-Signature field as it would add it.
    fn opendkim(&self, settings: &str, verbose: bool, message: &[u8]) -> String {
        let conf = self.dir.file(
            "opendkim.conf",
            &format!("Syslog no\nRequireSafeKeys false\n{settings}"),
        );
        let out = run_with_input(
            Command::new("opendkim")
                .arg("-x")
                .arg(&conf)
                .args(verbose.then_some("-vvv"))
                .args(["-t", "-"]),
            message,
        );
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "opendkim failed: {printed}");
        printed
    }

    /// OpenDKIM's verdict on `message`: the `dkim=` of the Authentication-Results it adds.
    fn opendkim_verdict(&self, message: &[u8]) -> String {
        let keys = self.dir.path().join("public-keys");
        let printed = self.opendkim(
            &format!("Mode v\nTestPublicKeys {}\n", keys.display()),
            true,
            message,
        );
        let (_, after) = printed
            .split_once("dkim=")
            .unwrap_or_else(|| panic!("no dkim= result from opendkim: {printed}"));
        after
            .split(|c: char| c.is_whitespace() || c == ';')
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    /// `message` with the DKIM-Signature OpenDKIM adds on top.
    fn opendkim_signed(
        &self,
        selector: &str,
        algorithm: &str,
        header: Canonicalization,
        body: Canonicalization,
        message: &[u8],
    ) -> Vec<u8> {
        let key = self.dir.path().join(format!("{selector}.private"));
        let printed = self.opendkim(
            &format!(
                "Mode s\nDomain example.com\nSelector {selector}\nKeyFile {}\n\
                 SignatureAlgorithm {algorithm}\nCanonicalization {header}/{body}\n",
                key.display()
            ),
            false,
            message,
        );
        [&signature_field(&printed), message].concat()
    }

    fn our_verdict(&self, message: &[u8]) -> (DkimResult, String) {
        let results = block_on(Verifier::default().verify(&self.zone, message, 4_000_000_000));
        assert_eq!(results.len(), 1, "one signature");
        (results[0].result, results[0].reason())
    }
}

/// The DKIM-Signature field in what `opendkim -t` printed when signing, its lines ended in
/// CRLF as they are in the message.
fn signature_field(printed: &str) -> Vec<u8> {
    let start = printed
        .find("DKIM-Signature:")
        .unwrap_or_else(|| panic!("opendkim printed no signature: {printed}"));
    let mut field = String::new();
    for (i, line) in printed[start..].lines().enumerate() {
        if i > 0 && !line.starts_with([' ', '\t']) {
            break;
        }
        field.push_str(line);
        field.push('\n');
    }
    lf_to_crlf(field.as_bytes())
}

/// `message` with "Joe." at the end of the body changed to "Joe!".
fn change_body(message: &[u8]) -> Vec<u8> {
    let mut changed = message.to_vec();
    let at = changed.len() - b".\r\n\r\n\r\n".len();
    assert_eq!(changed[at], b'.');
    changed[at] = b'!';
    changed
}

/// `message` with the fold before the DKIM-Signature's `b=` taken out.
fn refold_b(message: &[u8]) -> Vec<u8> {
    let fold = b";\r\n\tb=";
    let at = message
        .windows(fold.len())
        .position(|w| w == fold)
        .expect("a fold before b=");
    [&message[..at], b"; b=", &message[at + fold.len()..]].concat()
}

fn sign_with_us(
    pem: &str,
    selector: &str,
    header: Canonicalization,
    body: Canonicalization,
) -> Vec<u8> {
    let key = SigningKey::from_pem(pem).unwrap();
    let signer = Signer::new(key, "example.com", selector)
        .unwrap()
        .canonicalization(header, body);
    [
        signer.sign(MESSAGE, 1_700_000_000).unwrap().as_bytes(),
        MESSAGE,
    ]
    .concat()
}

#[test]
fn opendkim_verifies_what_we_sign() {
    if !opendkim_available() {
        return;
    }
    let keys = Keys::new("opendkim-verifies");
    for (selector, algorithm, pem, header, body) in keys.cases() {
        let signed = sign_with_us(pem, selector, header, body);
        assert_eq!(
            keys.opendkim_verdict(&signed),
            "pass",
            "{algorithm} {header}/{body}"
        );
        // A changed body fails there too: the verdict is OpenDKIM's, not a default.
        let changed = change_body(&signed);
        assert_eq!(
            keys.opendkim_verdict(&changed),
            "fail",
            "{algorithm} {header}/{body} changed"
        );
    }
}

#[test]
fn we_verify_what_opendkim_signs() {
    if !opendkim_available() {
        return;
    }
    let keys = Keys::new("opendkim-signs");
    for (selector, algorithm, _, header, body) in keys.cases() {
        let signed = keys.opendkim_signed(selector, algorithm, header, body, MESSAGE);
        let (result, reason) = keys.our_verdict(&signed);
        if keys.opendkim_verdict(&signed) == "pass" {
            assert_eq!(
                result,
                DkimResult::Pass,
                "{algorithm} {header}/{body}: {reason}\n{}",
                String::from_utf8_lossy(&signed)
            );
        } else {
            // OpenDKIM 2.11.0 (Debian 12) cannot verify its own ed25519 signatures with simple
            // header canonicalization, nor can dkimpy: it hashes the field with `b=` on the
            // line of `h=`, then writes it with `b=` folded onto a line of its own. Simple
            // keeps the field exactly as it appears (RFC 6376 §3.4.1), so the signature fails.
            // With the fold it hashed, it passes.
            assert!(
                algorithm == "ed25519-sha256" && header == Canonicalization::Simple,
                "OpenDKIM fails its own {algorithm} {header}/{body} signature"
            );
            assert_eq!(result, DkimResult::Fail, "{algorithm} {header}/{body}");
            let refolded = refold_b(&signed);
            assert_eq!(
                keys.our_verdict(&refolded).0,
                DkimResult::Pass,
                "{algorithm} {header}/{body} with b= unfolded\n{}",
                String::from_utf8_lossy(&refolded)
            );
        }
        let changed = change_body(&signed);
        assert_eq!(
            keys.our_verdict(&changed).0,
            DkimResult::Fail,
            "{algorithm} {header}/{body} changed"
        );
    }
}

#[test]
fn opendkim_testmsg_rsa_sha1_signature_is_refused() {
    if !opendkim_available() {
        return;
    }
    let keys = Keys::new("opendkim-sha1");
    let key: PathBuf = keys.dir.path().join("rsa.private");
    let out = run_with_input(
        Command::new("opendkim-testmsg")
            .args(["-C", "-d", "example.com", "-s", "rsa", "-k"])
            .arg(key),
        MESSAGE,
    );
    assert!(out.status.success(), "{out:?}");
    let signed = lf_to_crlf(&out.stdout);
    assert!(
        signed.starts_with(b"DKIM-Signature: v=1; a=rsa-sha1;"),
        "{}",
        String::from_utf8_lossy(&signed)
    );
    let results = block_on(Verifier::default().verify(&keys.zone, &signed, 4_000_000_000));
    assert_ne!(results[0].result, DkimResult::Pass);
    assert!(
        matches!(results[0].error, Some(Error::Sha1Forbidden)),
        "{}",
        results[0].reason()
    );
}
