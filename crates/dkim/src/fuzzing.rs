//! Fuzz bodies, shared by the cargo-fuzz targets in `fuzz/` and the proptest properties.

use crate::canon::{BodyCanonicalizer, Kernels, canonicalize_header};
use crate::crypto::Sha256;
use crate::hash::BodyHasher;
use crate::signature::{Canonicalization, Signature};
use crate::{KeyRecord, SigningKey, Verifier};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

/// A DKIM-Signature value: parsing never panics, and what parses renders and parses back equal.
pub fn signature(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(sig) = Signature::parse(text) {
        let header = sig.to_header();
        let value = header.strip_prefix("DKIM-Signature:").unwrap_or(&header);
        assert_eq!(Signature::parse(value).as_ref(), Ok(&sig), "{header}");
    }
}

/// A key record: parsing never panics.
pub fn key_record(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = KeyRecord::parse(text);
    }
}

/// A private key file: reading never panics, and an Ed25519 seed (the first 32 octets, when
/// there are as many) reads back as the same key from either base64 form, alone or with its
/// public key.
pub fn private_key(data: &[u8]) {
    let _ = SigningKey::from_key_file(data);
    let Some(seed) = data.first_chunk::<32>() else {
        return;
    };
    let public = SigningKey::ed25519_from_seed(seed).public_key();
    let read = |raw: &[u8]| {
        SigningKey::from_key_file(BASE64.encode(raw).as_bytes()).map(|key| key.public_key())
    };
    assert_eq!(read(seed), Ok(public.clone()));
    assert_eq!(read(&[&seed[..], &public].concat()), Ok(public));
}

/// Header field canonicalization (RFC 6376 §3.4.1, §3.4.2): never panics; simple changes
/// nothing; relaxed equals a plain reading of §3.4.2 and gives a lower-case name, a colon, and a value without CR, LF, tabs, leading,
/// trailing or doubled spaces; relaxed of relaxed changes nothing; and the white space relaxed
/// ignores (a run for a space, folding, space around the colon and at the ends) changes nothing.
pub fn header(data: &[u8]) {
    let canon = |canonicalization, field: &[u8]| {
        let mut out = Vec::new();
        canonicalize_header(canonicalization, field, &mut out);
        out
    };
    assert_eq!(canon(Canonicalization::Simple, data), data);
    let relaxed = canon(Canonicalization::Relaxed, data);
    assert_eq!(relaxed, reference_header(data), "{data:?}");
    let (line, crlf) = match relaxed.strip_suffix(b"\r\n") {
        Some(line) => (line, true),
        None => (&relaxed[..], false),
    };
    assert_eq!(crlf, data.ends_with(b"\r\n"), "{relaxed:?}");
    let Some(colon) = memchr::memchr(b':', line) else {
        panic!("no colon in relaxed output {relaxed:?}");
    };
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    assert!(!name.iter().any(u8::is_ascii_uppercase), "{relaxed:?}");
    assert!(
        !name.ends_with(b" ") && !name.ends_with(b"\t"),
        "{relaxed:?}"
    );
    assert!(
        !value.iter().any(|c| matches!(c, b'\r' | b'\n' | b'\t')),
        "{relaxed:?}"
    );
    assert!(
        !value.starts_with(b" ") && !value.ends_with(b" "),
        "{relaxed:?}"
    );
    assert!(!value.windows(2).any(|w| w == b"  "), "{relaxed:?}");
    assert_eq!(canon(Canonicalization::Relaxed, &relaxed), relaxed);

    // The same field with its white space written another way: each space after the colon a
    // folded run, and white space around the colon and at the end of the value.
    let Some(at) = memchr::memchr(b':', data) else {
        return;
    };
    let body = data.strip_suffix(b"\r\n").unwrap_or(data);
    let mut respaced = data[..at].to_vec();
    respaced.extend_from_slice(b" \t: ");
    for &c in &body[at + 1..] {
        match c {
            b' ' => respaced.extend_from_slice(b"\t\r\n  "),
            c => respaced.push(c),
        }
    }
    respaced.extend_from_slice(b" \t");
    if crlf {
        respaced.extend_from_slice(b"\r\n");
    }
    assert_eq!(
        canon(Canonicalization::Relaxed, &respaced),
        relaxed,
        "{data:?}"
    );
}

/// Relaxed header canonicalization as §3.4.2 words it, step by step, with no regard for speed.
fn reference_header(field: &[u8]) -> Vec<u8> {
    let (field, crlf) = match field.strip_suffix(b"\r\n") {
        Some(field) => (field, true),
        None => (field, false),
    };
    let colon = field.iter().position(|&c| c == b':').unwrap_or(field.len());
    let name = &field[..colon];
    let value = field.get(colon + 1..).unwrap_or_default();
    let wsp = |c: &u8| *c == b' ' || *c == b'\t';
    // The name in lower case, without the white space before the colon.
    let mut out: Vec<u8> = name.to_ascii_lowercase();
    while out.last().is_some_and(wsp) {
        out.pop();
    }
    out.push(b':');
    // Unfolded (line breaks out, here also bare CR and LF), each run of white space one space,
    // none at either end of the value.
    let unfolded: Vec<u8> = value
        .iter()
        .copied()
        .filter(|c| !matches!(c, b'\r' | b'\n'))
        .collect();
    let mut words = unfolded.split(wsp).filter(|word| !word.is_empty());
    if let Some(first) = words.next() {
        out.extend_from_slice(first);
        for word in words {
            out.push(b' ');
            out.extend_from_slice(word);
        }
    }
    if crlf {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Body canonicalization: never panics, equals the plain reading of RFC 6376 §3.4.3 and §3.4.4
/// below however the input is split, and canonicalizing the output again changes nothing. The
/// body hash, which gathers the output its own way, hashes exactly that output, with and
/// without an `l=` limit.
pub fn body(data: &[u8]) {
    let (split, body) = match data.split_first() {
        Some((&split, body)) => (usize::from(split), body),
        None => return,
    };
    for canonicalization in [Canonicalization::Simple, Canonicalization::Relaxed] {
        let expected = reference(canonicalization, body);
        let whole = canonicalize(canonicalization, &[body]);
        assert_eq!(whole, expected, "{canonicalization} of {body:?}");
        let at = split.min(body.len());
        let parts = canonicalize(canonicalization, &[&body[..at], &body[at..]]);
        assert_eq!(
            parts, expected,
            "{canonicalization} of {body:?} split at {at}"
        );
        let bytewise: Vec<&[u8]> = body.chunks(1).collect();
        assert_eq!(canonicalize(canonicalization, &bytewise), expected);
        assert_eq!(canonicalize(canonicalization, &[&whole]), whole);

        let limit = split.min(expected.len());
        for chunks in [&[body][..], &[&body[..at], &body[at..]], &bytewise] {
            let limits = [(None, &expected[..]), (Some(limit), &expected[..limit])];
            // Every block kernel the CPU has, and the portable path everywhere.
            let kernels = [Kernels::Any, Kernels::UpToAvx2, Kernels::Portable];
            for ((l, hashed), kernels) in limits
                .into_iter()
                .flat_map(|l| kernels.map(|kernels| (l, kernels)))
            {
                let hasher = BodyHasher::new(canonicalization, l.map(|l| l as u64));
                let mut hasher = hasher.with_kernels(kernels);
                for chunk in chunks {
                    hasher.update(chunk);
                }
                let hash = hasher.finish();
                let mut sha = Sha256::new();
                sha.update(hashed);
                assert_eq!(
                    hash.digest,
                    sha.finish(),
                    "{canonicalization} hash, l={l:?}, kernels: {kernels:?}"
                );
                assert_eq!(hash.length, expected.len() as u64);
            }
        }
    }
}

/// Body canonicalization as the RFC words it, line by line, with no regard for speed.
fn reference(canonicalization: Canonicalization, body: &[u8]) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        match rest.windows(2).position(|w| w == b"\r\n") {
            Some(end) => {
                lines.push(rest[..end].to_vec());
                rest = &rest[end + 2..];
            }
            None => {
                lines.push(rest.to_vec());
                rest = &[];
            }
        }
    }
    if canonicalization == Canonicalization::Relaxed {
        for line in &mut lines {
            // §3.4.4: runs of WSP become one SP; WSP at the end of a line goes.
            let mut out = Vec::new();
            let mut space = false;
            for &c in line.iter() {
                if c == b' ' || c == b'\t' {
                    space = true;
                } else {
                    if space {
                        out.push(b' ');
                    }
                    space = false;
                    out.push(c);
                }
            }
            *line = out;
        }
    }
    while lines.last().is_some_and(Vec::is_empty) {
        lines.pop();
    }
    let mut out = Vec::new();
    for line in &lines {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    if out.is_empty() && canonicalization == Canonicalization::Simple {
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn canonicalize(canonicalization: Canonicalization, chunks: &[&[u8]]) -> Vec<u8> {
    let mut canon = BodyCanonicalizer::new(canonicalization);
    let mut out = Vec::new();
    for chunk in chunks {
        canon.update(chunk, &mut |b| out.extend_from_slice(b));
    }
    canon.finish(&mut |b| out.extend_from_slice(b));
    out
}

/// A whole message verified against an empty zone: never panics, nothing passes, and the
/// message streamed in chunks gets the same results as given whole.
pub fn verify(data: &[u8]) {
    let zone = mailroom_dns::Zone::new();
    let verifier = Verifier::default();
    let results = futures_executor_block_on(verifier.verify(&zone, data, 0));
    assert!(results.iter().all(|r| r.result != crate::DkimResult::Pass));
    let chunk = usize::from(data.first().copied().unwrap_or(1)).max(1);
    let mut stream = verifier.stream();
    for piece in data.chunks(chunk) {
        stream.update(piece);
    }
    assert_eq!(futures_executor_block_on(stream.finish(&zone, 0)), results);
}

/// Runs a future that never waits (the zone answers at once) to completion.
fn futures_executor_block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}
