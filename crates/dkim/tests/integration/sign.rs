//! Signing: round trips over the corpus's unsigned messages, both canonicalizations, whole and
//! streamed, and what the signature protects.

use futures::executor::block_on;
use mailroom_dkim::{
    Canonicalization, DkimResult, Error, Signer, SigningKey, Verifier, VerifyOptions,
};
use mailroom_dns::{Lookup, Mx, RecordData, Resolver, Txt, Zone};
use mailroom_testkit as kit;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;

const NOW: u64 = 1_700_000_000;

fn rsa_key() -> SigningKey {
    SigningKey::from_pem(&kit::read_text("dkim/dkimpy/2048_testkey.key")).unwrap()
}

fn setup(key: &SigningKey) -> Zone {
    let mut zone = Zone::new();
    zone.insert(
        "sel._domainkey.example.com",
        RecordData::Txt(Txt::new([key.dns_record()])),
    )
    .unwrap();
    zone
}

fn verify(zone: &Zone, message: &[u8]) -> Vec<DkimResult> {
    verify_with(&Verifier::default(), zone, message)
}

/// Each signature's result, from the given verifier and resolver.
fn verify_with(verifier: &Verifier, resolver: &impl Resolver, message: &[u8]) -> Vec<DkimResult> {
    block_on(verifier.verify(resolver, message, NOW))
        .iter()
        .map(|r| r.result)
        .collect()
}

#[test]
fn every_unsigned_corpus_message_round_trips() {
    let files = [
        "rfc6376.msg",
        "rfc6376.w1258.msg",
        "test.message",
        "test_extra.message",
        "ed25519test.msg",
        "message.mbox",
    ];
    let keys: [fn() -> SigningKey; 2] = [rsa_key, || SigningKey::ed25519_from_seed(&[5; 32])];
    for make_key in keys {
        for canon in [Canonicalization::Simple, Canonicalization::Relaxed] {
            let key = make_key();
            let zone = setup(&key);
            let algorithm = key.algorithm();
            let signer = Signer::new(key, "example.com", "sel")
                .unwrap()
                .canonicalization(canon, canon);
            for file in files {
                let message = kit::lf_to_crlf(&kit::read(&format!("dkim/dkimpy/{file}")));
                let header = signer.sign(&message, NOW).unwrap();
                let signed = [header.as_bytes(), &message].concat();
                let expected: &[DkimResult] = if file == "message.mbox" {
                    // It carries kitterman.com's 2011 signature, whose key is not in the corpus.
                    &[DkimResult::Pass, DkimResult::PermError]
                } else {
                    &[DkimResult::Pass]
                };
                assert_eq!(
                    verify(&zone, &signed),
                    expected,
                    "{algorithm} {canon} {file}"
                );
            }
        }
    }
}

#[test]
fn streaming_in_any_chunks_gives_the_same_signature_as_whole() {
    let key = SigningKey::ed25519_from_seed(&[8; 32]);
    let zone = setup(&key);
    let signer = Signer::new(key, "example.com", "sel").unwrap();
    let message = kit::lf_to_crlf(&kit::read("dkim/dkimpy/test.message"));
    let whole = signer.sign(&message, NOW).unwrap();
    for size in [1, 2, 3, 7, 64, 1000] {
        let mut stream = signer.stream();
        for chunk in message.chunks(size) {
            stream.update(chunk);
        }
        assert_eq!(stream.finish(NOW).unwrap(), whole, "chunk size {size}");

        let signed = [whole.as_bytes(), &message].concat();
        let mut verify = Verifier::default().stream();
        for chunk in signed.chunks(size) {
            verify.update(chunk);
        }
        let results = block_on(verify.finish(&zone, NOW));
        assert_eq!(results[0].result, DkimResult::Pass, "chunk size {size}");
    }
}

#[test]
fn oversigning_stops_added_headers() {
    let key = SigningKey::ed25519_from_seed(&[8; 32]);
    let zone = setup(&key);
    let signer = Signer::new(key, "example.com", "sel").unwrap();
    let message = b"From: a@example.com\r\nSubject: real\r\n\r\nbody\r\n";
    let header = signer.sign(message, NOW).unwrap();
    let signed = [header.as_bytes(), message].concat();
    assert_eq!(verify(&zone, &signed), [DkimResult::Pass]);
    // An attacker adds a second Subject below the signed one; bottom-up selection picks it.
    let mut forged = signed.clone();
    let body_at = forged.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 2;
    forged.splice(body_at..body_at, b"Subject: fake\r\n".iter().copied());
    assert_eq!(verify(&zone, &forged), [DkimResult::Fail]);
    // A Cc that was absent when signing cannot be added either.
    let mut with_cc = signed.clone();
    with_cc.splice(
        body_at..body_at,
        b"Cc: victim@example.net\r\n".iter().copied(),
    );
    assert_eq!(verify(&zone, &with_cc), [DkimResult::Fail]);
}

#[test]
fn h_lists_each_name_once_per_instance_and_oversigned_once_more() {
    let key = SigningKey::ed25519_from_seed(&[8; 32]);
    let signer = Signer::new(key, "example.com", "sel")
        .unwrap()
        .signed_headers(["To", "from", "to", "Subject", "Cc"])
        .oversigned_headers(["TO"]);
    let message = b"From: a@example.com\r\nTo: b@example.net\r\nSubject: s\r\nTo: c@example.net\r\n\r\nbody\r\n";
    let header = signer.sign(message, NOW).unwrap();
    let value = header.strip_prefix("DKIM-Signature:").unwrap();
    let signature = mailroom_dkim::Signature::parse(value).unwrap();
    // From first; To for both instances and once more; Cc, absent and not oversigned, not at all.
    assert_eq!(
        signature.signed_headers,
        ["from", "to", "to", "to", "subject"]
    );
}

#[test]
fn expiry_and_identity() {
    let key = SigningKey::ed25519_from_seed(&[8; 32]);
    let zone = setup(&key);
    let signer = Signer::new(key, "example.com", "sel")
        .unwrap()
        .expire_after(3600)
        .identity("joe@mail.example.com");
    let message = b"From: joe@example.com\r\n\r\nbody\r\n";
    let header = signer.sign(message, NOW).unwrap();
    assert!(header.contains(&format!("x={};", NOW + 3600)), "{header}");
    let signed = [header.as_bytes(), message].concat();
    let results = block_on(Verifier::default().verify(&zone, &signed, NOW + 60));
    assert_eq!(results[0].result, DkimResult::Pass);
    let late = block_on(Verifier::default().verify(&zone, &signed, NOW + 3601));
    assert_eq!(late[0].result, DkimResult::PermError);
    assert!(matches!(late[0].error, Some(Error::Expired { .. })));

    let outside = Signer::new(
        SigningKey::ed25519_from_seed(&[8; 32]),
        "example.com",
        "sel",
    )
    .unwrap()
    .identity("joe@example.org");
    assert!(matches!(
        outside.sign(message, NOW),
        Err(Error::IdentityOutsideDomain { .. })
    ));
}

#[test]
fn signature_limit() {
    let key = SigningKey::ed25519_from_seed(&[8; 32]);
    let zone = setup(&key);
    let signer = Signer::new(key, "example.com", "sel").unwrap();
    let mut message = b"From: a@example.com\r\n\r\nbody\r\n".to_vec();
    for _ in 0..3 {
        let header = signer.sign(&message, NOW).unwrap();
        message = [header.as_bytes(), &message].concat();
    }
    let verifier = Verifier::new(VerifyOptions::default().max_signatures(2));
    let results = verify_with(&verifier, &zone, &message);
    assert_eq!(
        results,
        [DkimResult::Pass, DkimResult::Pass, DkimResult::Policy]
    );
}

/// A zone that counts the key lookups made of it, and how many were waiting at once: each
/// lookup waits for one poll before it answers, so lookups made together are seen together.
struct Watched {
    zone: Zone,
    asked: AtomicUsize,
    waiting: AtomicUsize,
    most_waiting: AtomicUsize,
}

impl Watched {
    fn new(zone: Zone) -> Self {
        Self {
            zone,
            asked: AtomicUsize::new(0),
            waiting: AtomicUsize::new(0),
            most_waiting: AtomicUsize::new(0),
        }
    }
}

impl Resolver for Watched {
    async fn txt(&self, name: &str) -> Lookup<Txt> {
        self.txt_with_ttl(name).await.0
    }
    async fn txt_with_ttl(&self, name: &str) -> (Lookup<Txt>, Option<u32>) {
        self.asked.fetch_add(1, Ordering::SeqCst);
        let now = self.waiting.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_waiting.fetch_max(now, Ordering::SeqCst);
        let mut polled = false;
        std::future::poll_fn(|cx| {
            if std::mem::replace(&mut polled, true) {
                Poll::Ready(())
            } else {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        })
        .await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        self.zone.txt_with_ttl(name).await
    }
    fn a(&self, name: &str) -> impl Future<Output = Lookup<Ipv4Addr>> + Send {
        self.zone.a(name)
    }
    fn aaaa(&self, name: &str) -> impl Future<Output = Lookup<Ipv6Addr>> + Send {
        self.zone.aaaa(name)
    }
    fn mx(&self, name: &str) -> impl Future<Output = Lookup<Mx>> + Send {
        self.zone.mx(name)
    }
    fn ptr(&self, ip: IpAddr) -> impl Future<Output = Lookup<String>> + Send {
        self.zone.ptr(ip)
    }
}

#[test]
fn keys_are_looked_up_at_once_and_only_for_signatures_within_the_limit() {
    // Five signatures, each with its own selector, so no lookup can be shared.
    let mut zone = Zone::new();
    let mut message = b"From: a@example.com\r\n\r\nbody\r\n".to_vec();
    for n in 0..5u8 {
        let key = SigningKey::ed25519_from_seed(&[n; 32]);
        let selector = format!("s{n}");
        zone.insert(
            &format!("{selector}._domainkey.example.com"),
            RecordData::Txt(Txt::new([key.dns_record()])),
        )
        .unwrap();
        let header = Signer::new(key, "example.com", &selector)
            .unwrap()
            .sign(&message, NOW)
            .unwrap();
        message = [header.as_bytes(), &message].concat();
    }
    let watched = Watched::new(zone);
    let verifier = Verifier::new(VerifyOptions::default().max_signatures(3));
    let results = verify_with(&verifier, &watched, &message);
    assert_eq!(
        results,
        [
            DkimResult::Pass,
            DkimResult::Pass,
            DkimResult::Pass,
            DkimResult::Policy,
            DkimResult::Policy
        ]
    );
    // The two over the limit cost no query; the three within it were all asked before any
    // answer came.
    assert_eq!(watched.asked.load(Ordering::SeqCst), 3);
    assert_eq!(watched.most_waiting.load(Ordering::SeqCst), 3);
}

#[test]
fn dns_failures_are_temporary() {
    let key = SigningKey::ed25519_from_seed(&[8; 32]);
    let signer = Signer::new(key, "example.com", "sel").unwrap();
    let message = b"From: a@example.com\r\n\r\nbody\r\n";
    let signed = [signer.sign(message, NOW).unwrap().as_bytes(), message].concat();
    let zone = Zone::from_text("sel._domainkey.example.com. TIMEOUT").unwrap();
    assert_eq!(verify(&zone, &signed), [DkimResult::TempError]);
    assert_eq!(verify(&Zone::new(), &signed), [DkimResult::PermError]);
    let revoked =
        Zone::from_text("sel._domainkey.example.com. TXT \"v=DKIM1; k=ed25519; p=\"").unwrap();
    let results = block_on(Verifier::default().verify(&revoked, &signed, NOW));
    assert_eq!(results[0].error, Some(Error::KeyRevoked));
}

#[test]
fn key_records_over_the_size_cap_are_refused_unparsed() {
    // A record up to the cap (4096 octets by default) is read; one octet more is refused
    // before parsing, as permerror, unless the verifier is given a larger cap.
    let key = SigningKey::ed25519_from_seed(&[8; 32]);
    let published = key.dns_record();
    let record_of = |len: usize| {
        let head = format!("{published}; n=");
        let text = format!("{head}{}", "x".repeat(len - head.len()));
        // Character-strings of at most 255 octets, as DNS carries them.
        Txt::new(text.as_bytes().chunks(255))
    };
    let signer = Signer::new(key, "example.com", "sel").unwrap();
    let message = b"From: a@example.com\r\n\r\nbody\r\n";
    let signed = [signer.sign(message, NOW).unwrap().as_bytes(), message].concat();
    let zone_with = |record: Txt| {
        let mut zone = Zone::new();
        zone.insert("sel._domainkey.example.com", RecordData::Txt(record))
            .unwrap();
        zone
    };

    let at_cap = zone_with(record_of(mailroom_dkim::DEFAULT_MAX_KEY_RECORD_LEN));
    assert_eq!(verify(&at_cap, &signed), [DkimResult::Pass]);

    let over_cap = zone_with(record_of(mailroom_dkim::DEFAULT_MAX_KEY_RECORD_LEN + 1));
    let results = block_on(Verifier::default().verify(&over_cap, &signed, NOW));
    assert_eq!(results[0].result, DkimResult::PermError);
    assert_eq!(
        results[0].error,
        Some(Error::KeyRecordTooLarge {
            name: "sel._domainkey.example.com".into(),
            len: 4097,
            limit: 4096,
        })
    );
    let larger_cap = Verifier::new(VerifyOptions::default().max_key_record_len(8192));
    let results = block_on(larger_cap.verify(&over_cap, &signed, NOW));
    assert_eq!(results[0].result, DkimResult::Pass);
}

#[test]
fn testing_flag_is_reported() {
    let key = SigningKey::ed25519_from_seed(&[8; 32]);
    let mut zone = Zone::new();
    zone.insert(
        "sel._domainkey.example.com",
        RecordData::Txt(Txt::new([format!("{}; t=y", key.dns_record())])),
    )
    .unwrap();
    let signer = Signer::new(key, "example.com", "sel").unwrap();
    let message = b"From: a@example.com\r\n\r\nbody\r\n";
    let signed = [signer.sign(message, NOW).unwrap().as_bytes(), message].concat();
    let results = block_on(Verifier::default().verify(&zone, &signed, NOW));
    assert_eq!(results[0].result, DkimResult::Pass);
    assert!(results[0].testing);
}

#[test]
fn internationalized_domains_are_looked_up_as_a_labels() {
    // RFC 8616 §4: d= may carry U-labels; the key is found under the A-label name.
    let key = SigningKey::ed25519_from_seed(&[12; 32]);
    let mut zone = Zone::new();
    zone.insert(
        "sel._domainkey.xn--bcher-kva.example",
        RecordData::Txt(Txt::new([key.dns_record()])),
    )
    .unwrap();
    let signer = Signer::new(key, "bücher.example", "sel").unwrap();
    let message = "From: Jörg <jörg@bücher.example>\r\nSubject: Grüße\r\n\r\nHallo.\r\n".as_bytes();
    let header = signer.sign(message, NOW).unwrap();
    assert!(header.contains("d=bücher.example;"), "{header}");
    let signed = [header.as_bytes(), message].concat();
    assert_eq!(verify(&zone, &signed), [DkimResult::Pass]);
}

#[test]
fn signer_refuses_names_that_are_not_domains() {
    for (domain, selector) in [
        ("example.com; foo=bar", "sel"),
        ("example.com", "s;x"),
        ("", "sel"),
        ("a..b", "sel"),
    ] {
        let made = Signer::new(SigningKey::ed25519_from_seed(&[1; 32]), domain, selector);
        assert!(
            matches!(made, Err(Error::InvalidTag { .. })),
            "{domain:?} {selector:?}"
        );
    }
}

#[test]
fn a_verifier_keeps_keys_for_the_ttl_of_their_answer() {
    let key = SigningKey::ed25519_from_seed(&[9; 32]);
    let zone = Zone::from_text(&format!(
        "sel._domainkey.example.com. 300 TXT \"{}\"",
        key.dns_record()
    ))
    .unwrap();
    let counting = kit::CountingZone::new(zone);
    let signer = Signer::new(key, "example.com", "sel").unwrap();
    let signed = signer
        .sign(b"From: a@example.com\r\n\r\nhi\r\n", NOW)
        .unwrap();
    let signed = [signed.as_bytes(), b"From: a@example.com\r\n\r\nhi\r\n"].concat();
    let verifier = Verifier::default();
    let verify = |now| block_on(verifier.clone().verify(&counting, &signed, now))[0].result;
    assert_eq!(verify(NOW), DkimResult::Pass);
    assert_eq!(counting.take_count(), 1);
    assert_eq!(verify(NOW + 299), DkimResult::Pass);
    assert_eq!(counting.take_count(), 0, "kept for the answer's 300 s");
    assert_eq!(verify(NOW + 300), DkimResult::Pass);
    assert_eq!(counting.take_count(), 1);
}
