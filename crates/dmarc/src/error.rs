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
    /// An Authentication-Results field value could not be read (RFC 8601 §2.2).
    #[error("Authentication-Results: expected {expected} at byte {offset}")]
    AuthenticationResults {
        /// Where in the value the problem is.
        offset: usize,
        /// What was expected there.
        expected: &'static str,
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
    /// An aggregate report is not well-formed XML, or uses XML this parser refuses (a DTD,
    /// an entity other than the five predefined ones, text that is not UTF-8).
    #[error("aggregate report: {problem} at byte {offset}")]
    ReportXml {
        /// Where in the XML the problem was found.
        offset: u64,
        /// What is wrong.
        problem: crate::report::XmlProblem,
    },
    /// The XML's root element is not a DMARC `<feedback>` element (RFC 9990 Appendix A).
    #[error("not a DMARC aggregate report: the root element is `<{root}>`")]
    ReportNotFeedback {
        /// The root element's name (shortened when long).
        root: String,
    },
    /// A required element of an aggregate report is missing.
    #[error("aggregate report: `<{parent}>` has no `<{element}>`")]
    ReportMissing {
        /// The element it should be in.
        parent: &'static str,
        /// The missing element.
        element: &'static str,
    },
    /// An element that may appear once in an aggregate report appears again.
    #[error("aggregate report: `<{parent}>` has more than one `<{element}>`")]
    ReportDuplicate {
        /// The element it is in.
        parent: &'static str,
        /// The repeated element.
        element: &'static str,
    },
    /// An element of an aggregate report has a value its type does not allow.
    #[error("aggregate report: `<{element}>` has an invalid value `{value}`")]
    ReportValue {
        /// The element.
        element: &'static str,
        /// The value as given (shortened when long).
        value: String,
    },
    /// An aggregate report exceeds a limit set to defend against hostile input (RFC 9990,
    /// "Report Contents as an Attack").
    #[error("aggregate report: {limit} exceeds the limit of {max}")]
    ReportLimit {
        /// Which limit.
        limit: crate::report::ReportLimit,
        /// The limit's value.
        max: u64,
    },
    /// A compressed aggregate report (gzip or zip) cannot be unpacked.
    #[error("aggregate report archive: {problem}")]
    ReportArchive {
        /// What is wrong with the archive.
        problem: crate::report::ArchiveProblem,
    },
    /// A message does not carry a readable aggregate report.
    #[error("aggregate report message: {problem}")]
    ReportMail {
        /// What is wrong with the message.
        problem: crate::report::MailProblem,
    },
    /// Caller misuse: a value given to build a report message or file name cannot be used
    /// there (a line break in a header field, a character a file name does not allow).
    #[error("cannot use `{value}` as the report's {field}")]
    ReportField {
        /// What the value was meant for.
        field: &'static str,
        /// The value as given (shortened when long).
        value: String,
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
