//! The one error type of this crate: why a lookup could not be answered, or why zone text or a
//! name was refused.

use std::fmt;
use std::io;
use std::sync::Arc;

/// Why a DNS lookup gave no answer, or why a name or zone text was refused.
///
/// An answer that says "no such name" or "no records of that type" is not an error: it is an
/// [`Answer`](crate::Answer). Everything here means the question could not be answered, which SPF,
/// DKIM and DMARC turn into `temperror` when [`DnsError::is_temporary`] says so.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DnsError {
    /// No answer arrived within the configured time, on any name server.
    #[error("DNS query for {name} timed out")]
    Timeout {
        /// The name that was asked for.
        name: String,
    },
    /// A name server answered with a failure code such as SERVFAIL or REFUSED.
    #[error("DNS server answered {} for {name}", rcode_name(*.rcode))]
    ServerFailure {
        /// The name that was asked for.
        name: String,
        /// The response code (RFC 1035 §4.1.1, RFC 6895 §2.3), e.g. 2 for SERVFAIL.
        rcode: u16,
    },
    /// The answer arrived but cannot be used.
    #[error("unusable DNS answer for {name}: {problem}")]
    Malformed {
        /// The name that was asked for.
        name: String,
        /// What was wrong with the answer.
        problem: MalformedAnswer,
    },
    /// No name server could be reached (no server configured, socket error).
    #[error("could not send the DNS query for {name}")]
    Network {
        /// The name that was asked for.
        name: String,
        /// The underlying failure.
        #[source]
        source: IoSource,
    },
    /// The system's resolver configuration (`/etc/resolv.conf`) could not be read or used.
    #[error("cannot use the system DNS configuration")]
    SystemConfig {
        /// The underlying failure.
        #[source]
        source: IoSource,
    },
    /// A name given to a lookup or to a zone is not a valid domain name.
    #[error("`{name}` is not a valid domain name: {problem}")]
    InvalidName {
        /// The name as it was given.
        name: String,
        /// What is wrong with it.
        problem: NameProblem,
    },
    /// Zone text given to [`Zone::from_text`](crate::Zone::from_text) has an error on a line.
    #[error("zone line {line}: {problem} (`{text}`)")]
    ZoneSyntax {
        /// The line the problem is on, counting from 1.
        line: usize,
        /// What is wrong.
        problem: ZoneProblem,
        /// The piece of text the problem is in, shortened when long.
        text: String,
    },
    /// A record added to a [`Zone`](crate::Zone) conflicts with the records already there.
    #[error("cannot add {record_type} to {name}: {problem}")]
    ZoneConflict {
        /// The owner name of the record.
        name: String,
        /// The type of the record that was refused.
        record_type: &'static str,
        /// The conflict.
        problem: ZoneProblem,
    },
}

impl DnsError {
    /// Whether trying again later may succeed: true for timeouts, server failures, network
    /// trouble and unusable answers (a resolver's SERVFAIL), false for bad names and zone text.
    ///
    /// SPF (RFC 7208 §2.6.6), DKIM (RFC 6376 §6.1.2) and DMARC report a temporary error exactly
    /// when this is true.
    pub fn is_temporary(&self) -> bool {
        match self {
            Self::Timeout { .. }
            | Self::ServerFailure { .. }
            | Self::Malformed { .. }
            | Self::Network { .. }
            | Self::SystemConfig { .. } => true,
            Self::InvalidName { .. } | Self::ZoneSyntax { .. } | Self::ZoneConflict { .. } => false,
        }
    }
}

/// The usual mnemonic of a DNS response code, for messages.
pub(crate) fn rcode_name(rcode: u16) -> String {
    match rcode {
        1 => "FORMERR".to_owned(),
        2 => "SERVFAIL".to_owned(),
        4 => "NOTIMP".to_owned(),
        5 => "REFUSED".to_owned(),
        other => format!("response code {other}"),
    }
}

/// What made an answer unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MalformedAnswer {
    /// The response could not be decoded.
    Undecodable,
    /// The response was truncated even over TCP.
    Truncated,
    /// A CNAME chain loops or is longer than [`MAX_CNAME_CHAIN`](crate::MAX_CNAME_CHAIN).
    CnameChain,
}

impl fmt::Display for MalformedAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Undecodable => "the response could not be decoded",
            Self::Truncated => "the response was truncated even over TCP",
            Self::CnameChain => "the CNAME chain loops or is too long",
        })
    }
}

/// What makes a name invalid (RFC 1035 §2.3.4, RFC 5890 for internationalized names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameProblem {
    /// The name is empty.
    Empty,
    /// The name has an empty label (two dots in a row, or a leading dot).
    EmptyLabel,
    /// A label is longer than 63 octets.
    LabelTooLong,
    /// The name is longer than 253 octets (255 on the wire).
    NameTooLong,
    /// A label with non-ASCII characters has no valid A-label (IDNA) form.
    Idna,
}

impl fmt::Display for NameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "it is empty",
            Self::EmptyLabel => "it has an empty label",
            Self::LabelTooLong => "a label is longer than 63 octets",
            Self::NameTooLong => "it is longer than 253 octets",
            Self::Idna => "a label has no valid IDNA A-label form",
        })
    }
}

/// What is wrong with a line of zone text, or with a record added to a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ZoneProblem {
    /// The line has an owner name but no record type.
    MissingType,
    /// The record type is not one the zone supports (A, AAAA, MX, TXT, PTR, CNAME, TIMEOUT).
    UnknownType,
    /// The class is not `IN`.
    UnsupportedClass,
    /// The TTL is not a number of seconds that fits in 31 bits.
    BadTtl,
    /// The line's owner is missing: it starts with blanks and there is no previous owner.
    MissingOwner,
    /// The owner name or a name in the data is not a valid domain name.
    BadName,
    /// An A record's address is not an IPv4 address.
    BadIpv4,
    /// An AAAA record's address is not an IPv6 address.
    BadIpv6,
    /// An MX preference is not a number from 0 to 65535.
    BadPreference,
    /// The record data has too few or too many fields.
    WrongFieldCount,
    /// A quoted string is not closed before the end of the record.
    UnclosedQuote,
    /// A `\` escape is incomplete or a `\DDD` escape is above 255.
    BadEscape,
    /// A character-string is longer than 255 octets (RFC 1035 §3.3).
    StringTooLong,
    /// A TXT record has no character-strings.
    EmptyTxt,
    /// Parentheses do not balance.
    UnbalancedParentheses,
    /// A `$` directive other than `$TTL` and `$ORIGIN`.
    UnsupportedDirective,
    /// `@` stands for the origin, but no `$ORIGIN` came before it.
    NoOrigin,
    /// A CNAME and other data at the same name (RFC 1034 §3.6.2).
    CnameAndOtherData,
}

impl fmt::Display for ZoneProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MissingType => "the record type is missing",
            Self::UnknownType => "unknown record type (A, AAAA, MX, TXT, PTR, CNAME or TIMEOUT)",
            Self::UnsupportedClass => "only class IN is supported",
            Self::BadTtl => "the TTL is not a number of seconds below 2^31",
            Self::MissingOwner => "the line starts with blanks but no owner name came before",
            Self::BadName => "not a valid domain name",
            Self::BadIpv4 => "not an IPv4 address",
            Self::BadIpv6 => "not an IPv6 address",
            Self::BadPreference => "the MX preference is not a number from 0 to 65535",
            Self::WrongFieldCount => "wrong number of fields for this record type",
            Self::UnclosedQuote => "a quoted string is not closed",
            Self::BadEscape => "a backslash escape is incomplete or above \\255",
            Self::StringTooLong => "a character-string is longer than 255 octets",
            Self::EmptyTxt => "a TXT record needs at least one string",
            Self::UnbalancedParentheses => "parentheses do not balance",
            Self::UnsupportedDirective => "only the $TTL and $ORIGIN directives are supported",
            Self::NoOrigin => "`@` stands for the origin, but no $ORIGIN came before it",
            Self::CnameAndOtherData => "a CNAME cannot share its name with other records",
        })
    }
}

/// An I/O failure kept as the source of a [`DnsError`], shared so the error stays cheap to clone.
///
/// Two `IoSource`s are equal when their kind and message are equal, so errors that carry one can
/// still be compared in tests.
#[derive(Debug, Clone)]
pub struct IoSource(Arc<io::Error>);

impl IoSource {
    /// The kind of the underlying I/O error.
    pub fn kind(&self) -> io::ErrorKind {
        self.0.kind()
    }
}

impl From<io::Error> for IoSource {
    fn from(error: io::Error) -> Self {
        Self(Arc::new(error))
    }
}

impl From<Arc<io::Error>> for IoSource {
    fn from(error: Arc<io::Error>) -> Self {
        Self(error)
    }
}

impl PartialEq for IoSource {
    fn eq(&self, other: &Self) -> bool {
        self.0.kind() == other.0.kind() && self.0.to_string() == other.0.to_string()
    }
}

impl Eq for IoSource {}

impl fmt::Display for IoSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for IoSource {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}
