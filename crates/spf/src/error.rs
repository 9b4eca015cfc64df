//! The one error type of this crate: why a check ended in `permerror` or `temperror`.

use crate::result::SpfResult;

/// Why SPF evaluation could not give an answer: a broken record (`permerror`) or a DNS failure
/// (`temperror`). [`Error::spf_result`] says which.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A term of the record is not valid SPF syntax (RFC 7208 §12).
    #[error("invalid term `{term}`: {problem}")]
    Syntax {
        /// The term as written (shortened when long).
        term: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A mechanism name RFC 7208 §5 does not define.
    #[error("unknown mechanism `{name}`")]
    UnknownMechanism {
        /// The name as written.
        name: String,
    },
    /// `redirect=` or `exp=` appears more than once (RFC 7208 §6).
    #[error("modifier `{name}=` appears more than once")]
    DuplicateModifier {
        /// The modifier's name.
        name: &'static str,
    },
    /// The domain has more than one SPF record (RFC 7208 §4.5).
    #[error("{domain} has {count} SPF records")]
    MultipleRecords {
        /// The domain.
        domain: String,
        /// How many records start with `v=spf1`.
        count: usize,
    },
    /// The record holds octets outside US-ASCII.
    #[error("the SPF record of {domain} is not ASCII")]
    NotAscii {
        /// The domain.
        domain: String,
    },
    /// A macro is malformed or not allowed where it is used (RFC 7208 §7).
    #[error("invalid macro in `{text}`: {problem}")]
    Macro {
        /// The macro-string (shortened when long).
        text: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// More DNS-querying terms than the limit (RFC 7208 §4.6.4, default 10).
    #[error("more than {limit} DNS-querying terms")]
    TooManyDnsTerms {
        /// The limit.
        limit: usize,
    },
    /// More lookups that found nothing than the limit (RFC 7208 §4.6.4, default 2).
    #[error("more than {limit} void DNS lookups")]
    TooManyVoidLookups {
        /// The limit.
        limit: usize,
    },
    /// An `mx` name list longer than the limit (RFC 7208 §4.6.4, default 10).
    #[error("{domain} has more than {limit} MX records")]
    TooManyMxNames {
        /// The domain.
        domain: String,
        /// The limit.
        limit: usize,
    },
    /// `include:` or `redirect=` names a domain without an SPF record (RFC 7208 §5.2, §6.1).
    #[error("{domain}, named by {term}, has no SPF record")]
    NoRecordAt {
        /// The domain.
        domain: String,
        /// `include` or `redirect`.
        term: &'static str,
    },
    /// A DNS lookup failed: the check cannot finish now.
    #[error("DNS lookup for {name} failed")]
    Dns {
        /// The name that was asked for.
        name: String,
        /// Why it failed.
        #[source]
        source: mailroom_dns::DnsError,
    },
}

impl Error {
    /// The result a check reports when it ends with this error: `temperror` for a DNS failure
    /// that may pass, `permerror` for everything else.
    pub fn spf_result(&self) -> SpfResult {
        match self {
            Self::Dns { source, .. } if source.is_temporary() => SpfResult::TempError,
            _ => SpfResult::PermError,
        }
    }
}

/// Shortens text quoted in an error.
pub(crate) fn shorten(text: &str) -> String {
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
