//! Verifying external destinations (RFC 9990, "Verifying External Destinations"): a
//! report may go to a domain outside the policy domain's organization only if that domain
//! publishes `<policy-domain>._report._dmarc.<destination>` with a `v=DMARC1` TXT record.
//! Without the check, anyone could publish a record that floods a victim with reports.

use mailroom_dns::{Answer, Resolver};

use crate::error::Error;
use crate::record::Record;

/// What the destination's DNS says about receiving reports for a policy domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authorization {
    /// The destination accepts the reports. `rua` holds the URIs of the confirming record's
    /// own `rua=` tag, which replace the policy record's (step 9); empty when it has none.
    Authorized {
        /// The replacement URIs, all at the destination host.
        rua: Vec<String>,
    },
    /// The destination has not agreed: send it no report.
    NotAuthorized(Refusal),
}

/// Why a destination is not authorized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The name to query would exceed the DNS limits (step 4).
    NameTooLong,
    /// No TXT record there starts with `v=DMARC1` (steps 6 and 7).
    NoRecord,
    /// The confirming record's `rua=` points at yet another host, so neither the original
    /// nor the override may be used (step 9 and the paragraph after it).
    OverrideElsewhere,
}

/// The host of a report URI: the domain of a `mailto:` address, or the host of an
/// authority (`scheme://host`), without a size limit (`!10m`), port or query.
///
/// ```
/// use mailroom_dmarc::report::destination_host;
/// assert_eq!(destination_host("mailto:reports@red.example.net!10m"), Some("red.example.net"));
/// assert_eq!(destination_host("https://dmarc.example.org:8443/in"), Some("dmarc.example.org"));
/// assert_eq!(destination_host("mailto:nobody"), None);
/// ```
pub fn destination_host(uri: &str) -> Option<&str> {
    let (scheme, rest) = uri.trim().split_once(':')?;
    let host = if scheme.eq_ignore_ascii_case("mailto") {
        let address = rest.split(['!', '?', ',']).next()?;
        address.rsplit_once('@')?.1
    } else {
        let authority = rest.strip_prefix("//")?.split(['/', '?', '#']).next()?;
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        host_port.split(':').next()?
    };
    (!host.is_empty()).then_some(host)
}

/// Whether `destination` is outside the organization of `policy_domain`, so it must be
/// verified: their organizational domains differ (names compared as lower-case A-labels; a
/// name `organizational` knows nothing of stands for itself).
///
/// ```
/// use mailroom_dmarc::report::is_external;
/// let org = |d: &str| d.rsplit('.').take(2).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join(".").into();
/// assert!(is_external("blue.example.com", "red.example.net", org));
/// assert!(!is_external("blue.example.com", "reports.example.com", org));
/// ```
pub fn is_external(
    policy_domain: &str,
    destination: &str,
    organizational: impl Fn(&str) -> Option<String>,
) -> bool {
    let org = |name: &str| {
        let ascii = mailroom_dns::to_ascii(name).unwrap_or_else(|_| name.to_ascii_lowercase());
        organizational(&ascii)
            .map(|o| o.to_ascii_lowercase())
            .unwrap_or(ascii)
    };
    org(policy_domain) != org(destination)
}

/// Checks that `destination` (a host from [`destination_host`]) agrees to receive reports
/// for `policy_domain` (the domain the DMARC record was found at).
///
/// ```
/// use mailroom_dmarc::report::{Authorization, Refusal, verify_destination};
/// use mailroom_dns::Zone;
/// use futures::executor::block_on;
/// let zone = Zone::from_text("blue.example.com._report._dmarc.red.example.net. TXT \"v=DMARC1\"")?;
/// let yes = block_on(verify_destination(&zone, "blue.example.com", "red.example.net"))?;
/// assert_eq!(yes, Authorization::Authorized { rua: vec![] });
/// let no = block_on(verify_destination(&zone, "green.example.com", "red.example.net"))?;
/// assert_eq!(no, Authorization::NotAuthorized(Refusal::NoRecord));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidDomain`] when either name is not a domain name, and [`Error::Dns`] when
/// the lookup fails for a temporary reason: the check can be repeated later (step 5), which
/// is not the same as the destination refusing.
pub async fn verify_destination<R: Resolver>(
    resolver: &R,
    policy_domain: &str,
    destination: &str,
) -> Result<Authorization, Error> {
    let ascii = |name: &str| {
        mailroom_dns::to_ascii(name).map_err(|_| Error::InvalidDomain {
            domain: name.to_owned(),
        })
    };
    let policy = ascii(policy_domain)?;
    let host = ascii(destination)?;
    // Steps 1 to 3.
    let name = format!("{policy}._report._dmarc.{host}");
    // Step 4: RFC 1035 §2.3.4, 255 octets on the wire, so 253 characters in text form.
    if name.len() > 253 || name.split('.').any(|label| label.len() > 63) {
        return Ok(Authorization::NotAuthorized(Refusal::NameTooLong));
    }
    // Step 5.
    let records = match resolver.txt(&name).await {
        Ok(Answer::Records(records)) => records,
        Ok(Answer::NoData | Answer::NxDomain) => {
            return Ok(Authorization::NotAuthorized(Refusal::NoRecord));
        }
        Err(source) if source.is_temporary() => return Err(Error::Dns { name, source }),
        Err(_) => return Ok(Authorization::NotAuthorized(Refusal::NoRecord)),
    };
    // Steps 6 to 8: records that start with v=DMARC1.
    let confirming: Vec<Record> = records
        .iter()
        .map(mailroom_dns::Txt::joined)
        .filter(|text| Record::is_dmarc(text))
        .filter_map(|text| {
            std::str::from_utf8(&text)
                .ok()
                .and_then(|t| Record::parse(t).ok())
        })
        .collect();
    if confirming.is_empty() {
        return Ok(Authorization::NotAuthorized(Refusal::NoRecord));
    }
    // Step 9: an override must stay at the destination host.
    let rua = confirming
        .into_iter()
        .map(|record| record.aggregate_uris)
        .find(|uris| !uris.is_empty())
        .unwrap_or_default();
    let elsewhere = rua.iter().any(|uri| {
        destination_host(uri).is_none_or(|h| mailroom_dns::to_ascii(h).map_or(true, |h| h != host))
    });
    if elsewhere {
        return Ok(Authorization::NotAuthorized(Refusal::OverrideElsewhere));
    }
    Ok(Authorization::Authorized { rua })
}
