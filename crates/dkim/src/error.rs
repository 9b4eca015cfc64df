//! The one error type of this crate: what was wrong with which input.

use std::fmt;

use crate::signature::Algorithm;

/// Why a signature could not be made or did not verify.
///
/// Verification turns each of these into a result with [`Error::dkim_result`]: a broken
/// signature or key is `permerror`, a DNS failure `temperror`, a mismatch `fail`, and a signature
/// this verifier declines (an `l=` that leaves content unsigned, over the signature limit)
/// `policy`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A tag-list (RFC 6376 §3.2) is not well formed.
    #[error("{record}: malformed tag-list at byte {offset}: {problem}")]
    TagList {
        /// Which record the tag-list is.
        record: Record,
        /// Where in the tag-list the problem starts.
        offset: usize,
        /// What is wrong.
        problem: TagListProblem,
    },
    /// A tag appears twice in one tag-list, which makes the whole list invalid (RFC 6376 §3.2).
    #[error("{record}: tag `{tag}` appears more than once")]
    DuplicateTag {
        /// Which record.
        record: Record,
        /// The repeated tag's name.
        tag: String,
    },
    /// A required tag is missing.
    #[error("{record}: required tag `{tag}=` is missing")]
    MissingTag {
        /// Which record.
        record: Record,
        /// The missing tag's name.
        tag: &'static str,
    },
    /// A tag's value is not valid for that tag.
    #[error("{record}: tag `{tag}=` has an invalid value `{value}`")]
    InvalidTag {
        /// Which record.
        record: Record,
        /// The tag's name.
        tag: &'static str,
        /// The value as given (shortened when long).
        value: String,
    },
    /// The signature's `a=` names an algorithm this crate does not implement.
    #[error("DKIM-Signature: unsupported algorithm `{value}`")]
    UnsupportedAlgorithm {
        /// The `a=` value.
        value: String,
    },
    /// The signature uses rsa-sha1, which RFC 8301 §3.1 forbids signers and verifiers to use.
    #[error("DKIM-Signature: rsa-sha1 is not acceptable (RFC 8301)")]
    Sha1Forbidden,
    /// The signature's `h=` does not include From (RFC 6376 §5.4).
    #[error("DKIM-Signature: h= does not include From")]
    FromNotSigned,
    /// The signature's `i=` is not in the `d=` domain or a subdomain of it (RFC 6376 §3.5).
    #[error("DKIM-Signature: i={identity} is not within d={domain}")]
    IdentityOutsideDomain {
        /// The `i=` value.
        identity: String,
        /// The `d=` value.
        domain: String,
    },
    /// The signature's `x=` expiry has passed.
    #[error("DKIM-Signature: expired at {expiration} (now {now})")]
    Expired {
        /// The `x=` value, in seconds since the Unix epoch.
        expiration: u64,
        /// The verification time given by the caller.
        now: u64,
    },
    /// The key record does not exist (NXDOMAIN or no TXT record): RFC 6376 §6.1.2 PERMFAIL.
    #[error("no DKIM key at {name}")]
    KeyNotFound {
        /// The name that was looked up.
        name: String,
    },
    /// The key lookup failed in the DNS.
    #[error("DKIM key lookup of {name} failed")]
    KeyLookup {
        /// The name that was looked up.
        name: String,
        /// Why it failed.
        #[source]
        source: mailroom_dns::DnsError,
    },
    /// The key record is longer than the configured limit.
    #[error("key record at {name} is {len} octets, over the limit of {limit}")]
    KeyRecordTooLarge {
        /// The name that was looked up.
        name: String,
        /// The record's length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The key has been revoked: its `p=` is empty (RFC 6376 §3.6.1).
    #[error("the key has been revoked (empty p=)")]
    KeyRevoked,
    /// The key's type (`k=`) does not match the signature's algorithm (`a=`).
    #[error("the key is {key_type} but the signature uses {algorithm}")]
    KeyTypeMismatch {
        /// The key's type.
        key_type: KeyType,
        /// The signature's algorithm.
        algorithm: Algorithm,
    },
    /// The key's `h=` does not allow sha256.
    #[error("the key's h= does not allow sha256")]
    KeyHashNotAllowed,
    /// The key's `s=` does not include email or `*`.
    #[error("the key is not for email (s= lacks email and *)")]
    KeyNotForEmail,
    /// The key has `t=s` but the signature's `i=` domain is not exactly `d=` (RFC 6376 §3.6.1).
    #[error("the key has t=s but i= is in a subdomain of d=")]
    KeyStrict,
    /// The RSA key is shorter than 1024 bits, which RFC 8301 §3.2 forbids verifiers to accept.
    #[error("the RSA key has {bits} bits, under the 1024 RFC 8301 requires")]
    KeyTooSmall {
        /// The modulus length.
        bits: usize,
    },
    /// The key's `p=` is not a public key of its type.
    #[error("{record}: p= is not a valid {key_type} public key")]
    BadPublicKey {
        /// Where the key came from.
        record: Record,
        /// The type it should have been.
        key_type: KeyType,
    },
    /// A private key could not be read.
    #[error("not a usable {expected} private key: {problem}")]
    BadPrivateKey {
        /// What was expected.
        expected: &'static str,
        /// What is wrong.
        problem: &'static str,
    },
    /// The canonicalized body does not hash to `bh=`.
    #[error("the body hash does not match bh=")]
    BodyHashMismatch,
    /// The signature does not verify with the key.
    #[error("the signature does not verify")]
    SignatureMismatch,
    /// The signature's `l=` leaves part of the body unsigned; content may have been appended.
    #[error("l={signed} leaves {unsigned} body octets unsigned")]
    PartialBody {
        /// Octets of canonicalized body covered by the signature.
        signed: u64,
        /// Octets after them.
        unsigned: u64,
    },
    /// `l=` is longer than the canonicalized body.
    #[error("l={length} is longer than the {body} octet canonicalized body")]
    BodyLengthTooLong {
        /// The `l=` value.
        length: u64,
        /// The canonicalized body's length.
        body: u64,
    },
    /// The message has more signatures than the verifier checks.
    #[error("more than {limit} DKIM signatures; this one was not checked")]
    SignatureLimit {
        /// The configured limit.
        limit: usize,
    },
    /// The message's header section cannot be split into fields.
    #[error("malformed header section at byte {offset}")]
    MalformedHeader {
        /// Where the malformed line starts.
        offset: usize,
    },
    /// The message to sign has no From header, which every DKIM signature must cover.
    #[error("the message has no From header")]
    NoFromHeader,
    /// The cryptographic library refused an operation (for example a signing failure).
    #[error("the cryptographic operation failed")]
    Crypto,
}

impl Error {
    /// The RFC 8601 result a verifier reports for a signature that ended with this error.
    pub fn dkim_result(&self) -> crate::DkimResult {
        use crate::DkimResult;
        match self {
            Self::KeyLookup { source, .. } if source.is_temporary() => DkimResult::TempError,
            Self::BodyHashMismatch | Self::SignatureMismatch => DkimResult::Fail,
            Self::PartialBody { .. } | Self::SignatureLimit { .. } => DkimResult::Policy,
            _ => DkimResult::PermError,
        }
    }
}

/// Which record or header an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Record {
    /// A DKIM-Signature header field (RFC 6376 §3.5).
    Signature,
    /// A key record in the DNS (RFC 6376 §3.6.1).
    Key,
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Signature => "DKIM-Signature",
            Self::Key => "key record",
        })
    }
}

/// What is wrong with a tag-list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TagListProblem {
    /// A tag-spec has no `=`.
    MissingEquals,
    /// A tag name is empty or has characters outside ALPHA / DIGIT / `_`.
    BadTagName,
    /// A value has a character a tag-value may not hold (a control character, or `;`).
    BadValue,
    /// The tag-list is not UTF-8.
    NotUtf8,
}

impl fmt::Display for TagListProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MissingEquals => "a tag has no `=`",
            Self::BadTagName => "a tag name is empty or not ALPHA *(ALPHA / DIGIT / \"_\")",
            Self::BadValue => "a tag value has a character outside VALCHAR",
            Self::NotUtf8 => "it is not UTF-8",
        })
    }
}

/// A public key type (the key record's `k=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// RSA (RFC 6376).
    Rsa,
    /// Ed25519 (RFC 8463).
    Ed25519,
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Rsa => "rsa",
            Self::Ed25519 => "ed25519",
        })
    }
}
