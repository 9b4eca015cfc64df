//! The RFC5322.From domain a DMARC check is about (RFC 9989 §4.4): exactly one From field with
//! exactly one address, read with mail-parser; anything else is reported, never guessed.

use mail_parser::{Address, HeaderName, HeaderValue, MessageParser};

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
    let problem = |problem| Error::FromHeader { problem };
    let parsed = MessageParser::default()
        .parse_headers(message)
        .ok_or(problem(FromProblem::Unreadable))?;
    let mut froms = parsed
        .headers()
        .iter()
        .filter(|h| matches!(h.name, HeaderName::From));
    let from = froms.next().ok_or(problem(FromProblem::Missing))?;
    if froms.next().is_some() {
        return Err(problem(FromProblem::Multiple));
    }
    let addresses: Vec<&str> = match &from.value {
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
    let [address] = addresses.as_slice() else {
        return Err(problem(FromProblem::NotOneAddress));
    };
    let domain = address
        .rsplit_once('@')
        .map(|(_, domain)| domain.trim_end_matches('>'))
        .ok_or(problem(FromProblem::NoDomain))?;
    mailroom_dns::to_ascii(domain).map_err(|_| problem(FromProblem::NoDomain))
}
