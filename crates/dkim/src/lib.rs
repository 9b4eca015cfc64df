//! DKIM (RFC 6376), with the rules of RFC 8301 (no rsa-sha1, no RSA keys under 1024 bits) and
//! Ed25519 signatures (RFC 8463): signing and verifying messages, whole or as they stream in.
//!
//! - [`Signer`] signs with a [`SigningKey`] (RSA or Ed25519, read as the key files of
//!   opendkim-genkey, rspamd, dkimpy and openssl hold it: [`SigningKey::from_key_file`]),
//!   relaxed/relaxed by default, oversigning the header fields a reader trusts, never with
//!   `l=`.
//! - [`Verifier`] checks every DKIM-Signature of a message on its own and gives each an
//!   RFC 8601 [`DkimResult`] with a reason, looking keys up through the `mailroom-dns`
//!   [`Resolver`](mailroom_dns::Resolver) concurrently, with a cap on signatures per message.
//! - Canonicalization ([`canonicalize_header`], [`BodyCanonicalizer`]) works on chunks, so a
//!   large body is hashed as it passes and never held whole. The body hash's relaxed
//!   canonicalization takes dense text in blocks with AVX-512 or AVX2 where the CPU has them
//!   (found at run time), and with SSE2 or NEON masks elsewhere; no `unsafe` code of its own.
//! - [`keygen`] makes keys, or takes in those other tools made ([`keygen::import`]), with the
//!   PKCS#8 PEM to store them in; [`published::check_published_key`] checks the record
//!   published for one as verifiers will read it, and that it holds the signing key.
//!
//! The crate is sans-IO: time (`t=`, `x=`) is an argument, and DNS goes through the resolver
//! trait, so everything runs against an in-memory [`Zone`](mailroom_dns::Zone) in tests:
//!
//! ```
//! use mailroom_dkim::{DkimResult, Signer, SigningKey, Verifier};
//! use mailroom_dns::Zone;
//!
//! let key = SigningKey::ed25519_from_seed(&[42; 32]);
//! let zone = Zone::from_text(&format!("s1._domainkey.example.com. TXT \"{}\"", key.dns_record()))?;
//! let message = b"From: Joe <joe@example.com>\r\nTo: ann@example.net\r\nSubject: lunch\r\n\r\nAt noon?\r\n";
//! let signed = [Signer::new(key, "example.com", "s1")?.sign(message, 1_700_000_000)?.as_bytes(), message].concat();
//!
//! let results = futures::executor::block_on(Verifier::default().verify(&zone, &signed, 1_700_000_100));
//! assert_eq!(results[0].result, DkimResult::Pass);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Crypto backends
//!
//! ring by default. The `aws-lc-rs` feature swaps in aws-lc-rs, which signs faster; with ring,
//! RSA signing keys must have at least 2048 bits.
//!
//! # What this crate does not do
//!
//! It does not evaluate DMARC (`mailroom-dmarc` takes these results), ARC, or DomainKeys
//! (RFC 4870), and it does not add Authentication-Results headers.

#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::print_stdout)]

mod canon;
mod crypto;
mod error;
mod hash;
mod key;
mod key_cache;
pub mod keygen;
mod message;
pub mod published;
mod result;
mod sign;
mod signature;
mod signed_headers;
mod signing_key;
mod tag_list;
mod verify;

#[doc(hidden)]
pub mod fuzzing;

pub use canon::{BodyCanonicalizer, canonicalize_header};
pub use error::{Error, KeyType, Record, TagListProblem};
pub use key::{KeyRecord, MIN_RSA_BITS, PublicKey};
pub use message::raw_header_fields;
pub use result::{DkimResult, SignatureResult};
pub use sign::{DEFAULT_OVERSIGNED_HEADERS, DEFAULT_SIGNED_HEADERS, SignStream, Signer};
pub use signature::{Algorithm, Canonicalization, HEADER_NAME, Signature};
pub use signed_headers::SignedHeaders;
pub use signing_key::SigningKey;
pub use verify::{
    DEFAULT_MAX_KEY_RECORD_LEN, DEFAULT_MAX_SIGNATURES, Verifier, VerifyOptions, VerifyStream,
};
