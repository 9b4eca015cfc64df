//! DKIM sign and verify, RSA-2048 and Ed25519, relaxed and simple: Mailroom, mail-auth on the
//! same inputs, and the bare primitives of the same backend. Three messages: 4 KiB and 1 MiB of
//! text with white space for relaxed to change on nearly every line, and 1 MiB that is mostly a
//! base64 attachment, as large mail usually is. Each row is also measured paired (`paired`):
//! the three run in turn, iteration by iteration, and the tables in `README.md` come from those
//! ratios.
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

use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
};
use futures::executor::block_on;
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::dkim::{Canonicalization as MaCanon, DkimSigner};
use mail_auth::{AuthenticatedMessage, MessageAuthenticator, Parameters, ResolverCache, Txt};
use mailroom_benches::backend;
use mailroom_dkim::{
    Canonicalization, DkimResult, Signature, Signer, SigningKey, Verifier, canonicalize_header,
    raw_header_fields,
};
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
    let bare = Bare::new();

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
                let name = format!("dkim/{label}/{}/{canon_name}", alg.name());
                let mut group = c.benchmark_group(&name);
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
                let our_verify = || block_on(verifier.verify(&zone, black_box(&ours), NOW));
                let their_verify = || {
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
                };
                group.bench_function("mailroom/verify", |b| b.iter(our_verify));
                group.bench_function("mail-auth/verify", |b| b.iter(their_verify));
                // The same three ways side by side, for the ratios in the tables. For 1 MiB
                // the floor is the signature operation and SHA-256 of the message.
                let with_sha = |op: &dyn Fn()| {
                    op();
                    if label != "4KiB" {
                        black_box(bare.sha256(&base));
                    }
                };
                // The bare operations sign and verify what this message's signature signs, and
                // verify that very signature: Ed25519 verification takes longer or shorter with
                // the signature (by 2% between two seen here), and RSA hashes the header data.
                let signed = SignedInput::of(&ours, alg);
                bare.verify(alg, &signed);
                paired(
                    &mut group,
                    &format!("{name}/sign"),
                    [
                        &mut || drop(black_box(signer.sign(black_box(&base), NOW).unwrap())),
                        &mut || drop(black_box(their_signer(black_box(&base)))),
                        &mut || with_sha(&|| bare.sign(alg, &signed.data)),
                    ],
                );
                paired(
                    &mut group,
                    &format!("{name}/verify"),
                    [
                        &mut || drop(black_box(our_verify())),
                        &mut || their_verify(),
                        &mut || with_sha(&|| bare.verify(alg, &signed)),
                    ],
                );
                group.finish();
            }
        }
        primitives(c, &bare, label, &base);
    }
}

/// The bare operations of the backend in use, on the same bytes: what a DKIM operation cannot
/// be faster than.
fn primitives(c: &mut Criterion, bare: &Bare, label: &str, bytes: &[u8]) {
    let mut group = c.benchmark_group(format!("primitives/{}", backend::NAME));
    group.bench_function(BenchmarkId::new("sha256", label), |b| {
        b.iter(|| bare.sha256(bytes));
    });
    if label == "4KiB" {
        for alg in [Alg::Rsa, Alg::Ed25519] {
            let fixed = bare.fixed_input(alg);
            group.bench_function(format!("{}/sign", alg.name()), |b| {
                b.iter(|| bare.sign(alg, &fixed.data));
            });
            group.bench_function(format!("{}/verify", alg.name()), |b| {
                b.iter(|| bare.verify(alg, &fixed));
            });
        }
    }
    group.finish();
}

/// The bare operations of the backend, with keys made once.
struct Bare {
    rng: backend::rand::SystemRandom,
    rsa: backend::signature::RsaKeyPair,
    rsa_public: backend::signature::UnparsedPublicKey<Vec<u8>>,
    ed: backend::signature::Ed25519KeyPair,
    ed_public: backend::signature::UnparsedPublicKey<Vec<u8>>,
}

/// The length of an RSA-2048 signature.
const RSA_SIGNATURE_LEN: usize = 256;

/// What a bare operation signs, and a signature of it.
struct SignedInput {
    /// For RSA the signed header data itself (the backend hashes it); for Ed25519 its SHA-256
    /// digest (RFC 8463).
    data: Vec<u8>,
    signature: Vec<u8>,
}

impl SignedInput {
    /// The input of the DKIM-Signature that `message` starts with (RFC 6376 §3.7): the fields
    /// `h=` names, chosen from the bottom up, then the signature field with `b=` empty, in its
    /// header canonicalization. Built with the crate's public pieces; the bare verify of it
    /// (which the bench asserts) shows it is right.
    fn of(message: &[u8], alg: Alg) -> Self {
        let header_end = message.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 2;
        let fields: Vec<&[u8]> = raw_header_fields(&message[..header_end]).collect();
        let field = std::str::from_utf8(fields[0]).unwrap();
        let signature = Signature::parse(field.split_once(':').unwrap().1).unwrap();
        let canonicalization = signature.header_canonicalization;
        let mut data = Vec::new();
        let mut used = vec![false; fields.len()];
        for name in signature.signed_headers.iter() {
            let named = |f: &[u8]| {
                f.len() > name.len()
                    && f[..name.len()].eq_ignore_ascii_case(name.as_bytes())
                    && f[name.len()] == b':'
            };
            if let Some(i) = (1..fields.len())
                .rev()
                .find(|&i| !used[i] && named(fields[i]))
            {
                used[i] = true;
                canonicalize_header(canonicalization, fields[i], &mut data);
            }
        }
        // b= is the last tag: the last "b=" after a separator starts its value.
        let b_value = field
            .rmatch_indices("b=")
            .map(|(at, _)| at)
            .find(|&at| at > 0 && matches!(field.as_bytes()[at - 1], b';' | b' ' | b'\t'))
            .unwrap()
            + 2;
        canonicalize_header(canonicalization, &field.as_bytes()[..b_value], &mut data);
        let data = match alg {
            Alg::Rsa => data,
            Alg::Ed25519 => backend::digest::digest(&backend::digest::SHA256, &data)
                .as_ref()
                .to_vec(),
        };
        Self {
            data,
            signature: signature.signature,
        }
    }
}

impl Bare {
    fn new() -> Self {
        use backend::signature::{self, Ed25519KeyPair, KeyPair, RsaKeyPair, UnparsedPublicKey};
        let der = PrivatePkcs8KeyDer::from_pem_slice(rsa_pem().as_bytes()).unwrap();
        let rsa = RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).unwrap();
        let rsa_public = UnparsedPublicKey::new(
            &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
            rsa.public_key().as_ref().to_vec(),
        );
        let ed = Ed25519KeyPair::from_seed_unchecked(&ED25519_SEED).unwrap();
        let ed_public =
            UnparsedPublicKey::new(&signature::ED25519, ed.public_key().as_ref().to_vec());
        Self {
            rng: backend::rand::SystemRandom::new(),
            rsa,
            rsa_public,
            ed,
            ed_public,
        }
    }

    /// An input of the usual size for the `primitives` group: 300 octets of header data for
    /// RSA, a digest for Ed25519.
    fn fixed_input(&self, alg: Alg) -> SignedInput {
        let (data, signature) = match alg {
            Alg::Rsa => {
                let data = vec![0; 300];
                let mut signature = vec![0; RSA_SIGNATURE_LEN];
                self.rsa_sign(&data, &mut signature);
                (data, signature)
            }
            Alg::Ed25519 => {
                let data = vec![7; 32];
                let signature = self.ed.sign(&data).as_ref().to_vec();
                (data, signature)
            }
        };
        SignedInput { data, signature }
    }

    fn sign(&self, alg: Alg, data: &[u8]) {
        match alg {
            Alg::Rsa => {
                let mut out = [0u8; RSA_SIGNATURE_LEN];
                self.rsa_sign(black_box(data), &mut out);
                black_box(out);
            }
            Alg::Ed25519 => drop(black_box(self.ed.sign(black_box(data)))),
        }
    }

    fn rsa_sign(&self, data: &[u8], out: &mut [u8]) {
        self.rsa
            .sign(&backend::signature::RSA_PKCS1_SHA256, &self.rng, data, out)
            .unwrap();
    }

    /// Verifies, and panics if the signature does not verify.
    fn verify(&self, alg: Alg, input: &SignedInput) {
        let public = match alg {
            Alg::Rsa => &self.rsa_public,
            Alg::Ed25519 => &self.ed_public,
        };
        public
            .verify(black_box(&input.data), &input.signature)
            .unwrap();
    }

    fn sha256(&self, bytes: &[u8]) -> backend::digest::Digest {
        backend::digest::digest(&backend::digest::SHA256, black_box(bytes))
    }
}

/// Runs Mailroom, mail-auth and the bare operation (in that order of `ops`) in turn, iteration
/// by iteration, each timed on its own, and prints the median time of each and the medians of
/// the per-iteration ratios as a `paired` line (which `tables.py` reads).
///
/// Benches run one after another drift apart by a few percent on a shared machine, more than
/// some of the differences measured here; three operations timed within the same
/// hundred-odd microseconds share the machine's moment, so the drift cancels in their ratios.
/// The order rotates, so none always runs first.
#[allow(clippy::print_stdout)] // The paired line is this bench's output.
fn paired(group: &mut BenchmarkGroup<'_, WallTime>, row: &str, mut ops: [&mut dyn FnMut(); 3]) {
    let mut times: Vec<[f64; 3]> = Vec::new();
    let mut first = 0;
    let op = row.rsplit('/').next().unwrap_or(row);
    group.bench_function(format!("paired/{op}"), |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                let mut took = [0.0; 3];
                first = (first + 1) % 3;
                for k in 0..3 {
                    let which = (first + k) % 3;
                    let at = Instant::now();
                    (ops[which])();
                    took[which] = at.elapsed().as_secs_f64() * 1e6;
                }
                times.push(took);
            }
            start.elapsed()
        });
    });
    if times.is_empty() {
        // Filtered out of this run.
        return;
    }
    let median = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let column = |i: usize| median(times.iter().map(|t| t[i]).collect());
    let ratio = |a: usize, b: usize| median(times.iter().map(|t| t[a] / t[b]).collect());
    println!(
        "paired {row} mailroom={:.3}us mail-auth={:.3}us bare={:.3}us \
         mailroom/bare={:.4} mail-auth/bare={:.4} mailroom/mail-auth={:.4} n={}",
        column(0),
        column(1),
        column(2),
        ratio(0, 2),
        ratio(1, 2),
        ratio(0, 1),
        times.len(),
    );
}

criterion_group! { name = benches; config = mailroom_benches::criterion_config(); targets = dkim }
criterion_main!(benches);
