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
