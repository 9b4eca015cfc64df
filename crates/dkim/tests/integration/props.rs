//! Properties: sign→verify round trips on arbitrary messages, relaxed canonicalization ignoring
//! what it should, any body change detected, and hostile input never panicking.

use futures::executor::block_on;
use mailroom_dkim::{Canonicalization, DkimResult, Signer, SigningKey, Verifier, fuzzing};
use mailroom_dns::{RecordData, Txt, Zone};
use proptest::prelude::*;

const NOW: u64 = 1_700_000_000;

fn zone_and_signer(canon: Canonicalization) -> (Zone, Signer) {
    let key = SigningKey::ed25519_from_seed(&[11; 32]);
    let mut zone = Zone::new();
    zone.insert(
        "p._domainkey.example.com",
        RecordData::Txt(Txt::new([key.dns_record()])),
    )
    .unwrap();
    let signer = Signer::new(key, "example.com", "p")
        .unwrap()
        .canonicalization(canon, canon);
    (zone, signer)
}

fn verify(zone: &Zone, message: &[u8]) -> DkimResult {
    block_on(Verifier::default().verify(zone, message, NOW))[0].result
}

/// A header section with From and some other fields; values of printable ASCII and spaces.
fn header() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec(
        (
            prop_oneof![
                Just("To"),
                Just("Subject"),
                Just("Date"),
                Just("X-Thing"),
                Just("Cc")
            ],
            "[ -~]{0,40}",
        ),
        0..6,
    )
    .prop_map(|mut fields| {
        fields.insert(0, ("From", "a@example.com".to_owned()));
        fields.into_iter().map(|(n, v)| (n.to_owned(), v)).collect()
    })
}

/// Text with single spaces and line ends, and now and then two spaces or a space before CR.
fn sparse() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![80 => Just(b'a'), 5 => Just(b' '), 1 => Just(b'\r'), 1 => Just(b'\n')],
        0..700,
    )
}

/// Text with white space nearly everywhere.
fn dense() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            Just(b'a'),
            Just(b' '),
            Just(b'\t'),
            Just(b'\r'),
            Just(b'\n')
        ],
        0..300,
    )
}

/// Body lines of printable ASCII, spaces and tabs.
fn body() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec("[ -~\t]{0,60}", 0..12)
}

fn message(header: &[(String, String)], body: &[String]) -> Vec<u8> {
    let mut out = String::new();
    for (name, value) in header {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    for line in body {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn sign_then_verify(header in header(), body in body(), relaxed in any::<bool>()) {
        let canon = if relaxed { Canonicalization::Relaxed } else { Canonicalization::Simple };
        let (zone, signer) = zone_and_signer(canon);
        let message = message(&header, &body);
        let signed = [signer.sign(&message, NOW).unwrap().as_bytes(), &message].concat();
        prop_assert_eq!(verify(&zone, &signed), DkimResult::Pass);
    }

    #[test]
    fn relaxed_ignores_white_space_case_and_trailing_lines(
        header in header(), body in body(), extra_lines in 0usize..4,
    ) {
        let (zone, signer) = zone_and_signer(Canonicalization::Relaxed);
        let original = message(&header, &body);
        let signature = signer.sign(&original, NOW).unwrap();
        // What relaxed must not see: header name case, space around the colon and in values,
        // folding; body trailing white space, doubled spaces, and empty lines at the end.
        let header: Vec<(String, String)> = header
            .into_iter()
            .map(|(n, v)| (format!("{} ", n.to_uppercase()), format!("\t{}\r\n  ", v.replace(' ', "  "))))
            .collect();
        let mut body: Vec<String> = body.into_iter().map(|l| format!("{} \t", l.replace(' ', " \t"))).collect();
        body.extend(std::iter::repeat_n(String::new(), extra_lines));
        let changed = message(&header, &body);
        let signed = [signature.as_bytes(), &changed].concat();
        prop_assert_eq!(verify(&zone, &signed), DkimResult::Pass);
    }

    #[test]
    fn any_changed_body_byte_fails(body in body(), at in any::<prop::sample::Index>(), byte in 0x21u8..0x7f) {
        let (zone, signer) = zone_and_signer(Canonicalization::Simple);
        let mut body = body;
        body.push("the last line".to_owned());
        let original = message(&[("From".into(), "a@example.com".into())], &body);
        let signature = signer.sign(&original, NOW).unwrap();
        let body_start = original.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let mut changed = original.clone();
        let i = body_start + at.index(changed.len() - body_start);
        prop_assume!(changed[i] != byte && changed[i] != b'\r' && changed[i] != b'\n');
        changed[i] = byte;
        let signed = [signature.as_bytes(), &changed].concat();
        prop_assert_eq!(verify(&zone, &signed), DkimResult::Fail);
    }

    #[test]
    fn signature_values_round_trip(value in r"v=1; a=(rsa|ed25519)-sha256; c=(simple|relaxed)(/(simple|relaxed))?; d=[a-z]{1,10}\.example; s=[a-z0-9]{1,8}; h=from(:[a-z\-]{1,12}){0,8}; (i=[a-z]{0,5}@[a-z]{1,4}\.[a-z]{1,10}\.example; )?(t=[0-9]{1,10}; )?bh=[A-Za-z0-9+/]{4,44}; b=[A-Za-z0-9+/]{0,100}") {
        fuzzing::signature(value.as_bytes());
    }

    #[test]
    fn any_bytes_as_signature_or_key(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        fuzzing::signature(&data);
        fuzzing::key_record(&data);
        fuzzing::private_key(&data);
    }

    #[test]
    fn header_canonicalization_is_idempotent_and_blind_to_ignored_white_space(
        data in proptest::collection::vec(prop_oneof![Just(b'\r'), Just(b'\n'), Just(b' '), Just(b'\t'), Just(b':'), Just(b'A'), Just(b'b'), any::<u8>()], 0..120),
    ) {
        fuzzing::header(&data);
    }

    /// Fields as they usually are, words and spaces, now and then two spaces in a row or a
    /// tab or a fold, so both the plain copy and the unfolding are compared with the reference.
    #[test]
    fn header_fields_of_words_canonicalize_as_the_rfc_words_it(
        field in "[A-Za-z-]{1,10}[ \t]?:([ ]{1,3}[!-~]{0,6}|\t|\r\n ){0,10}[ \t]{0,2}(\r\n)?",
    ) {
        fuzzing::header(field.as_bytes());
    }

    #[test]
    fn body_canonicalization_is_chunk_independent_and_idempotent(data in proptest::collection::vec(prop_oneof![Just(b'\r'), Just(b'\n'), Just(b' '), Just(b'\t'), Just(b'a')], 0..200)) {
        fuzzing::body(&data);
    }

    /// Longer bodies made of stretches where white space that relaxed changes is rare and
    /// stretches where it is everywhere, so the canonicalizer switches between its two ways of
    /// finding it, across 64-octet blocks.
    #[test]
    fn long_bodies_canonicalize_as_the_rfc_words_it(
        stretches in proptest::collection::vec(prop_oneof![sparse(), dense()], 0..8),
    ) {
        fuzzing::body(&stretches.concat());
    }

    /// Bodies from a few times the body hash's first buffer (4 KiB) to past the 32 KiB one it
    /// grows to, so its pieces end at every place near a buffer's end.
    #[test]
    fn bodies_longer_than_the_hash_buffer_hash_as_the_rfc_words_it(
        dense in dense(), sparse in sparse(), times in 8usize..120,
    ) {
        let stretch = [dense, sparse].concat();
        fuzzing::body(&stretch.repeat(times));
    }

    #[test]
    fn any_message_verifies_without_panic(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        fuzzing::verify(&data);
        let mut with_signature = b"DKIM-Signature: v=1; a=rsa-sha256; d=x; s=y; h=from; bh=AA==; b=AA==\r\n".to_vec();
        with_signature.extend_from_slice(&data);
        fuzzing::verify(&with_signature);
    }
}
