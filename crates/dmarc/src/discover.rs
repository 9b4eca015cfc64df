//! Policy discovery and the organizational domain by the DNS tree walk of RFC 9989 §4.10: from
//! the From domain up the tree, at most eight queries, stopping at a record with `psd=`.

use mailroom_dns::{Answer, Resolver};

use crate::error::Error;
use crate::record::Record;

/// The most DMARC queries one walk makes (RFC 9989 §4.10.1).
pub const MAX_TREE_WALK_QUERIES: usize = 8;

/// What the tree walk found for one domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// The policy in force and the domain it was published at: the From domain's own record,
    /// else the first found walking up.
    pub policy: Option<(String, Record)>,
    /// The organizational domain (RFC 9989 §4.10.2), when any record was found.
    pub organizational_domain: Option<String>,
    /// The domains queried, in order (each at `_dmarc.<domain>`).
    pub queried: Vec<String>,
}

/// The domains a walk from `domain` queries, in order (RFC 9989 §4.10.1 steps 4-8): the domain
/// itself, then, from eight labels or more, its last seven, then one label fewer each time.
pub fn tree_walk_targets(domain: &str) -> Vec<String> {
    let labels: Vec<&str> = domain.split('.').collect();
    let mut targets = vec![domain.to_owned()];
    let mut count = if labels.len() >= 8 {
        7
    } else {
        labels.len().saturating_sub(1)
    };
    while count >= 1 {
        targets.push(labels[labels.len() - count..].join("."));
        count -= 1;
    }
    targets
}

/// Walks the tree from `from_domain` (RFC 9989 §4.10).
///
/// ```
/// use mailroom_dmarc::{Policy, discover};
/// use mailroom_dns::Zone;
/// let zone = Zone::from_text("_dmarc.example.com. TXT \"v=DMARC1; p=reject\"")?;
/// let found = futures::executor::block_on(discover(&zone, "news.mail.example.com"))?;
/// let (at, record) = found.policy.unwrap();
/// assert_eq!((at.as_str(), record.policy), ("example.com", Some(Policy::Reject)));
/// assert_eq!(found.organizational_domain.as_deref(), Some("example.com"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidDomain`] for a From domain that is not a name, and [`Error::Dns`] when a
/// lookup fails (the caller reports `temperror`).
pub async fn discover<R: Resolver>(resolver: &R, from_domain: &str) -> Result<Discovery, Error> {
    let domain = mailroom_dns::to_ascii(from_domain).map_err(|_| Error::InvalidDomain {
        domain: from_domain.to_owned(),
    })?;
    let mut found: Vec<(String, Record)> = Vec::new();
    let mut queried = Vec::new();
    for target in tree_walk_targets(&domain)
        .into_iter()
        .take(MAX_TREE_WALK_QUERIES)
    {
        queried.push(target.clone());
        let Some(record) = fetch(resolver, &target).await? else {
            continue;
        };
        let stop = record.psd.is_some();
        found.push((target, record));
        if stop {
            break;
        }
    }
    let organizational_domain = organizational_domain(&domain, &found);
    Ok(Discovery {
        policy: found.into_iter().next(),
        organizational_domain,
        queried,
    })
}

/// RFC 9989 §4.10.2: a record with `psd=n` names the organizational domain; one with `psd=y`
/// (not at the starting domain) makes it the domain one label below; otherwise it is the found
/// domain with the fewest labels.
fn organizational_domain(start: &str, found: &[(String, Record)]) -> Option<String> {
    for (domain, record) in found {
        match record.psd {
            Some(false) => return Some(domain.clone()),
            Some(true) if domain != start => {
                let below = start.len() - domain.len() - 1;
                let prefix = &start[..below];
                let label = prefix.rsplit('.').next().unwrap_or(prefix);
                return Some(format!("{label}.{domain}"));
            }
            _ => {}
        }
    }
    found
        .iter()
        .min_by_key(|(domain, _)| domain.split('.').count())
        .map(|(domain, _)| domain.clone())
}

/// The DMARC record at `_dmarc.<domain>`: none when there is none, or more than one
/// (RFC 9989 §4.10.1 step 2).
pub(crate) async fn fetch<R: Resolver>(
    resolver: &R,
    domain: &str,
) -> Result<Option<Record>, Error> {
    let name = format!("_dmarc.{domain}");
    let answer = match resolver.txt(&name).await {
        Ok(answer) => answer,
        // A name that cannot be asked has no record.
        Err(source) if !source.is_temporary() => return Ok(None),
        Err(source) => return Err(Error::Dns { name, source }),
    };
    let Answer::Records(records) = answer else {
        return Ok(None);
    };
    let dmarc: Vec<_> = records
        .iter()
        .map(mailroom_dns::Txt::joined)
        .filter(|text| Record::is_dmarc(text))
        .collect();
    let [only] = dmarc.as_slice() else {
        return Ok(None);
    };
    Ok(std::str::from_utf8(only)
        .ok()
        .and_then(|text| Record::parse(text).ok()))
}
