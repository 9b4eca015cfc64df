//! Key files of the dkimpy corpus: key records in every encoding, and private keys in PKCS#1,
//! PKCS#8 and raw-seed form, each signing something the matching record verifies.

use futures::executor::block_on;
use mailroom_dkim::{
    DkimResult, Error, KeyRecord, KeyType, PublicKey, Signer, SigningKey, Verifier, keygen,
};
use mailroom_dns::{RecordData, Txt, Zone};
use mailroom_testkit as kit;

use base64::Engine;

const MESSAGE: &[u8] = b"From: Joe SixPack <joe@football.example.com>\r\nTo: Suzie Q <suzie@shopping.example.net>\r\nSubject: Is dinner ready?\r\n\r\nHi.\r\n";

fn record(file: &str) -> Result<KeyRecord, Error> {
    KeyRecord::parse(kit::read_text(&format!("dkim/dkimpy/{file}")).trim())
}

#[test]
fn key_records_in_every_encoding() {
    for (file, bits) in [
        ("test.txt", 1024),
        ("test2.txt", 1024),
        ("1024_testkey_wo_markers.pub.txt", 1024),
        ("1024_testkey_wo_markers.pub.rsa.txt", 1024),
        ("2048_testkey_wo_markers.pub.txt", 2048),
        ("2048_testkey_wo_markers.pub.rsa.txt", 2048),
        ("2048_testkey_PKCS8.key.pub.txt", 2048),
    ] {
        match record(file) {
            Ok(KeyRecord {
                key: PublicKey::Rsa { bits: b, .. },
                ..
            }) => assert_eq!(b, bits, "{file}"),
            other => panic!("{file}: {other:?}"),
        }
    }
    for file in ["ed25519test.dns", "eximtest.dns"] {
        assert_eq!(
            record(file).unwrap().key.key_type(),
            KeyType::Ed25519,
            "{file}"
        );
    }
}

#[test]
fn broken_key_records_are_refused() {
    assert!(matches!(
        record("badversion.txt"),
        Err(Error::InvalidTag { tag: "v", .. })
    ));
    assert!(matches!(
        record("badk.txt"),
        Err(Error::InvalidTag { tag: "k", .. })
    ));
    assert!(matches!(
        record("test_bad.txt"),
        Err(Error::BadPublicKey { .. })
    ));
    assert_eq!(record("test_tlsrpt.txt"), Err(Error::KeyNotForEmail));
}

/// Signs with the private key, publishes the record, and verifies.
fn sign_and_verify(key: SigningKey, record: &str) {
    let algorithm = key.algorithm();
    let mut zone = Zone::new();
    zone.insert(
        "sel._domainkey.football.example.com",
        RecordData::Txt(Txt::new([record])),
    )
    .unwrap();
    let header = Signer::new(key, "football.example.com", "sel")
        .unwrap()
        .sign(MESSAGE, 1_700_000_000)
        .unwrap();
    let signed = [header.as_bytes(), MESSAGE].concat();
    let results = block_on(Verifier::default().verify(&zone, &signed, 1_700_000_000));
    assert_eq!(
        results[0].result,
        DkimResult::Pass,
        "{algorithm}: {}",
        results[0].reason()
    );
}

#[test]
fn private_keys_in_every_form_sign() {
    let pem =
        |file: &str| SigningKey::from_pem(&kit::read_text(&format!("dkim/dkimpy/{file}"))).unwrap();
    let txt = |file: &str| {
        kit::read_text(&format!("dkim/dkimpy/{file}"))
            .trim()
            .to_owned()
    };
    sign_and_verify(
        pem("2048_testkey.key"),
        &txt("2048_testkey_wo_markers.pub.txt"),
    );
    sign_and_verify(
        pem("2048_testkey.key"),
        &txt("2048_testkey_wo_markers.pub.rsa.txt"),
    );
    sign_and_verify(
        pem("2048_testkey_PKCS8.key"),
        &txt("2048_testkey_PKCS8.key.pub.txt"),
    );
    let seed = |file: &str| -> [u8; 32] {
        base64::engine::general_purpose::STANDARD
            .decode(kit::read_text(&format!("dkim/dkimpy/{file}")).trim())
            .unwrap()
            .try_into()
            .unwrap()
    };
    sign_and_verify(
        SigningKey::ed25519_from_seed(&seed("ed25519test.key")),
        &txt("ed25519test.dns"),
    );
    // RFC 8463 A.1: the seed and its published key (A.2).
    sign_and_verify(
        SigningKey::ed25519_from_seed(&seed("rfc8032_7_1.key")),
        "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
    );
}

/// A PEM file's base64 lines, without its BEGIN and END lines.
fn pem_body(pem: &str) -> String {
    pem.lines()
        .filter(|l| !l.starts_with("-----"))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn key_files_in_every_form_read_as_they_are() {
    let file = |name: &str| kit::read(&format!("dkim/dkimpy/{name}"));
    let public = |key: SigningKey| key.public_key();
    let pkcs1 = SigningKey::from_pem(&kit::read_text("dkim/dkimpy/2048_testkey.key")).unwrap();
    let pkcs8 =
        SigningKey::from_pem(&kit::read_text("dkim/dkimpy/2048_testkey_PKCS8.key")).unwrap();
    // PEM and DER, PKCS#1 and PKCS#8.
    for (name, expected) in [
        ("2048_testkey.key", pkcs1.public_key()),
        ("2048_testkey_PKCS8.key", pkcs8.public_key()),
    ] {
        let pem = file(name);
        assert_eq!(public(SigningKey::from_key_file(&pem).unwrap()), expected);
        // The PEM body alone, and the DER it holds.
        let body = pem_body(std::str::from_utf8(&pem).unwrap());
        assert_eq!(
            public(SigningKey::from_key_file(body.as_bytes()).unwrap()),
            expected
        );
        let der = base64::engine::general_purpose::STANDARD
            .decode(body.replace('\n', ""))
            .unwrap();
        assert_eq!(public(SigningKey::from_key_file(&der).unwrap()), expected);
    }
    // dkimpy's Ed25519 key: the seed in base64, and the published key that goes with it.
    let ed = SigningKey::from_key_file(&file("ed25519test.key")).unwrap();
    sign_and_verify(ed, kit::read_text("dkim/dkimpy/ed25519test.dns").trim());
    // rspamd's form: the seed and the public key after it, in base64 (RFC 8463 A.1 and A.2).
    let seed = base64::engine::general_purpose::STANDARD
        .decode(kit::read_text("dkim/dkimpy/rfc8032_7_1.key").trim())
        .unwrap();
    let rfc_public = base64::engine::general_purpose::STANDARD
        .decode("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
        .unwrap();
    let expanded = [seed.as_slice(), &rfc_public].concat();
    let text = base64::engine::general_purpose::STANDARD.encode(&expanded);
    let key = SigningKey::from_key_file(format!("{text}\n").as_bytes()).unwrap();
    assert_eq!(key.public_key(), rfc_public);
    // A public half that is not the seed's, and files that hold no key.
    let mut wrong = expanded.clone();
    wrong[63] ^= 1;
    let wrong = base64::engine::general_purpose::STANDARD.encode(&wrong);
    for bad in [
        wrong.as_bytes(),
        b"c2hvcnQ=",
        b"not base64!",
        b"",
        &[0x30, 0x03, 0x02, 0x01, 0x00],
    ] {
        assert!(
            matches!(
                SigningKey::from_key_file(bad),
                Err(Error::BadPrivateKey { .. })
            ),
            "{bad:?}"
        );
    }
}

/// Keys of other tools taken in with `keygen::import` are stored as PKCS#8 PEM holding the same
/// key: a PKCS#1 file becomes what `openssl pkcs8 -topk8 -nocrypt` makes of it, octet for octet,
/// and a PKCS#8 file stays as it is.
#[test]
fn imported_keys_are_stored_as_the_same_key_in_pkcs8() {
    let path = |name: &str| kit::testdata_dir().join("dkim/dkimpy").join(name);
    let seed = kit::read("dkim/dkimpy/rfc8032_7_1.key");
    // rspamd's form of the same key: the seed and the public key after it.
    let rspamd = base64::engine::general_purpose::STANDARD.encode(
        [
            base64::engine::general_purpose::STANDARD
                .decode(String::from_utf8_lossy(&seed).trim())
                .unwrap(),
            SigningKey::from_key_file(&seed).unwrap().public_key(),
        ]
        .concat(),
    );
    let files = [
        kit::read("dkim/dkimpy/2048_testkey.key"),
        kit::read("dkim/dkimpy/2048_testkey_PKCS8.key"),
        kit::read("dkim/dkimpy/ed25519test.key"),
        seed,
        rspamd.into_bytes(),
    ];
    for contents in &files {
        let imported = keygen::import(contents).unwrap();
        assert!(imported.pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let public = SigningKey::from_key_file(contents).unwrap().public_key();
        assert_eq!(imported.key.public_key(), public);
        assert_eq!(
            SigningKey::from_pem(&imported.pem).unwrap().public_key(),
            public
        );
    }
    assert_eq!(
        keygen::import(&files[1]).unwrap().pem,
        kit::read_text("dkim/dkimpy/2048_testkey_PKCS8.key")
    );
    if kit::peer_available("openssl", &["version"], "apt-get install openssl") {
        let converted = std::process::Command::new("openssl")
            .args(["pkcs8", "-topk8", "-nocrypt", "-in"])
            .arg(path("2048_testkey.key"))
            .output()
            .unwrap();
        assert!(converted.status.success());
        assert_eq!(
            keygen::import(&files[0]).unwrap().pem,
            String::from_utf8(converted.stdout).unwrap()
        );
    }
    for bad in [&b"not a key"[..], b"", b"c2hvcnQ="] {
        assert!(matches!(
            keygen::import(bad),
            Err(Error::BadPrivateKey { .. })
        ));
    }
}

#[test]
fn our_own_dns_record_matches_the_published_one() {
    let key = SigningKey::from_pem(&kit::read_text("dkim/dkimpy/2048_testkey_PKCS8.key")).unwrap();
    let ours = KeyRecord::parse(&key.dns_record()).unwrap();
    let theirs = record("2048_testkey_PKCS8.key.pub.txt").unwrap();
    assert_eq!(ours.key, theirs.key);
}

#[test]
fn keys_that_cannot_sign() {
    // 1024-bit RSA: ring signs only with 2048 bits and more (RFC 8301 §3.2 says SHOULD).
    let small = SigningKey::from_pem(&kit::read_text("dkim/dkimpy/1024_testkey.key"));
    if cfg!(not(feature = "aws-lc-rs")) {
        assert!(matches!(small, Err(Error::BadPrivateKey { .. })));
    }
    assert!(matches!(
        SigningKey::from_pem("not a key"),
        Err(Error::BadPrivateKey { .. })
    ));
}

#[test]
fn signing_needs_a_from_header() {
    let key = SigningKey::ed25519_from_seed(&[3; 32]);
    let message = kit::lf_to_crlf(&kit::read("dkim/dkimpy/test_nofrom.message"));
    let signer = Signer::new(key, "example.com", "sel").unwrap();
    assert_eq!(signer.sign(&message, 0), Err(Error::NoFromHeader));
}

#[cfg(feature = "aws-lc-rs")]
#[test]
fn rsa_keys_are_generated_with_aws_lc_rs() {
    let generated = keygen::rsa(keygen::RsaBits::Rsa2048).unwrap();
    let again = SigningKey::from_pem(&generated.pem).unwrap();
    assert_eq!(again.public_key(), generated.key.public_key());
    match KeyRecord::parse(&generated.key.dns_record()).unwrap().key {
        PublicKey::Rsa { bits, .. } => assert_eq!(bits, 2048),
        other => panic!("{other:?}"),
    }
    sign_and_verify(generated.key, &again.dns_record());
}

#[test]
fn ed25519_keys_are_generated_from_a_seed() {
    let generated = keygen::ed25519([9; 32]);
    assert!(
        !format!("{generated:?}").contains("PRIVATE"),
        "no secret in Debug"
    );
    let record = generated.key.dns_record();
    sign_and_verify(generated.key, &record);
}
