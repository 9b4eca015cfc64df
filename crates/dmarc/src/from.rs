//! The RFC5322.From domain a DMARC check is about (RFC 9989 §4.4): exactly one From field with
//! exactly one address, read with mail-parser; anything else is reported, never guessed.

use mail_parser::parsers::MessageStream;
use mail_parser::{Address, HeaderValue};

use crate::error::{Error, FromProblem};

/// The From domain of a message (its header section, or all of it), as A-labels in lower case.
///
/// ```
/// let message = b"From: Joe <joe@Example.COM>\r\nTo: ann@example.net\r\n\r\nHi\r\n";
/// assert_eq!(mailroom_dmarc::from_domain(message)?, "example.com");
/// # Ok::<(), mailroom_dmarc::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::FromHeader`] naming the problem: no From field, several, not exactly one address,
/// or no valid domain.
pub fn from_domain(message: &[u8]) -> Result<String, Error> {
    let domains = from_domains(message)?;
    match <[String; 1]>::try_from(domains) {
        Ok([domain]) => Ok(domain),
        Err(_) => Err(Error::FromHeader {
            problem: FromProblem::NotOneAddress,
        }),
    }
}

/// The distinct author domains of a message whose single From field may list several
/// addresses, in order, as A-labels in lower case. RFC 7489 §6.6.1 and RFC 9989 §4.4 let a
/// receiver check each and apply the strictest result, which is what
/// [`Checker::check_message`](crate::Checker::check_message) does.
///
/// ```
/// let message = b"From: a@example.com, B <b@Example.ORG>, c@example.com\r\n\r\n";
/// assert_eq!(mailroom_dmarc::from_domains(message)?, ["example.com", "example.org"]);
/// # Ok::<(), mailroom_dmarc::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::FromHeader`] naming the problem: no From field, several, no address, or an address
/// without a valid domain.
pub fn from_domains(message: &[u8]) -> Result<Vec<String>, Error> {
    let problem = |problem| Error::FromHeader { problem };
    // Only the From field is handed to mail-parser: messages carry dozens of other fields
    // (Received, DKIM-Signature, ...) that DMARC does not read.
    let field = from_field(message).map_err(problem)?;
    // mail-parser reads the field's value (after the colon) up to its line end; a header
    // section cut short gets one.
    let colon = field
        .iter()
        .position(|&b| b == b':')
        .map_or(field.len(), |at| at + 1);
    let value: std::borrow::Cow<'_, [u8]> = if field.ends_with(b"\n") {
        field[colon..].into()
    } else {
        [&field[colon..], b"\r\n"].concat().into()
    };
    let parsed = MessageStream::new(&value).parse_address();
    let addresses: Vec<&str> = match &parsed {
        HeaderValue::Address(Address::List(list)) => {
            list.iter().filter_map(|a| a.address.as_deref()).collect()
        }
        HeaderValue::Address(Address::Group(groups)) => groups
            .iter()
            .flat_map(|g| g.addresses.iter())
            .filter_map(|a| a.address.as_deref())
            .collect(),
        _ => Vec::new(),
    };
    if addresses.is_empty() {
        return Err(problem(FromProblem::NotOneAddress));
    }
    let mut domains: Vec<String> = Vec::with_capacity(addresses.len());
    for address in addresses {
        let domain = address
            .rsplit_once('@')
            .map(|(_, domain)| domain.trim_end_matches('>'))
            .ok_or(problem(FromProblem::NoDomain))?;
        let domain = mailroom_dns::to_ascii(domain).map_err(|_| problem(FromProblem::NoDomain))?;
        if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    Ok(domains)
}

/// The one From field of the header section, with its continuation lines and line end
/// (RFC 5322 §2.2, §3.6: exactly one From field).
fn from_field(message: &[u8]) -> Result<&[u8], FromProblem> {
    let mut found: Option<(usize, usize)> = None;
    let mut in_from = false;
    let mut start = 0;
    while start < message.len() {
        let end =
            memchr::memchr(b'\n', &message[start..]).map_or(message.len(), |at| start + at + 1);
        let line = &message[start..end];
        if matches!(line, b"\r\n" | b"\n") {
            break;
        }
        if line.first().is_some_and(|&b| b == b' ' || b == b'\t') {
            // A continuation line belongs to the field above it.
            if in_from && let Some((_, field_end)) = found.as_mut() {
                *field_end = end;
            }
        } else {
            in_from = is_from(line);
            if in_from {
                if found.is_some() {
                    return Err(FromProblem::Multiple);
                }
                found = Some((start, end));
            }
        }
        start = end;
    }
    found
        .map(|(from, to)| &message[from..to])
        .ok_or(FromProblem::Missing)
}

/// Whether a field line is a From field: the name `From`, in any case, then optional blanks
/// (RFC 5322 §4.5.3 obsolete syntax) and a colon.
fn is_from(line: &[u8]) -> bool {
    line.get(..4)
        .is_some_and(|name| name.eq_ignore_ascii_case(b"from"))
        && line[4..]
            .iter()
            .find(|&&b| b != b' ' && b != b'\t')
            .is_some_and(|&b| b == b':')
}
