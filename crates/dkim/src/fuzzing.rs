//! Fuzz bodies, shared by the cargo-fuzz targets in `fuzz/` and the proptest properties.

use crate::canon::BodyCanonicalizer;
use crate::signature::{Canonicalization, Signature};
use crate::{KeyRecord, Verifier};

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

/// Body canonicalization: never panics, equals the plain reading of RFC 6376 §3.4.3 and §3.4.4
/// below however the input is split, and canonicalizing the output again changes nothing.
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

/// A whole message verified against an empty zone: never panics, one result per signature
/// field at most.
pub fn verify(data: &[u8]) {
    let zone = mailroom_dns::Zone::new();
    let results = futures_executor_block_on(Verifier::default().verify(&zone, data, 0));
    assert!(results.iter().all(|r| r.result != crate::DkimResult::Pass));
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
