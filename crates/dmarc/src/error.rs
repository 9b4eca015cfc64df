//! The one error type of this crate: what was wrong with which input.

use std::fmt;

/// Why a DMARC record, a tag of it, or the Public Suffix List could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not a DMARC record: it does not start with `v=DMARC1` (RFC 9989 §4.7).
    #[error("not a DMARC record: it must start with v=DMARC1")]
    NotDmarc,
    /// A tag-spec is malformed (no `=`, or a bad tag name).
    #[error("malformed tag at byte {offset}: {problem}")]
    TagSyntax {
        /// Where in the record the tag starts.
        offset: usize,
        /// What is wrong.
        problem: TagProblem,
    },
    /// A tag appears twice.
    #[error("tag `{tag}` appears more than once")]
    DuplicateTag {
        /// The tag's name.
        tag: String,
    },
    /// A tag's value is not valid for that tag; the record is used with the tag's default.
    #[error("tag `{tag}=` has an invalid value `{value}`")]
    InvalidTag {
        /// The tag's name.
        tag: &'static str,
        /// The value as given (shortened when long).
        value: String,
    },
    /// The Public Suffix List text could not be read.
    #[error("the Public Suffix List could not be read")]
    PublicSuffixList,
    /// The From domain is not a domain name.
    #[error("`{domain}` is not a domain name")]
    InvalidDomain {
        /// The domain as given.
        domain: String,
    },
    /// The message has no usable From domain (RFC 9989 §4.4): DMARC cannot be evaluated, and
    /// the receiver decides (reject, or treat as failing) rather than guess.
    #[error("no usable From domain: {problem}")]
    FromHeader {
        /// What is wrong with the From header field(s).
        problem: FromProblem,
    },
    /// A DNS lookup failed, so the policy cannot be known now (a temporary error).
    #[error("DNS lookup of {name} failed")]
    Dns {
        /// The name that was asked for.
        name: String,
        /// Why it failed.
        #[source]
        source: mailroom_dns::DnsError,
    },
}

/// What is wrong with a tag-spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TagProblem {
    /// It has no `=`.
    MissingEquals,
    /// The tag name is empty or has characters other than letters, digits and `_`.
    BadName,
}

impl fmt::Display for TagProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MissingEquals => "it has no `=`",
            Self::BadName => "the tag name is not letters, digits and `_`",
        })
    }
}

/// What is wrong with a message's From header field for DMARC (RFC 9989 §4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FromProblem {
    /// The header section could not be read.
    Unreadable,
    /// There is no From header field.
    Missing,
    /// There is more than one From header field (RFC 5322 §3.6 allows one).
    Multiple,
    /// The From field does not hold exactly one address.
    NotOneAddress,
    /// The address has no domain that is a valid name.
    NoDomain,
}

impl fmt::Display for FromProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unreadable => "the header section cannot be read",
            Self::Missing => "there is no From header field",
            Self::Multiple => "there is more than one From header field",
            Self::NotOneAddress => "the From field does not hold exactly one address",
            Self::NoDomain => "the From address has no valid domain",
        })
    }
}

/// Shortens a value quoted in an error.
pub(crate) fn shorten(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
