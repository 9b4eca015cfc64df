//! Policy discovery and the organizational domain by the DNS tree walk of RFC 9989 §4.10: from
//! the From domain up the tree, at most eight queries, stopping at a record with `psd=`.

use std::sync::Arc;

use mailroom_dns::{Answer, ParsedCache, Resolver, TtlCache};

use crate::error::Error;
use crate::record::Record;

/// The most DMARC queries one walk makes (RFC 9989 §4.10.1).
pub const MAX_TREE_WALK_QUERIES: usize = 8;

/// Parsed DMARC records by their text (`None` for text that is not a usable record).
pub(crate) type RecordCache = ParsedCache<Option<Arc<Record>>>;

/// What was found at `_dmarc.<name>`, kept by name for the answer's TTL.
pub(crate) type NameCache = TtlCache<Option<Arc<Record>>>;

/// The caches a walk uses: parsed records by text, and, when the caller gave the time, what
/// each name held until its TTL runs out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caches<'c> {
    pub(crate) texts: &'c RecordCache,
    pub(crate) names: Option<(&'c NameCache, u64)>,
}

/// What the tree walk found for one domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// The policy in force and the domain it was published at: the From domain's own record,
    /// else the first found walking up.
    pub policy: Option<(String, Arc<Record>)>,
    /// The organizational domain (RFC 9989 §4.10.2), when any record was found.
    pub organizational_domain: Option<String>,
    /// The domains queried, in order (each at `_dmarc.<domain>`).
    pub queried: Vec<String>,
}

/// The domains a walk from `domain` queries, in order (RFC 9989 §4.10.1 steps 4-8): the domain
/// itself, then, from eight labels or more, its last seven, then one label fewer each time.
pub fn tree_walk_targets(domain: &str) -> Vec<String> {
    targets(domain).map(str::to_owned).collect()
}

/// [`tree_walk_targets`] as slices of `domain`, without allocating.
fn targets(domain: &str) -> impl Iterator<Item = &str> {
    let labels = domain.bytes().filter(|&b| b == b'.').count() + 1;
    let first_jump = if labels >= 8 { 7 } else { labels - 1 };
    // The last `count` labels of the domain.
    let last = move |count: usize| {
        let start = domain
            .bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'.')
            .map(|(at, _)| at + 1)
            .nth(labels - 1 - count)
            .unwrap_or(0);
        &domain[start..]
    };
    std::iter::once(domain).chain((1..=first_jump).rev().map(last))
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
    let domain = mailroom_dns::to_ascii_cow(from_domain).map_err(|_| Error::InvalidDomain {
        domain: from_domain.to_owned(),
    })?;
    let texts = RecordCache::new(64);
    let caches = Caches {
        texts: &texts,
        names: None,
    };
    Ok(Walk::run(resolver, &domain, caches, None)
        .await?
        .into_discovery())
}

/// One walk from a domain: every name asked (each a suffix of the domain, kept as the byte
/// offset where it starts) and what was found there, in order. At most
/// [`MAX_TREE_WALK_QUERIES`] steps, kept inline.
#[derive(Debug)]
pub(crate) struct Walk<'d> {
    pub(crate) domain: &'d str,
    steps: [(usize, Option<Arc<Record>>); MAX_TREE_WALK_QUERIES],
    len: usize,
}

impl<'d> Walk<'d> {
    /// An empty walk from `domain`.
    pub(crate) fn new(domain: &'d str) -> Self {
        Self {
            domain,
            steps: Default::default(),
            len: 0,
        }
    }

    /// Walks from `domain` (A-labels). Names already asked in `known` are not asked again.
    pub(crate) async fn run<R: Resolver>(
        resolver: &R,
        domain: &'d str,
        caches: Caches<'_>,
        known: Option<&Walk<'_>>,
    ) -> Result<Self, Error> {
        let mut walk = Self::new(domain);
        for target in targets(domain).take(MAX_TREE_WALK_QUERIES) {
            let earlier = known.and_then(|k| k.steps().find(|(asked, _)| *asked == target));
            let record = match earlier {
                Some((_, record)) => record.cloned(),
                None => fetch(resolver, target, caches).await?,
            };
            let stop = record.as_ref().is_some_and(|r| r.psd.is_some());
            walk.push(target, record);
            if stop {
                break;
            }
        }
        Ok(walk)
    }

    /// Where in the domain each name asked starts, in order.
    pub(crate) fn offsets(&self) -> impl Iterator<Item = usize> + '_ {
        self.steps[..self.len].iter().map(|(at, _)| *at)
    }

    /// Records what was found at `target`, a suffix of the walk's domain.
    pub(crate) fn push(&mut self, target: &str, record: Option<Arc<Record>>) {
        if let Some(step) = self.steps.get_mut(self.len) {
            *step = (self.domain.len().saturating_sub(target.len()), record);
            self.len += 1;
        }
    }

    /// The names asked and what was found, in order.
    pub(crate) fn steps(&self) -> impl Iterator<Item = (&'d str, Option<&Arc<Record>>)> {
        let domain = self.domain;
        self.steps[..self.len]
            .iter()
            .map(move |(at, record)| (&domain[*at..], record.as_ref()))
    }

    /// The records found, in walk order.
    fn found(&self) -> impl Iterator<Item = (&'d str, &Arc<Record>)> {
        self.steps()
            .filter_map(|(domain, record)| record.map(|r| (domain, r)))
    }

    /// RFC 9989 §4.10.2: a record with `psd=n` names the organizational domain; one with `psd=y`
    /// (not at the starting domain) makes it the domain one label below; otherwise it is the
    /// found domain with the fewest labels.
    pub(crate) fn organizational_domain(&self) -> Option<&'d str> {
        let start = self.domain;
        // The walk asks ever shorter names, so the last one found has the fewest labels.
        let mut fewest = None;
        for (domain, record) in self.found() {
            match record.psd {
                Some(false) => return Some(domain),
                Some(true) if domain != start => {
                    let below = start.len() - domain.len() - 1;
                    let label_start = start[..below].rfind('.').map_or(0, |dot| dot + 1);
                    return Some(&start[label_start..]);
                }
                _ => fewest = Some(domain),
            }
        }
        fewest
    }

    /// The policy in force: the first record found.
    pub(crate) fn policy(&self) -> Option<(&'d str, &Arc<Record>)> {
        self.found().next()
    }

    pub(crate) fn into_discovery(self) -> Discovery {
        let organizational_domain = self.organizational_domain().map(str::to_owned);
        let policy = self
            .policy()
            .map(|(domain, record)| (domain.to_owned(), Arc::clone(record)));
        Discovery {
            policy,
            organizational_domain,
            queried: self.steps().map(|(domain, _)| domain.to_owned()).collect(),
        }
    }
}

/// The DMARC record at `_dmarc.<domain>`: none when there is none, or more than one
/// (RFC 9989 §4.10.1 step 2).
pub(crate) async fn fetch<R: Resolver>(
    resolver: &R,
    domain: &str,
    caches: Caches<'_>,
) -> Result<Option<Arc<Record>>, Error> {
    // The query name, built on the stack: `_dmarc.` and a name of at most 253 octets.
    let mut buffer = [0u8; 7 + 256];
    let name = match buffer.get_mut(..7 + domain.len()) {
        Some(name) => {
            name[..7].copy_from_slice(b"_dmarc.");
            name[7..].copy_from_slice(domain.as_bytes());
            std::str::from_utf8(name).unwrap_or_default()
        }
        None => return Ok(None),
    };
    if let Some((names, now)) = caches.names
        && let Some(kept) = names.get(name, now)
    {
        return Ok(kept);
    }
    let (answer, ttl) = resolver.txt_with_ttl(name).await;
    let answer = match answer {
        Ok(answer) => answer,
        // A name that cannot be asked has no record.
        Err(source) if !source.is_temporary() => return Ok(None),
        Err(source) => {
            return Err(Error::Dns {
                name: name.to_owned(),
                source,
            });
        }
    };
    let found = match answer {
        Answer::Records(records) => {
            let mut dmarc = records
                .iter()
                .map(mailroom_dns::Txt::joined)
                .filter(|text| Record::is_dmarc(text));
            match (dmarc.next(), dmarc.next()) {
                (Some(only), None) => caches.texts.get_or_parse(&only, |bytes| {
                    let text = std::str::from_utf8(bytes).ok()?;
                    Record::parse(text).ok().map(Arc::new)
                }),
                // None, or more than one: no policy (RFC 9989 §4.10.1 step 2).
                _ => None,
            }
        }
        Answer::NoData | Answer::NxDomain => None,
    };
    if let (Some((names, now)), Some(ttl)) = (caches.names, ttl) {
        names.insert(name, found.clone(), now, ttl);
    }
    Ok(found)
}
