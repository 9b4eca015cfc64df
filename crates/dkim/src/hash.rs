//! The body hash (`bh=`, RFC 6376 §3.7): canonicalization and SHA-256 over a stream of chunks.

use crate::canon::{BodyCanonicalizer, Kernels, Output, PIECE};
use crate::crypto::{SHA256_BLOCK, SHA256_LEN, Sha256};
use crate::signature::Canonicalization;

/// Canonicalized output is gathered up to this many octets before it is hashed: a hash update
/// costs more than copying a few octets. With its slack the buffer is 960 octets, a size
/// glibc's allocator keeps in its small bins: from 1 KiB on, every allocation first has it
/// consolidate the fast bins, and a larger first buffer costs a 4 KiB message more in
/// allocating and zeroing than the extra hash updates do.
const GATHER: usize = 960 - SLACK;

/// What the gathering buffer grows to once [`GROW_AFTER`] octets of body have come: on a large
/// body, fewer and longer hash updates, and in relaxed longer runs of the AVX-512 block loop
/// between them: about 1% of a 1 MiB relaxed verification with that loop, a third of that
/// without it.
const GATHER_LARGE: usize = 32 * 1024;

/// How much canonicalized body makes a body large enough for [`GATHER_LARGE`].
const GROW_AFTER: u64 = 16 * 1024;

/// Output at least this long goes to the hash directly rather than through the gathering
/// buffer, once what was gathered before it has been hashed.
const DIRECT: usize = 256;

/// Room past [`GATHER`] (or [`GATHER_LARGE`]) in the buffer, so relaxed's block copy of a piece
/// may start anywhere up to it.
const SLACK: usize = PIECE + 1;

/// Hashes a body as it streams in, up to an optional `l=` length.
#[derive(Debug, Clone)]
pub(crate) struct BodyHasher {
    canon: BodyCanonicalizer,
    sink: Sink,
}

/// Where canonicalized octets go: counted, and hashed up to the limit.
#[derive(Debug, Clone)]
struct Sink {
    sha: Sha256,
    /// Output waiting to be hashed, in `gathered[..filled]`; empty until first needed, then
    /// `GATHER + SLACK` long, and `GATHER_LARGE + SLACK` once the body passed `GROW_AFTER`.
    gathered: Box<[u8]>,
    filled: usize,
    limit: Option<u64>,
    /// Octets of canonicalized body seen, hashed or not.
    length: u64,
    /// Short pieces hashed without a gathering buffer, before one was made.
    short_pieces: usize,
}

/// How many short pieces are hashed one by one before a gathering buffer is made for them.
const SHORT_PIECES_UNGATHERED: usize = 8;

impl Output for Sink {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        // The usual case, a short run with no l= limit, first.
        let end = self.filled + bytes.len();
        if self.limit.is_none() && bytes.len() < DIRECT && end <= self.room() {
            self.gathered[self.filled..end].copy_from_slice(bytes);
            self.filled = end;
            self.length += bytes.len() as u64;
            return;
        }
        self.write_slow(bytes);
    }

    fn spare(&mut self) -> &mut [u8] {
        if self.limit.is_some() {
            // Output past l= is counted, not hashed: it goes through `write`.
            return &mut [];
        }
        if self.gathered.is_empty() {
            self.gathered = gathering_buffer(GATHER + SLACK);
        }
        if self.filled >= self.room() {
            self.flush_full();
        }
        &mut self.gathered[self.filled..]
    }

    fn commit(&mut self, len: usize) {
        self.filled += len;
        self.length += len as u64;
    }
}

impl Sink {
    /// How far `filled` may go for a write: `GATHER` or `GATHER_LARGE` once the buffer is
    /// made, else nothing.
    #[inline]
    fn room(&self) -> usize {
        self.gathered.len().saturating_sub(SLACK)
    }

    #[inline(never)]
    fn write_slow(&mut self, bytes: &[u8]) {
        let hashed = match self.limit {
            None => bytes.len(),
            Some(limit) => usize::try_from(limit.saturating_sub(self.length))
                .map_or(bytes.len(), |room| room.min(bytes.len())),
        };
        self.length += bytes.len() as u64;
        let bytes = &bytes[..hashed];
        if bytes.len() >= DIRECT {
            self.flush();
        } else if self.filled + bytes.len() > self.room() && !self.gathered.is_empty() {
            // Short pieces filled the buffer: a large body.
            self.flush_full();
        }
        if bytes.len() >= DIRECT {
            self.sha.update(bytes);
        } else if self.gathered.is_empty() && self.short_pieces < SHORT_PIECES_UNGATHERED {
            // The first few short pieces are hashed as they come: a body given whole ends in
            // one (the final CRLF), which is not worth a buffer of its own.
            self.short_pieces += 1;
            self.sha.update(bytes);
        } else {
            if self.gathered.is_empty() {
                self.gathered = gathering_buffer(GATHER + SLACK);
            }
            let end = self.filled + bytes.len();
            self.gathered[self.filled..end].copy_from_slice(bytes);
            self.filled = end;
        }
    }

    /// Hashes the whole SHA-256 blocks of a buffer that is full and keeps the rest at its
    /// start: a hash update of whole blocks copies nothing into the hash's own block buffer.
    /// Lets the buffer grow once the body is a large one.
    fn flush_full(&mut self) {
        let whole = self.filled - self.filled % SHA256_BLOCK;
        self.sha.update(&self.gathered[..whole]);
        let rest = whole..self.filled;
        self.filled = rest.len();
        if self.gathered.len() < GATHER_LARGE + SLACK && self.length >= GROW_AFTER {
            let mut larger = gathering_buffer(GATHER_LARGE + SLACK);
            larger[..self.filled].copy_from_slice(&self.gathered[rest]);
            self.gathered = larger;
        } else {
            self.gathered.copy_within(rest, 0);
        }
    }

    fn flush(&mut self) {
        if self.filled > 0 {
            self.sha.update(&self.gathered[..self.filled]);
            self.filled = 0;
        }
    }
}

/// A gathering buffer of `len` octets. What it starts with is never read; it is filled with
/// spaces rather than zeros because a zero fill becomes a `calloc`, which glibc never serves
/// from its per-thread cache: a buffer freed after every small message would then go back to
/// the allocator's bins each time, and have it consolidate them.
fn gathering_buffer(len: usize) -> Box<[u8]> {
    vec![b' '; len].into_boxed_slice()
}

/// What a finished [`BodyHasher`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BodyHash {
    pub(crate) digest: [u8; SHA256_LEN],
    /// The length of the whole canonicalized body.
    pub(crate) length: u64,
}

impl BodyHasher {
    pub(crate) fn new(canonicalization: Canonicalization, limit: Option<u64>) -> Self {
        Self {
            canon: BodyCanonicalizer::new(canonicalization),
            sink: Sink {
                sha: Sha256::new(),
                gathered: Box::default(),
                filled: 0,
                limit,
                length: 0,
                short_pieces: 0,
            },
        }
    }

    /// The same hasher limited to some of the block kernels, for tests.
    pub(crate) fn with_kernels(self, kernels: Kernels) -> Self {
        Self {
            canon: self.canon.with_kernels(kernels),
            ..self
        }
    }

    pub(crate) fn update(&mut self, chunk: &[u8]) {
        let sink = &mut self.sink;
        self.canon.update_to(chunk, sink);
    }

    pub(crate) fn finish(mut self) -> BodyHash {
        let sink = &mut self.sink;
        self.canon.finish_to(sink);
        self.sink.flush();
        BodyHash {
            digest: self.sink.sha.finish(),
            length: self.sink.length,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn bh(canonicalization: Canonicalization, body: &[u8], limit: Option<u64>) -> (String, u64) {
        let mut hasher = BodyHasher::new(canonicalization, limit);
        hasher.update(body);
        let hash = hasher.finish();
        (
            base64::engine::general_purpose::STANDARD.encode(hash.digest),
            hash.length,
        )
    }

    #[test]
    fn empty_body_hashes_of_rfc6376_section_3_4_3_and_3_4_4() {
        // The well-known hashes of an empty body: of CRLF (simple) and of nothing (relaxed).
        assert_eq!(
            bh(Canonicalization::Simple, b"", None).0,
            "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY="
        );
        assert_eq!(
            bh(Canonicalization::Relaxed, b"", None).0,
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn length_limit_hashes_a_prefix_and_counts_everything() {
        let (limited, length) = bh(Canonicalization::Simple, b"abc\r\nappended\r\n", Some(5));
        assert_eq!(length, 15);
        assert_eq!(limited, bh(Canonicalization::Simple, b"abc", None).0);
    }
}
