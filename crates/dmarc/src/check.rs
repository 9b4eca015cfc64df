//! The whole DMARC check of one message (RFC 9989 §4.8): the From domain, policy discovery,
//! organizational domains for relaxed alignment, the existence test for `np=`, and the
//! evaluation, with DNS failures reported as `temperror` and unusable From fields as
//! `permerror`.

use std::collections::HashMap;

use mailroom_dns::{Answer, Resolver};

use crate::auth_results::MethodResult;
use crate::discover::{Discovery, discover, fetch};
use crate::error::Error;
use crate::from::from_domains;
use crate::org_domain::PublicSuffixList;
use crate::policy::{
    Disposition, DmarcOutput, DmarcResult, Identifiers, PolicyInForce, evaluate, no_result,
};
use crate::record::Record;

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
/// assert_eq!(check.policy_domain.as_deref(), Some("example.com"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Checker<'r, R> {
    resolver: &'r R,
    organizational: OrganizationalDomains<'r>,
}

/// What the DMARC check of one message found, with how it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DmarcCheck {
    /// The From domain, when the From field gave one.
    pub from_domain: Option<String>,
    /// Where the policy record was found.
    pub policy_domain: Option<String>,
    /// The policy record in force.
    pub record: Option<Record>,
    /// The From domain's organizational domain.
    pub organizational_domain: Option<String>,
    /// The domains whose `_dmarc` records were asked for, in order.
    pub queried: Vec<String>,
    /// The result, the disposition and why.
    pub output: DmarcOutput,
}

impl<'r, R: Resolver> Checker<'r, R> {
    /// A checker using the DNS tree walk.
    pub fn new(resolver: &'r R) -> Self {
        Self {
            resolver,
            organizational: OrganizationalDomains::TreeWalk,
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
        let from = from_domain.to_owned();
        match self.try_check(&from, identifiers, draw).await {
            Ok(check) => check,
            Err(error @ Error::Dns { .. }) => failed(Some(from), DmarcResult::TempError, &error),
            Err(error) => failed(Some(from), DmarcResult::PermError, &error),
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
        match self.organizational {
            OrganizationalDomains::TreeWalk => discover(self.resolver, domain).await,
            OrganizationalDomains::PublicSuffixList(psl) => {
                let domain = mailroom_dns::to_ascii(domain).map_err(|_| Error::InvalidDomain {
                    domain: domain.to_owned(),
                })?;
                let org = psl.organizational_domain(&domain);
                // RFC 7489 §6.6.3: the From domain's record, else the organizational domain's.
                let mut queried = vec![domain.clone()];
                let mut policy = fetch(self.resolver, &domain)
                    .await?
                    .map(|record| (domain.clone(), record));
                if let (None, Some(org)) = (&policy, &org)
                    && *org != domain
                {
                    queried.push(org.clone());
                    policy = fetch(self.resolver, org)
                        .await?
                        .map(|record| (org.clone(), record));
                }
                Ok(Discovery {
                    policy,
                    organizational_domain: org,
                    queried,
                })
            }
        }
    }

    async fn try_check(
        &self,
        from: &str,
        identifiers: Identifiers<'_>,
        draw: u8,
    ) -> Result<DmarcCheck, Error> {
        let found = self.discover(from).await?;
        let from = mailroom_dns::to_ascii(from).map_err(|_| Error::InvalidDomain {
            domain: from.to_owned(),
        })?;
        // RFC 9989 §4.10.2: with no record anywhere, a domain is its own organizational domain.
        let from_org = found
            .organizational_domain
            .clone()
            .unwrap_or_else(|| from.clone());
        let orgs = self.identifier_orgs(&from, &from_org, identifiers).await?;
        let from_exists = match &found.policy {
            Some((at, record)) if record.nonexistent_policy.is_some() && *at != from => {
                self.exists(&from).await
            }
            _ => true,
        };
        let policy = found
            .policy
            .as_ref()
            .map(|(domain, record)| PolicyInForce { domain, record });
        let organizational = |domain: &str| {
            if domain == from {
                Some(from_org.clone())
            } else {
                orgs.get(domain).cloned()
            }
        };
        let output = evaluate(
            policy,
            &from,
            identifiers,
            organizational,
            from_exists,
            draw,
        );
        let (policy_domain, record) = found.policy.unzip();
        Ok(DmarcCheck {
            from_domain: Some(from),
            policy_domain,
            record,
            organizational_domain: found.organizational_domain,
            queried: found.queried,
            output,
        })
    }

    /// The organizational domains of the authenticated identifiers that could align with the
    /// From domain: only names at or under the From domain's organizational domain can share
    /// it, so no other name is walked for.
    async fn identifier_orgs(
        &self,
        from: &str,
        from_org: &str,
        identifiers: Identifiers<'_>,
    ) -> Result<HashMap<String, String>, Error> {
        let mut orgs = HashMap::new();
        let candidates = identifiers
            .spf_pass
            .into_iter()
            .chain(identifiers.dkim_pass.iter().copied());
        for name in candidates {
            let Ok(name) = mailroom_dns::to_ascii(name) else {
                continue;
            };
            let under = name == from_org || name.ends_with(&format!(".{from_org}"));
            if name == from || !under || orgs.contains_key(&name) {
                continue;
            }
            let org = match self.organizational {
                _ if name == from_org => Some(name.clone()),
                OrganizationalDomains::PublicSuffixList(psl) => psl.organizational_domain(&name),
                OrganizationalDomains::TreeWalk => discover(self.resolver, &name)
                    .await?
                    .organizational_domain
                    .or_else(|| Some(name.clone())),
            };
            if let Some(org) = org {
                orgs.insert(name, org);
            }
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
        let mut result = Self::new("dmarc", out.result.to_string()).comment(&out.reason);
        result = result.property(
            "header",
            "from",
            check.from_domain.as_deref().unwrap_or("none"),
        );
        if let Some(p) = check.record.as_ref().and_then(|r| r.policy) {
            result = result.property("polrec", "p", p.as_str());
        }
        if let Some(domain) = &check.policy_domain
            && check.from_domain.as_ref() != Some(domain)
        {
            result = result.property("polrec", "domain", domain);
        }
        if let Some(applied) = out.policy {
            result = result.property("policy", "dmarc", applied.as_str());
        }
        result
    }
}

fn failed(from: Option<String>, result: DmarcResult, error: &Error) -> DmarcCheck {
    DmarcCheck {
        from_domain: from,
        policy_domain: None,
        record: None,
        organizational_domain: None,
        queried: Vec::new(),
        output: DmarcOutput {
            result,
            disposition: Disposition::None,
            ..no_result(&error.to_string())
        },
    }
}
