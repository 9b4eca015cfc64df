//! DKIM sign and verify, RSA-2048 and Ed25519, relaxed and simple: Mailroom, mail-auth on the
//! same inputs, and the bare primitives of the same backend. Three messages: 4 KiB and 1 MiB of
//! text with white space for relaxed to change on nearly every line, and 1 MiB that is mostly a
//! base64 attachment, as large mail usually is.
//!
//! `cargo bench -p mailroom-benches --bench dkim` runs on ring;
//! `cargo bench -p mailroom-benches --bench dkim --features aws-lc-rs` on aws-lc-rs.
#![allow(clippy::unwrap_used, clippy::expect_used)] // rust-clippy#11119

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::hint::black_box;
use std::sync::Mutex;
use std::time::Instant;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use futures::executor::block_on;
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::dkim::{Canonicalization as MaCanon, DkimSigner};
use mail_auth::{AuthenticatedMessage, MessageAuthenticator, Parameters, ResolverCache, Txt};
use mailroom_benches::backend;
use mailroom_dkim::{Canonicalization, DkimResult, Signer, SigningKey, Verifier};
use mailroom_dns::{RecordData, Txt as ZoneTxt, Zone};
use rustls_pki_types::PrivatePkcs8KeyDer;
use rustls_pki_types::pem::PemObject;

/// The RSA-2048 PKCS#8 key of the dkimpy corpus.
fn rsa_pem() -> String {
    mailroom_testkit::read_text("dkim/dkimpy/2048_testkey_PKCS8.key")
}
const ED25519_SEED: [u8; 32] = [0x9d; 32];
const NOW: u64 = 1_700_000_000;

/// A message of about `size` octets: the headers a mail client writes and a text body with the
/// odd double space and tab, so relaxed canonicalization has work to do.
fn message(size: usize) -> Vec<u8> {
    let mut out = b"From: Joe SixPack <joe@example.com>\r\nTo: Suzie Q <suzie@example.net>\r\n\
Subject: Is dinner ready?\r\nDate: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n\
Message-ID: <20030712040037.46341.5F8J@example.com>\r\nMIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\n"
        .to_vec();
    let words = [
        "dinner", "is", "ready", "at", "seven,", "bring", "the", "wine", "and", "cheese.",
    ];
    let mut line = 0usize;
    while out.len() < size {
        let mut text = String::new();
        for i in 0..11 {
            text.push_str(words[(line * 7 + i) % words.len()]);
            text.push_str(match (line + i) % 17 {
                0 => "  ",
                5 => "\t",
                _ => " ",
            });
        }
        text.push_str("\r\n");
        out.extend_from_slice(text.as_bytes());
        line += 1;
    }
    out
}

/// A message of about `size` octets as large mail usually is: a short text part and a base64
/// attachment (RFC 2045 §6.8: lines of 76 characters), which relaxed canonicalization leaves as
/// it is.
fn attachment_message(size: usize) -> Vec<u8> {
    use base64::Engine;
    let mut out = b"From: Joe SixPack <joe@example.com>\r\nTo: Suzie Q <suzie@example.net>\r\n\
Subject: The photos\r\nDate: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n\
Message-ID: <20030712040037.46341.5F8K@example.com>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nHere are the photos from Saturday.\r\n\r\n\
--b1\r\nContent-Type: image/jpeg; name=\"photos.jpg\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n"
        .to_vec();
    // Bytes that look random, so the encoding has no runs (xorshift64).
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let raw: Vec<u8> = (0..size * 3 / 4)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect();
    let encoded = base64::engine::general_purpose::STANDARD.encode(raw);
    for line in encoded.as_bytes().chunks(76) {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"--b1--\r\n");
    out
}

/// mail-auth's cache of parsed key records, filled once: it is handed parsed keys, as in its
/// own production use.
struct KeyCache(Mutex<HashMap<Box<str>, Txt>>);

impl ResolverCache<Box<str>, Txt> for KeyCache {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().unwrap().get(name).cloned()
    }
    fn remove<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().unwrap().remove(name)
    }
    fn insert(&self, key: Box<str>, value: Txt, _: Instant) {
        self.0.lock().unwrap().insert(key, value);
    }
}

#[derive(Clone, Copy)]
enum Alg {
    Rsa,
    Ed25519,
}

impl Alg {
    fn name(self) -> &'static str {
        match self {
            Self::Rsa => "rsa-2048",
            Self::Ed25519 => "ed25519",
        }
    }
}

fn our_signer(alg: Alg, canon: Canonicalization) -> Signer {
    let key = match alg {
        Alg::Rsa => SigningKey::from_pem(&rsa_pem()).unwrap(),
        Alg::Ed25519 => SigningKey::ed25519_from_seed(&ED25519_SEED),
    };
    // The same header list for both implementations: sign what mail-auth signs.
    Signer::new(key, "example.com", "sel")
        .unwrap()
        .canonicalization(canon, canon)
        .signed_headers(["From", "To", "Subject", "Date", "Message-ID"])
        .oversigned_headers::<&str>([])
}

/// Signs a message with mail-auth and returns the DKIM-Signature field.
type MailAuthSign = Box<dyn Fn(&[u8]) -> String>;

/// mail-auth's signer for the algorithm, built once (keys parsed outside the measured loop, as
/// Mailroom's signer is), with the same header list.
fn mail_auth_signer(alg: Alg, canon: MaCanon) -> MailAuthSign {
    match alg {
        Alg::Rsa => mail_auth_signer_with(
            RsaKey::<Sha256>::from_key_der(
                rustls_pki_types::PrivateKeyDer::from_pem_slice(rsa_pem().as_bytes()).unwrap(),
            )
            .unwrap(),
            canon,
        ),
        Alg::Ed25519 => {
            let public = SigningKey::ed25519_from_seed(&ED25519_SEED).public_key();
            mail_auth_signer_with(
                Ed25519Key::from_seed_and_public_key(&ED25519_SEED, &public).unwrap(),
                canon,
            )
        }
    }
}

fn mail_auth_signer_with<K: mail_auth::common::crypto::SigningKey + 'static>(
    key: K,
    canon: MaCanon,
) -> MailAuthSign {
    let signer = DkimSigner::from_key(key)
        .domain("example.com")
        .selector("sel")
        .headers(["From", "To", "Subject", "Date", "Message-ID"])
        .header_canonicalization(canon)
        .body_canonicalization(canon);
    Box::new(move |message| signer.sign(message).unwrap().to_header())
}

fn dkim(c: &mut Criterion) {
    let rsa_record = SigningKey::from_pem(&rsa_pem()).unwrap().dns_record();
    let ed_record = SigningKey::ed25519_from_seed(&ED25519_SEED).dns_record();
    let record_for = |alg: Alg| match alg {
        Alg::Rsa => rsa_record.clone(),
        Alg::Ed25519 => ed_record.clone(),
    };
    let authenticator = MessageAuthenticator::new_cloudflare().unwrap();

    for (label, base) in [
        ("4KiB", message(4 * 1024)),
        ("1MiB", message(1024 * 1024)),
        ("1MiB-attachment", attachment_message(1024 * 1024)),
    ] {
        for alg in [Alg::Rsa, Alg::Ed25519] {
            // One selector per algorithm at a time: the zone and cache hold the current key.
            let mut zone = Zone::new();
            zone.insert(
                "sel._domainkey.example.com",
                RecordData::Txt(ZoneTxt::new([record_for(alg)])),
            )
            .unwrap();
            let key_cache = KeyCache(Mutex::new(HashMap::from([(
                Box::<str>::from("sel._domainkey.example.com."),
                Txt::from(DomainKey::parse(record_for(alg).as_bytes()).unwrap()),
            )])));
            // A verifier keeps the key it found at a name for the answer's TTL: one per zone.
            let verifier = Verifier::default();
            for (canon, ma_canon, canon_name) in [
                (Canonicalization::Relaxed, MaCanon::Relaxed, "relaxed"),
                (Canonicalization::Simple, MaCanon::Simple, "simple"),
            ] {
                let mut group =
                    c.benchmark_group(format!("dkim/{label}/{}/{canon_name}", alg.name()));
                group.throughput(Throughput::Bytes(base.len() as u64));
                let signer = our_signer(alg, canon);
                group.bench_function("mailroom/sign", |b| {
                    b.iter(|| signer.sign(black_box(&base), NOW).unwrap());
                });
                let their_signer = mail_auth_signer(alg, ma_canon);
                group.bench_function("mail-auth/sign", |b| {
                    b.iter(|| their_signer(black_box(&base)));
                });
                let ours = [signer.sign(&base, NOW).unwrap().as_bytes(), &base].concat();
                let theirs = [their_signer(&base).as_bytes(), &base].concat();
                assert_eq!(
                    block_on(verifier.verify(&zone, &ours, NOW))[0].result,
                    DkimResult::Pass
                );
                assert_eq!(
                    block_on(verifier.verify(&zone, &theirs, NOW))[0].result,
                    DkimResult::Pass
                );
                group.bench_function("mailroom/verify", |b| {
                    b.iter(|| block_on(verifier.verify(&zone, black_box(&ours), NOW)));
                });
                group.bench_function("mail-auth/verify", |b| {
                    b.iter(|| {
                        let message = AuthenticatedMessage::parse(black_box(&ours)).unwrap();
                        let output = block_on(
                            authenticator
                                .verify_dkim(Parameters::new(&message).with_txt_cache(&key_cache)),
                        );
                        assert!(
                            output
                                .iter()
                                .all(|o| *o.result() == mail_auth::DkimResult::Pass)
                        );
                    });
                });
                group.finish();
            }
        }
        primitives(c, label, &base);
    }
}

/// The bare operations of the backend in use, on the same bytes: what a DKIM operation cannot
/// be faster than.
fn primitives(c: &mut Criterion, label: &str, bytes: &[u8]) {
    use backend::rand::SystemRandom;
    use backend::signature::{self, Ed25519KeyPair, KeyPair, RsaKeyPair, UnparsedPublicKey};
    let rng = SystemRandom::new();
    let mut group = c.benchmark_group(format!("primitives/{}", backend::NAME));
    group.bench_function(BenchmarkId::new("sha256", label), |b| {
        b.iter(|| backend::digest::digest(&backend::digest::SHA256, black_box(bytes)));
    });
    if label == "4KiB" {
        let der = PrivatePkcs8KeyDer::from_pem_slice(rsa_pem().as_bytes()).unwrap();
        let rsa = RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).unwrap();
        let digest_input = [0u8; 300];
        let mut sig = vec![0u8; 256];
        group.bench_function("rsa-2048/sign", |b| {
            b.iter(|| {
                rsa.sign(
                    &signature::RSA_PKCS1_SHA256,
                    &rng,
                    black_box(&digest_input),
                    &mut sig,
                )
                .unwrap();
            });
        });
        rsa.sign(&signature::RSA_PKCS1_SHA256, &rng, &digest_input, &mut sig)
            .unwrap();
        let public = UnparsedPublicKey::new(
            &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
            rsa.public_key().as_ref().to_vec(),
        );
        group.bench_function("rsa-2048/verify", |b| {
            b.iter(|| public.verify(black_box(&digest_input), &sig).unwrap());
        });
        let ed = Ed25519KeyPair::from_seed_unchecked(&ED25519_SEED).unwrap();
        let hash = [7u8; 32];
        group.bench_function("ed25519/sign", |b| b.iter(|| ed.sign(black_box(&hash))));
        let ed_sig = ed.sign(&hash);
        let ed_public =
            UnparsedPublicKey::new(&signature::ED25519, ed.public_key().as_ref().to_vec());
        group.bench_function("ed25519/verify", |b| {
            b.iter(|| ed_public.verify(black_box(&hash), ed_sig.as_ref()).unwrap());
        });
    }
    group.finish();
}

criterion_group! { name = benches; config = mailroom_benches::criterion_config(); targets = dkim }
criterion_main!(benches);
