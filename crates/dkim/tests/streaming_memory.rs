//! A 50 MB message signed and then verified as it streams in, in chunks, as the server feeds
//! DATA: neither ever holds the message. This binary has its own counting allocator, with no
//! other test beside it, and refuses any allocation past a small budget while the body
//! streams.
#![allow(clippy::unwrap_used, clippy::expect_used)] // rust-clippy#11119

use std::alloc::System;

use cap::Cap;
use mailroom_dkim::{Canonicalization, DkimResult, Signer, SigningKey, Verifier};
use mailroom_dns::{RecordData, Txt, Zone};

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

const NOW: u64 = 1_700_000_000;
const MESSAGE_SIZE: usize = 50 * 1024 * 1024;
/// Chunks of an odd size, so line ends and runs of white space fall across their edges.
const CHUNK: usize = 64 * 1024 + 7;
/// What signing or verifying may hold at once besides the chunk being fed, less than one chunk:
/// the header section, the hash state and its 4 KiB buffer, with room to spare. (They hold
/// about 4 KiB and 8 KiB.)
const BUDGET: usize = 64 * 1024;

const HEADER: &[u8] = b"From: Joe SixPack <joe@example.com>\r\nTo: Suzie Q <suzie@example.net>\r\n\
Subject: A long one\r\nDate: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n\
Message-ID: <20030712040037.46341.5F8J@example.com>\r\n\r\n";

/// Feeds the message in chunks from one reused buffer: the header, then lines of text with
/// tabs, doubled spaces and trailing spaces for relaxed canonicalization to change, cut into
/// chunks wherever the chunk size falls.
fn feed(buffer: &mut Vec<u8>, mut take: impl FnMut(&[u8])) {
    let line = b"dinner is  ready at\tseven, bring the wine and cheese. \r\n";
    let mut in_line = 0;
    let mut sent = 0;
    buffer.clear();
    buffer.extend_from_slice(HEADER);
    while sent < MESSAGE_SIZE {
        while buffer.len() < CHUNK {
            let len = (CHUNK - buffer.len()).min(line.len() - in_line);
            buffer.extend_from_slice(&line[in_line..in_line + len]);
            in_line = (in_line + len) % line.len();
        }
        take(buffer);
        sent += buffer.len();
        buffer.clear();
    }
}

/// Runs `work` with allocations capped at what is allocated now plus the budget, and returns
/// the most it found allocated beyond that at the edges of chunks.
fn within_budget<T>(work: impl FnOnce(&mut dyn FnMut()) -> T) -> (T, usize) {
    let before = ALLOCATOR.allocated();
    ALLOCATOR.set_limit(before + BUDGET).unwrap();
    let mut most = 0;
    let result = work(&mut || most = most.max(ALLOCATOR.allocated().saturating_sub(before)));
    ALLOCATOR.set_limit(usize::MAX).unwrap();
    (result, most)
}

#[test]
fn a_50_mb_message_is_signed_and_verified_without_being_held() {
    const SEED: [u8; 32] = [7; 32];
    let mut zone = Zone::new();
    zone.insert(
        "s._domainkey.example.com",
        RecordData::Txt(Txt::new(
            [SigningKey::ed25519_from_seed(&SEED).dns_record()],
        )),
    )
    .unwrap();
    let verifier = Verifier::default();
    let mut buffer = Vec::with_capacity(CHUNK);
    for canonicalization in [Canonicalization::Relaxed, Canonicalization::Simple] {
        let signer = Signer::new(SigningKey::ed25519_from_seed(&SEED), "example.com", "s")
            .unwrap()
            .canonicalization(canonicalization, canonicalization);

        let (field, signing_most) = within_budget(|sample| {
            let mut stream = signer.stream();
            feed(&mut buffer, |chunk| {
                stream.update(chunk);
                sample();
            });
            stream.finish(NOW).unwrap()
        });

        let mut stream = verifier.stream();
        stream.update(field.as_bytes());
        let (stream, verifying_most) = within_budget(|sample| {
            feed(&mut buffer, |chunk| {
                stream.update(chunk);
                sample();
            });
            stream
        });
        let results = futures::executor::block_on(stream.finish(&zone, NOW));

        assert_eq!(results.len(), 1);
        assert_eq!(
            results[0].result,
            DkimResult::Pass,
            "{:?}",
            results[0].error
        );
        assert!(
            signing_most < BUDGET,
            "{canonicalization}: signing held {signing_most} octets"
        );
        assert!(
            verifying_most < BUDGET,
            "{canonicalization}: verifying held {verifying_most} octets"
        );
    }
}
