//! The DKIM key store: keys made here and keys other tools made, each signing its domain's mail.

use mailroom_dkim::SigningKey;
use mailroom_server::Error;
use mailroom_server::keys::{KeyKind, KeyStore};
use mailroom_testkit as kit;

use crate::TempDir;

/// A TXT record's character-strings in zone-file text, joined.
fn content(zone_text: &str) -> String {
    zone_text.split('"').skip(1).step_by(2).collect()
}

#[test]
fn imported_keys_sign_beside_made_ones_and_are_never_replaced() {
    let dir = TempDir::new("keystore");
    let store = KeyStore::new(dir.path());
    let made = store
        .generate("Example.org.", Some("new"), &[KeyKind::Ed25519])
        .unwrap();
    assert_eq!(made[0].name, "new._domainkey.example.org");
    // dkimpy's Ed25519 key file (a base64 seed) and a PKCS#1 RSA PEM, as they are.
    let dkimpy = kit::testdata_dir().join("dkim/dkimpy/ed25519test.key");
    let pkcs1 = kit::testdata_dir().join("dkim/dkimpy/2048_testkey.key");
    let ed = store.import("example.org", "ed", &dkimpy).unwrap();
    assert_eq!(ed.name, "ed._domainkey.example.org");
    let published = kit::read_text("dkim/dkimpy/ed25519test.dns");
    assert!(ed.record.contains(published.trim()), "{}", ed.record);
    let rsa = store.import("example.org", "rsa", &pkcs1).unwrap();
    let expected = SigningKey::from_key_file(&std::fs::read(&pkcs1).unwrap())
        .unwrap()
        .dns_record();
    assert_eq!(content(&rsa.record), expected);

    // Every key signs, in selector order: ed, new, rsa.
    let signing: Vec<String> = store
        .signers("example.org")
        .unwrap()
        .iter()
        .map(|signer| signer.key().dns_record())
        .collect();
    assert_eq!(
        signing,
        [&ed, &made[0], &rsa].map(|key| content(&key.record))
    );
    let stored = dir.path().join("dkim/example.org/ed.pem");
    assert!(
        std::fs::read_to_string(&stored)
            .unwrap()
            .starts_with("-----BEGIN PRIVATE KEY-----\n")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&stored).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // A selector in use, a file with no key, a bad selector: refused, and nothing written.
    let refused = store.import("example.org", "new", &dkimpy).unwrap_err();
    assert!(refused.to_string().contains("never replaced"), "{refused}");
    let not_a_key = kit::testdata_dir().join("dkim/dkimpy/ed25519test.dns");
    let refused = store
        .import("example.org", "other", &not_a_key)
        .unwrap_err();
    assert!(
        refused.to_string().contains("ed25519test.dns holds no key"),
        "{refused}"
    );
    let missing = store
        .import("example.org", "other", &dir.path().join("nothing"))
        .unwrap_err();
    assert!(matches!(missing, Error::Io { .. }), "{missing}");
    assert!(
        store
            .import("example.org", "bad selector", &dkimpy)
            .is_err()
    );
    assert_eq!(store.signers("example.org").unwrap().len(), 3);
}

#[test]
fn the_keyring_holds_keys_parsed_and_keeps_them_when_a_file_is_damaged() {
    use mailroom_server::keys::Keyring;
    let dir = TempDir::new("keyring");
    let store = KeyStore::new(dir.path());
    let ring = Keyring::load(KeyStore::new(dir.path()));
    assert!(ring.signers("example.org").is_none());
    assert_eq!(ring.refresh(), 0, "nothing to read");

    store
        .generate("example.org", Some("a"), &[KeyKind::Ed25519])
        .unwrap();
    assert_eq!(ring.refresh(), 1);
    assert_eq!(ring.signers("example.org").unwrap().len(), 1);
    assert_eq!(ring.refresh(), 0, "unchanged files are not read again");

    // A second key, and a damaged file beside it: the domain keeps the one key it had.
    store
        .generate("example.org", Some("b"), &[KeyKind::Ed25519])
        .unwrap();
    let damaged = dir.path().join("dkim/example.org/c.pem");
    std::fs::write(&damaged, "-----BEGIN PRIVATE KEY-----\nnot a key\n").unwrap();
    assert_eq!(ring.refresh(), 1);
    assert_eq!(ring.signers("example.org").unwrap().len(), 1);
    assert_eq!(ring.refresh(), 0, "the damage is reported once");

    std::fs::remove_file(&damaged).unwrap();
    ring.refresh();
    assert_eq!(ring.signers("example.org").unwrap().len(), 2);
    std::fs::remove_dir_all(dir.path().join("dkim/example.org")).unwrap();
    ring.refresh();
    assert!(ring.signers("example.org").is_none());
}
