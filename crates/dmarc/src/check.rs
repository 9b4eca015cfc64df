//! The whole DMARC check of one message (RFC 9989 §4.8): the From domain, policy discovery,
//! organizational domains for relaxed alignment, the existence test for `np=`, and the
//! evaluation, with DNS failures reported as `temperror` and unusable From fields as
//! `permerror`.

use std::borrow::Cow;
use std::sync::Arc;

use mailroom_dns::{Answer, Resolver};

use crate::auth_results::MethodResult;
use crate::discover::{
    Caches, Discovery, MAX_TREE_WALK_QUERIES, NameCache, RecordCache, Walk, fetch,
};
use crate::error::Error;
use crate::from::from_domains;
use crate::org_domain::PublicSuffixList;
use crate::policy::{
    Disposition, DmarcOutput, DmarcResult, Identifiers, PolicyInForce, Why, evaluate_ascii,
    no_result,
};
use crate::record::Record;

/// Whether a name is already in the form [`mailroom_dns::to_ascii_cow`] gives (it then borrows
/// the whole name back).
fn is_plain(name: &str) -> bool {
    matches!(mailroom_dns::to_ascii_cow(name), Ok(Cow::Borrowed(same)) if same.len() == name.len())
}

/// A From or identifier domain as A-labels, borrowed when it already is.
fn ascii(domain: &str) -> Result<Cow<'_, str>, Error> {
    mailroom_dns::to_ascii_cow(domain).map_err(|_| Error::InvalidDomain {
        domain: domain.to_owned(),
    })
}

/// How organizational domains are found.
#[derive(Debug, Clone, Copy, Default)]
pub enum OrganizationalDomains<'a> {
    /// The DNS tree walk of RFC 9989 §4.10 (the default).
    #[default]
    TreeWalk,
    /// The Public Suffix List, as RFC 7489 §3.2 did.
    PublicSuffixList(&'a PublicSuffixList),
}

/// Checks DMARC for messages, looking records up through a [`Resolver`].
///
/// ```
/// use mailroom_dmarc::{Checker, DmarcResult, Disposition, Identifiers};
/// use mailroom_dns::Zone;
/// let zone = Zone::from_text("_dmarc.example.com. TXT \"v=DMARC1; p=reject\"")?;
/// let message = b"From: Joe <joe@news.example.com>\r\nSubject: hi\r\n\r\nHello\r\n";
/// let checker = Checker::new(&zone);
///
/// let signed = Identifiers { spf_pass: None, dkim_pass: &["example.com"] };
/// let check = futures::executor::block_on(checker.check_message(message, signed, 0));
/// assert_eq!(check.output.result, DmarcResult::Pass);
///
/// let forged = Identifiers { spf_pass: Some("forger.example"), dkim_pass: &[] };
/// let check = futures::executor::block_on(checker.check_message(message, forged, 0));
/// assert_eq!((check.output.result, check.output.disposition), (DmarcResult::Fail, Disposition::Reject));
/// assert_eq!(check.policy_domain(), Some("example.com"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Checker<'r, R> {
    resolver: &'r R,
    organizational: OrganizationalDomains<'r>,
    /// Shared by clones and by checkers given the same cache.
    cache: Cache,
    now: Option<u64>,
}

/// What checkers keep between checks: parsed DMARC records and, for checkers given the time,
/// what each `_dmarc` name held, for the TTL of its answer. Clones share the contents, so a
/// server keeps one and hands it to the checker of every message ([`Checker::cache`]). Each
/// part holds at most 4096 entries and starts again empty when full. What is kept is kept by
/// name, so a cache serves checkers of one view of the DNS (one resolver).
///
/// ```
/// use mailroom_dmarc::{Cache, Checker, Identifiers};
/// use mailroom_dns::Zone;
///
/// let zone = Zone::from_text(r#"_dmarc.example.com. TXT "v=DMARC1; p=reject""#)?;
/// let cache = Cache::default();
/// let message = b"From: a@example.com\r\n\r\nhi\r\n";
/// let aligned = Identifiers { spf_pass: Some("example.com"), dkim_pass: &[] };
/// for now in [1_700_000_000, 1_700_000_060] {
///     let checker = Checker::new(&zone).cache(&cache).now(now);
///     let check = futures::executor::block_on(checker.check_message(message, aligned, 0));
///     assert_eq!(check.policy_domain(), Some("example.com"));
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Cache {
    /// Parsed records by their text.
    records: Arc<RecordCache>,
    /// What each `_dmarc` name held, for its TTL; used only once the time is given.
    names: Arc<NameCache>,
}

// Not derived: that would ask for `R: Clone`, and the resolver is only borrowed.
impl<R> Clone for Checker<'_, R> {
    fn clone(&self) -> Self {
        Self {
            resolver: self.resolver,
            organizational: self.organizational,
            cache: self.cache.clone(),
            now: self.now,
        }
    }
}

/// What the DMARC check of one message found, with how it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DmarcCheck {
    /// The From domain as A-labels, when the From field gave one.
    pub from_domain: Option<String>,
    /// The policy record in force.
    pub record: Option<Arc<Record>>,
    /// The result, the disposition and why.
    pub output: DmarcOutput,
    /// Where in `from_domain` the name the record was found at starts (it is a suffix).
    policy_at: Option<usize>,
    /// Where in `from_domain` its organizational domain starts.
    organizational_at: Option<usize>,
    /// Where in `from_domain` each name asked starts (a name has at most 253 octets).
    queried_at: [u8; MAX_TREE_WALK_QUERIES],
    /// How many names were asked.
    queried_len: usize,
}

impl DmarcCheck {
    /// The domain the policy record was found at.
    pub fn policy_domain(&self) -> Option<&str> {
        self.suffix(self.policy_at?)
    }

    /// The From domain's organizational domain, when a record was found on the way up.
    pub fn organizational_domain(&self) -> Option<&str> {
        self.suffix(self.organizational_at?)
    }

    /// The domains whose `_dmarc` records were asked for, in order.
    pub fn queried(&self) -> impl Iterator<Item = &str> {
        self.queried_at[..self.queried_len]
            .iter()
            .filter_map(|&at| self.suffix(usize::from(at)))
    }

    fn suffix(&self, at: usize) -> Option<&str> {
        self.from_domain.as_deref()?.get(at..)
    }
}

impl<'r, R: Resolver> Checker<'r, R> {
    /// A checker using the DNS tree walk.
    pub fn new(resolver: &'r R) -> Self {
        Self {
            resolver,
            organizational: OrganizationalDomains::TreeWalk,
            cache: Cache::default(),
            now: None,
        }
    }

    /// Gives the time, in seconds since the Unix epoch. From then on, what each `_dmarc` name
    /// held is kept for the TTL of its answer and not asked again until it runs out, as
    /// resolvers do; without the time every check asks the resolver (which may cache too).
    #[must_use]
    pub fn now(mut self, now: u64) -> Self {
        self.now = Some(now);
        self
    }

    /// Keeps parsed records (and, with the time given, what each `_dmarc` name held) in
    /// `cache`, shared with every other checker given it, instead of in a cache of this
    /// checker's own.
    #[must_use]
    pub fn cache(mut self, cache: &Cache) -> Self {
        self.cache = cache.clone();
        self
    }

    /// The caches for one check.
    fn caches(&self) -> Caches<'_> {
        Caches {
            texts: &self.cache.records,
            names: self.now.map(|now| (&*self.cache.names, now)),
        }
    }

    /// Chooses how organizational domains are found.
    #[must_use]
    pub fn organizational_domains(mut self, how: OrganizationalDomains<'r>) -> Self {
        self.organizational = how;
        self
    }

    /// Checks a message given by its header section (or all of it). `draw` is a number from 0
    /// to 99 for RFC 7489's `pct=` (randomness comes from the caller).
    ///
    /// A From field with addresses in several domains is checked for each; the strictest
    /// outcome is the message's (RFC 7489 §6.6.1, RFC 9989 §4.4): a failure (the harshest
    /// disposition first), else a temporary error, else a pass, else none.
    pub async fn check_message(
        &self,
        message: &[u8],
        identifiers: Identifiers<'_>,
        draw: u8,
    ) -> DmarcCheck {
        let domains = match from_domains(message) {
            Ok(domains) => domains,
            // RFC 9989 §4.4: without an author domain DMARC cannot be applied; the result says
            // why rather than guessing one.
            Err(error) => return failed(None, DmarcResult::PermError, &error),
        };
        if let [domain] = domains.as_slice() {
            return self.check_domain(domain, identifiers, draw).await;
        }
        let mut checks = Vec::with_capacity(domains.len());
        for domain in &domains {
            checks.push(self.check_domain(domain, identifiers, draw).await);
        }
        let severity = |check: &DmarcCheck| match check.output.result {
            DmarcResult::Fail => match check.output.disposition {
                Disposition::Reject => 7,
                Disposition::Quarantine => 6,
                Disposition::None => 5,
            },
            DmarcResult::TempError => 4,
            DmarcResult::PermError => 3,
            DmarcResult::Pass => 2,
            DmarcResult::None => 1,
        };
        let mut strictest: Option<DmarcCheck> = None;
        for check in checks {
            if strictest
                .as_ref()
                .is_none_or(|s| severity(&check) > severity(s))
            {
                strictest = Some(check);
            }
        }
        strictest.unwrap_or_else(|| {
            failed(
                None,
                DmarcResult::PermError,
                &Error::FromHeader {
                    problem: crate::error::FromProblem::NotOneAddress,
                },
            )
        })
    }

    /// Checks a message whose From domain is `from_domain`.
    pub async fn check_domain(
        &self,
        from_domain: &str,
        identifiers: Identifiers<'_>,
        draw: u8,
    ) -> DmarcCheck {
        let from = || Some(from_domain.to_owned());
        match self.try_check(from_domain, identifiers, draw).await {
            Ok(check) => check,
            Err(error @ Error::Dns { .. }) => failed(from(), DmarcResult::TempError, &error),
            Err(error) => failed(from(), DmarcResult::PermError, &error),
        }
    }

    /// Finds the policy in force for `domain` and its organizational domain, by the chosen
    /// method.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidDomain`] for a domain that is not a name, [`Error::Dns`] when a lookup
    /// fails.
    pub async fn discover(&self, domain: &str) -> Result<Discovery, Error> {
        let ascii = ascii(domain)?;
        let walk = self.walk(&ascii, None).await?;
        let organizational_domain = self.organizational(&walk).map(str::to_owned);
        Ok(Discovery {
            organizational_domain,
            ..walk.into_discovery()
        })
    }

    /// The records on the way from `domain` (A-labels) by the chosen method; names asked in
    /// `known` are not asked again.
    async fn walk<'d>(&self, domain: &'d str, known: Option<&Walk<'_>>) -> Result<Walk<'d>, Error> {
        match self.organizational {
            OrganizationalDomains::TreeWalk => {
                Walk::run(self.resolver, domain, self.caches(), known).await
            }
            OrganizationalDomains::PublicSuffixList(psl) => {
                // RFC 7489 §6.6.3: the domain's own record, else its organizational domain's.
                let record = fetch(self.resolver, domain, self.caches()).await?;
                let mut walk = Walk::new(domain);
                let found = record.is_some();
                walk.push(domain, record);
                if let (false, Some(org)) = (found, psl.organizational_domain(domain))
                    && org != domain
                {
                    let record = fetch(self.resolver, &org, self.caches()).await?;
                    walk.push(&org, record);
                }
                Ok(walk)
            }
        }
    }

    /// The organizational domain of a walk's domain (a suffix of it), when one is found.
    fn organizational<'d>(&self, walk: &Walk<'d>) -> Option<&'d str> {
        match self.organizational {
            OrganizationalDomains::TreeWalk => walk.organizational_domain(),
            OrganizationalDomains::PublicSuffixList(psl) => {
                let domain = walk.domain;
                let org = psl.organizational_domain(domain)?;
                // The list gives a suffix of the domain in the same form.
                domain
                    .ends_with(&org)
                    .then(|| &domain[domain.len() - org.len()..])
            }
        }
    }

    async fn try_check(
        &self,
        from: &str,
        identifiers: Identifiers<'_>,
        draw: u8,
    ) -> Result<DmarcCheck, Error> {
        let from = ascii(from)?;
        let walk = self.walk(&from, None).await?;
        let found_org = self.organizational(&walk);
        // RFC 9989 §4.10.2: with no record anywhere, a domain is its own organizational domain.
        let from_org = found_org.unwrap_or(&from);
        // Identifiers are nearly always A-labels in lower case already; others are converted.
        let plain = identifiers
            .spf_pass
            .into_iter()
            .chain(identifiers.dkim_pass.iter().copied())
            .all(is_plain);
        let spf = identifiers
            .spf_pass
            .and_then(|d| mailroom_dns::to_ascii_cow(d).ok());
        let dkim: Vec<Cow<'_, str>> = if plain {
            Vec::new()
        } else {
            identifiers
                .dkim_pass
                .iter()
                .filter_map(|d| mailroom_dns::to_ascii_cow(d).ok())
                .collect()
        };
        let dkim_refs: Vec<&str> = dkim.iter().map(AsRef::as_ref).collect();
        let ascii_ids = if plain {
            identifiers
        } else {
            Identifiers {
                spf_pass: spf.as_deref(),
                dkim_pass: &dkim_refs,
            }
        };
        let orgs = self
            .identifier_orgs(&from, from_org, &walk, ascii_ids)
            .await?;
        let policy = walk.policy();
        let from_exists = match policy {
            Some((at, record)) if record.nonexistent_policy.is_some() && at != from => {
                self.exists(&from).await
            }
            _ => true,
        };
        let output = evaluate_ascii(
            policy.map(|(domain, record)| PolicyInForce { domain, record }),
            &from,
            ascii_ids,
            org_lookup(&from, from_org, &orgs),
            from_exists,
            draw,
        );
        let offset = |suffix: &str| from.len() - suffix.len();
        let mut queried_at = [0; MAX_TREE_WALK_QUERIES];
        let mut queried_len = 0;
        for (slot, at) in queried_at.iter_mut().zip(walk.offsets()) {
            *slot = u8::try_from(at).unwrap_or(u8::MAX);
            queried_len += 1;
        }
        Ok(DmarcCheck {
            record: policy.map(|(_, record)| Arc::clone(record)),
            policy_at: policy.map(|(domain, _)| offset(domain)),
            organizational_at: found_org.map(offset),
            queried_at,
            queried_len,
            output,
            from_domain: Some(from.into_owned()),
        })
    }

    /// The organizational domains of the authenticated identifiers (A-labels) that could align
    /// with the From domain: only names at or under the From domain's organizational domain
    /// can share it, so no other name is walked for, and names the From domain's walk asked
    /// are not asked again.
    async fn identifier_orgs<'a>(
        &self,
        from: &str,
        from_org: &str,
        from_walk: &Walk<'_>,
        identifiers: Identifiers<'a>,
    ) -> Result<Vec<(&'a str, String)>, Error> {
        let mut orgs: Vec<(&'a str, String)> = Vec::new();
        let candidates = identifiers
            .spf_pass
            .into_iter()
            .chain(identifiers.dkim_pass.iter().copied());
        for name in candidates {
            let under = name
                .strip_suffix(from_org)
                .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'));
            if name == from || name == from_org || !under || orgs.iter().any(|(n, _)| *n == name) {
                continue;
            }
            let walk = self.walk(name, Some(from_walk)).await?;
            let org = self.organizational(&walk).unwrap_or(name).to_owned();
            orgs.push((name, org));
        }
        Ok(orgs)
    }

    /// Whether a domain exists for `np=` (RFC 9989 §4.7): a name exists unless the DNS says
    /// NXDOMAIN, which holds for every type at once (RFC 8020), so one query answers it. A
    /// failed lookup counts as existing, so the milder `sp`/`p` applies.
    async fn exists(&self, domain: &str) -> bool {
        !matches!(self.resolver.a(domain).await, Ok(Answer::NxDomain))
    }
}

impl MethodResult {
    /// The `dmarc=` result (RFC 9989 §9.1, RFC 8601 §2.7.1): `header.from`, the record's
    /// `polrec.p` and, when the record was found elsewhere, `polrec.domain`, and the policy
    /// applied as `policy.dmarc`; the reason as the comment.
    pub fn dmarc(check: &DmarcCheck) -> Self {
        let out = &check.output;
        let mut result = Self::new("dmarc", out.result.to_string()).comment(out.reason());
        result = result.property(
            "header",
            "from",
            check.from_domain.as_deref().unwrap_or("none"),
        );
        if let Some(p) = check.record.as_ref().and_then(|r| r.policy) {
            result = result.property("polrec", "p", p.as_str());
        }
        if let Some(domain) = check.policy_domain()
            && check.from_domain.as_deref() != Some(domain)
        {
            result = result.property("polrec", "domain", domain);
        }
        if let Some(applied) = out.policy {
            result = result.property("policy", "dmarc", applied.as_str());
        }
        result
    }
}

/// The organizational domains known for a check, by name: the From domain's, the identifiers'
/// that were walked for, and each name under the From domain's organizational domain that was
/// not walked for because it is that domain.
fn org_lookup<'a>(
    from: &'a str,
    from_org: &'a str,
    orgs: &'a [(&'a str, String)],
) -> impl Fn(&str) -> Option<&'a str> + 'a {
    move |domain| {
        if domain == from || domain == from_org {
            Some(from_org)
        } else {
            orgs.iter()
                .find(|(name, _)| *name == domain)
                .map(|(_, org)| org.as_str())
        }
    }
}

fn failed(from: Option<String>, result: DmarcResult, error: &Error) -> DmarcCheck {
    DmarcCheck {
        from_domain: from,
        record: None,
        output: DmarcOutput {
            result,
            disposition: Disposition::None,
            ..no_result(Why::Error(error.to_string()))
        },
        policy_at: None,
        organizational_at: None,
        queried_at: [0; MAX_TREE_WALK_QUERIES],
        queried_len: 0,
    }
}
