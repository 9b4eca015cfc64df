//! Checking published key records: what verifiers will find at a selector, against the key the
//! signer holds, with the zone playing the DNS.

use futures::executor::block_on;
use mailroom_dkim::published::{Finding, KeyCheck, check_published_key};
use mailroom_dkim::{Error, KeyType, SigningKey};
use mailroom_dns::Zone;
use mailroom_testkit as kit;

fn key() -> SigningKey {
    SigningKey::ed25519_from_seed(&[5; 32])
}

/// Checks `sel._domainkey.example.org` in a zone holding `records` there.
fn check(records: &[&str], key: Option<&SigningKey>) -> KeyCheck {
    // A TXT string holds at most 255 octets: longer records are split, as they are published.
    let strings = |record: &str| -> String {
        let parts: Vec<String> = record
            .as_bytes()
            .chunks(255)
            .map(|part| format!("\"{}\"", String::from_utf8_lossy(part)))
            .collect();
        parts.join(" ")
    };
    let text: String = records
        .iter()
        .map(|record| format!("sel._domainkey.example.org. TXT {}\n", strings(record)))
        .collect();
    let zone = Zone::from_text(&text).unwrap();
    block_on(check_published_key(&zone, "example.org", "sel", key)).unwrap()
}

#[test]
fn the_published_signing_key_checks_out() {
    let key = key();
    let check = check(&[&key.dns_record()], Some(&key));
    assert!(check.is_ok(), "{:?}", check.findings);
    assert!(check.findings.is_empty());
    assert_eq!(check.name, "sel._domainkey.example.org");
    assert_eq!(check.record.unwrap().key.key_type(), KeyType::Ed25519);
    // Without a key, only the record is judged.
    assert!(self::check(&[&key.dns_record()], None).findings.is_empty());
}

#[test]
fn another_key_missing_records_and_failed_lookups_are_problems() {
    let key = key();
    let other = SigningKey::ed25519_from_seed(&[6; 32]);
    let check = check(&[&other.dns_record()], Some(&key));
    assert_eq!(check.findings, [Finding::OtherKey]);
    assert!(!check.is_ok());

    let nothing = block_on(check_published_key(
        &Zone::new(),
        "example.org",
        "sel",
        Some(&key),
    ));
    assert_eq!(nothing.unwrap().findings, [Finding::NotPublished]);

    let zone = Zone::from_text("sel._domainkey.example.org. TIMEOUT").unwrap();
    let failed = block_on(check_published_key(&zone, "example.org", "sel", None)).unwrap();
    assert!(matches!(failed.findings[..], [Finding::LookupFailed(_)]));
    assert!(!failed.is_ok());
}

#[test]
fn records_verifiers_refuse_are_problems_with_the_reason() {
    let revoked = check(&["v=DKIM1; k=ed25519; p="], Some(&key()));
    assert_eq!(revoked.findings, [Finding::Unusable(Error::KeyRevoked)]);
    assert!(revoked.record.is_none());

    let sha1_only = check(&[&format!("{}; h=sha1", key().dns_record())], Some(&key()));
    assert_eq!(sha1_only.findings, [Finding::NoSha256]);

    // Two records: a verifier may take either, so the check says so even when one is right.
    let two = check(
        &[&key().dns_record(), "v=DKIM1; k=ed25519; p="],
        Some(&key()),
    );
    assert_eq!(two.findings, [Finding::SeveralRecords(2)]);
    assert!(!two.is_ok());
}

#[test]
fn testing_and_small_rsa_keys_are_warnings() {
    let testing = check(&[&format!("{}; t=y", key().dns_record())], Some(&key()));
    assert_eq!(testing.findings, [Finding::Testing]);
    assert!(testing.is_ok());

    let rsa_1024 = kit::read_text("dkim/dkimpy/1024_testkey_wo_markers.pub.txt");
    let small = check(&[rsa_1024.trim()], None);
    assert_eq!(small.findings, [Finding::RsaUnder2048 { bits: 1024 }]);
    assert!(small.is_ok());
    let signer = SigningKey::from_pem(&kit::read_text("dkim/dkimpy/2048_testkey.key")).unwrap();
    let other = check(&[rsa_1024.trim()], Some(&signer));
    assert_eq!(
        other.findings,
        [Finding::RsaUnder2048 { bits: 1024 }, Finding::OtherKey]
    );
}

#[test]
fn an_rsa_key_matches_in_either_published_form() {
    // RFC 6376 says SubjectPublicKeyInfo; some publish the bare PKCS#1 key. Both are the key.
    let signer = SigningKey::from_pem(&kit::read_text("dkim/dkimpy/2048_testkey.key")).unwrap();
    for file in [
        "2048_testkey_wo_markers.pub.txt",
        "2048_testkey_wo_markers.pub.rsa.txt",
    ] {
        let record = kit::read_text(&format!("dkim/dkimpy/{file}"));
        let check = check(&[record.trim()], Some(&signer));
        assert!(check.findings.is_empty(), "{file}: {:?}", check.findings);
    }
}

#[test]
fn internationalized_names_are_looked_up_as_a_labels_and_bad_names_refused() {
    let key = key();
    let zone = Zone::from_text(&format!(
        "sel._domainkey.xn--bcher-kva.example. TXT \"{}\"",
        key.dns_record()
    ))
    .unwrap();
    let check = block_on(check_published_key(
        &zone,
        "bücher.example",
        "sel",
        Some(&key),
    ));
    let check = check.unwrap();
    assert_eq!(check.name, "sel._domainkey.xn--bcher-kva.example");
    assert!(check.findings.is_empty(), "{:?}", check.findings);

    let bad = block_on(check_published_key(&zone, "not a domain", "sel", None));
    assert!(matches!(bad, Err(Error::InvalidTag { tag: "d", .. })));
    let bad = block_on(check_published_key(&zone, "example.org", "a;b", None));
    assert!(matches!(bad, Err(Error::InvalidTag { tag: "s", .. })));
}
