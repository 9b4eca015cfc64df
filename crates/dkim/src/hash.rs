//! The body hash (`bh=`, RFC 6376 §3.7): canonicalization and SHA-256 over a stream of chunks.

use crate::canon::BodyCanonicalizer;
use crate::crypto::{SHA256_LEN, Sha256};
use crate::signature::Canonicalization;

/// Hashes a body as it streams in, up to an optional `l=` length.
#[derive(Debug, Clone)]
pub(crate) struct BodyHasher {
    canon: BodyCanonicalizer,
    sha: Sha256,
    limit: Option<u64>,
    /// Octets of canonicalized body seen, hashed or not.
    length: u64,
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
            sha: Sha256::new(),
            limit,
            length: 0,
        }
    }

    pub(crate) fn update(&mut self, chunk: &[u8]) {
        let Self {
            canon,
            sha,
            limit,
            length,
        } = self;
        canon.update(chunk, &mut |bytes| take(sha, *limit, length, bytes));
    }

    pub(crate) fn finish(mut self) -> BodyHash {
        let Self {
            canon,
            sha,
            limit,
            length,
        } = &mut self;
        canon.finish(&mut |bytes| take(sha, *limit, length, bytes));
        BodyHash {
            digest: self.sha.finish(),
            length: self.length,
        }
    }
}

/// Hashes what of `bytes` falls within the limit, and counts all of it.
fn take(sha: &mut Sha256, limit: Option<u64>, length: &mut u64, bytes: &[u8]) {
    let room = limit.map_or(u64::MAX, |limit| limit.saturating_sub(*length));
    let hashed = usize::try_from(room).map_or(bytes.len(), |room| room.min(bytes.len()));
    sha.update(&bytes[..hashed]);
    *length += bytes.len() as u64;
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
