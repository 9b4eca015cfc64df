//! The DMARC result and the disposition (RFC 9989 §4.8, with RFC 7489's `pct`): which
//! identifiers align, and what the published policy asks for a message that fails.

use std::fmt;
use std::fmt::Write as _;

use crate::align::aligned_ascii;
use crate::record::{Policy, Record};

/// The result of a DMARC check (RFC 8601 §2.7.1 names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DmarcResult {
    /// An aligned identifier passed.
    Pass,
    /// No aligned identifier passed.
    Fail,
    /// No policy applies (no record, or none usable).
    None,
    /// A DNS failure kept the check from finishing; a later try may succeed.
    TempError,
    /// The message cannot be checked: no usable From domain (RFC 9989 §4.4).
    PermError,
}

impl fmt::Display for DmarcResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::None => "none",
            Self::TempError => "temperror",
            Self::PermError => "permerror",
        })
    }
}

/// What to do with the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Disposition {
    /// Deliver as usual.
    None,
    /// Deliver as suspicious (a Junk folder).
    Quarantine,
    /// Refuse it.
    Reject,
}

impl From<Policy> for Disposition {
    fn from(policy: Policy) -> Self {
        match policy {
            Policy::None => Self::None,
            Policy::Quarantine => Self::Quarantine,
            Policy::Reject => Self::Reject,
        }
    }
}

impl Disposition {
    /// One step milder: what `t=y` and a `pct` draw outside the percentage ask for.
    fn milder(self) -> Self {
        match self {
            Self::Reject => Self::Quarantine,
            Self::Quarantine | Self::None => Self::None,
        }
    }
}

/// The authenticated identifiers of a message: what SPF and DKIM found passing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Identifiers<'a> {
    /// The domain SPF passed for: the MAIL FROM domain, or the HELO name for a null
    /// reverse-path (RFC 9989 §4.4.2); `None` unless SPF passed.
    pub spf_pass: Option<&'a str>,
    /// The `d=` of every DKIM signature that passed.
    pub dkim_pass: &'a [&'a str],
}

impl<'a> Identifiers<'a> {
    /// The domain SPF authenticated: only a pass counts, and the domain checked is the MAIL
    /// FROM domain, or the HELO name for the null reverse-path (RFC 9989 §4.4.2).
    pub fn spf_pass(spf: &'a mailroom_spf::SpfOutput) -> Option<&'a str> {
        (spf.result == mailroom_spf::SpfResult::Pass).then_some(spf.domain.as_str())
    }

    /// The `d=` domains of the DKIM signatures that passed, for [`Identifiers::dkim_pass`].
    pub fn dkim_pass(results: &'a [mailroom_dkim::SignatureResult]) -> Vec<&'a str> {
        results
            .iter()
            .filter(|r| r.result == mailroom_dkim::DkimResult::Pass)
            .filter_map(|r| r.signature.as_ref().map(|s| s.domain.as_str()))
            .collect()
    }
}

/// The policy in force for a message, as discovery found it.
#[derive(Debug, Clone, Copy)]
pub struct PolicyInForce<'a> {
    /// The domain the record was found at.
    pub domain: &'a str,
    /// The record.
    pub record: &'a Record,
}

/// What a DMARC check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DmarcOutput {
    /// Pass, fail or none.
    pub result: DmarcResult,
    /// What the policy asks for the message (always `None` for a pass).
    pub disposition: Disposition,
    /// The policy that applied (`p`, `sp` or `np`), if any.
    pub policy: Option<Policy>,
    /// The aligned DKIM domain, if one passed.
    pub dkim_aligned: Option<String>,
    /// Whether the SPF domain passed and aligned.
    pub spf_aligned: bool,
    /// Why: rendered by [`DmarcOutput::reason`] only when someone asks.
    pub(crate) why: Why,
}

/// Why an output is what it is, kept as data so a check allocates no text for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Why {
    /// A fixed explanation.
    Message(&'static str),
    /// The error that stopped the check.
    Error(String),
    /// An identifier aligned: see `dkim_aligned` and `spf_aligned`.
    Aligned,
    /// Nothing aligned; the tag that applied and what made the disposition milder.
    NotAligned {
        tag: &'static str,
        testing: bool,
        not_sampled: Option<u8>,
    },
}

impl DmarcOutput {
    /// Why the result and disposition are what they are, for logs and headers.
    pub fn reason(&self) -> String {
        match &self.why {
            Why::Message(text) => (*text).to_owned(),
            Why::Error(text) => text.clone(),
            Why::Aligned => match (&self.dkim_aligned, self.spf_aligned) {
                (Some(d), true) => format!("DKIM d={d} and SPF aligned"),
                (Some(d), false) => format!("DKIM d={d} aligned"),
                _ => "SPF aligned".to_owned(),
            },
            Why::NotAligned {
                tag,
                testing,
                not_sampled,
            } => {
                let mut reason = format!(
                    "no aligned identifier passed; {tag}={}",
                    self.policy.map_or("none", Policy::as_str)
                );
                if *testing {
                    reason.push_str("; t=y: one step milder");
                }
                if let Some(pct) = not_sampled {
                    let _ = write!(reason, "; pct={pct}: not sampled, one step milder");
                }
                reason
            }
        }
    }
}

/// Evaluates DMARC for a message whose From domain is `from_domain` (RFC 9989 §4.8).
///
/// `organizational` gives organizational domains for relaxed alignment (Public Suffix List
/// mode, or domains found by [`discover`](crate::discover)); `from_domain_exists` says whether
/// the From domain exists in the DNS (for `np=`); `draw` is a number from 0 to 99 for `pct=`
/// (randomness comes in from the caller).
///
/// ```
/// use mailroom_dmarc::{evaluate, DmarcResult, Disposition, Identifiers, PolicyInForce, Record};
/// let record = Record::parse("v=DMARC1; p=reject")?;
/// let policy = PolicyInForce { domain: "example.com", record: &record };
/// let org = |d: &str| Some(d.rsplit('.').take(2).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("."));
/// let ids = Identifiers { spf_pass: Some("bounce.example.com"), dkim_pass: &[] };
/// let out = evaluate(Some(policy), "example.com", ids, org, true, 0);
/// assert_eq!((out.result, out.disposition), (DmarcResult::Pass, Disposition::None));
/// let out = evaluate(Some(policy), "example.com", Identifiers::default(), org, true, 0);
/// assert_eq!((out.result, out.disposition), (DmarcResult::Fail, Disposition::Reject));
/// # Ok::<(), mailroom_dmarc::Error>(())
/// ```
pub fn evaluate(
    policy: Option<PolicyInForce<'_>>,
    from_domain: &str,
    identifiers: Identifiers<'_>,
    organizational: impl Fn(&str) -> Option<String>,
    from_domain_exists: bool,
    draw: u8,
) -> DmarcOutput {
    let from =
        mailroom_dns::to_ascii_cow(from_domain).unwrap_or(std::borrow::Cow::Borrowed(from_domain));
    let spf = identifiers
        .spf_pass
        .and_then(|d| mailroom_dns::to_ascii_cow(d).ok());
    let dkim: Vec<_> = identifiers
        .dkim_pass
        .iter()
        .filter_map(|d| mailroom_dns::to_ascii_cow(d).ok())
        .collect();
    let dkim: Vec<&str> = dkim.iter().map(AsRef::as_ref).collect();
    let identifiers = Identifiers {
        spf_pass: spf.as_deref(),
        dkim_pass: &dkim,
    };
    evaluate_ascii(
        policy,
        &from,
        identifiers,
        organizational,
        from_domain_exists,
        draw,
    )
}

/// [`evaluate`] for a From domain and identifiers already in A-labels.
pub(crate) fn evaluate_ascii<S: AsRef<str>>(
    policy: Option<PolicyInForce<'_>>,
    from: &str,
    identifiers: Identifiers<'_>,
    organizational: impl Fn(&str) -> Option<S>,
    from_domain_exists: bool,
    draw: u8,
) -> DmarcOutput {
    let Some(PolicyInForce { domain, record }) = policy else {
        return no_result(Why::Message("no DMARC record was found"));
    };
    // RFC 9989 §4.7: `p` at the domain the record was published for and at the organizational
    // domain (a record found at a public suffix above it); `np` for a subdomain that does not
    // exist; `sp` for other subdomains; `p` when the one asked for is absent.
    let at_policy_domain = from == domain;
    let is_organizational = organizational(from).is_some_and(|org| org.as_ref() == from);
    let base = match record.policy {
        Some(p) => p,
        // RFC 7489 §6.6.3 (and RFC 9989): without a valid p, a record with a valid rua= is
        // read as p=none; otherwise it is not used.
        None if !record.aggregate_uris.is_empty() => Policy::None,
        None => return no_result(Why::Message("the DMARC record has no valid p=")),
    };
    let (applied, which) = if at_policy_domain {
        (base, "p")
    } else if let (false, Some(np)) = (from_domain_exists, record.nonexistent_policy) {
        (np, "np")
    } else if is_organizational {
        (base, "p")
    } else if let Some(sp) = record.subdomain_policy {
        (sp, "sp")
    } else {
        (base, "p")
    };
    let dkim_aligned = identifiers
        .dkim_pass
        .iter()
        .find(|d| aligned_ascii(record.dkim_alignment, from, d, &organizational))
        .map(|d| (*d).to_owned());
    let spf_aligned = identifiers
        .spf_pass
        .is_some_and(|d| aligned_ascii(record.spf_alignment, from, d, &organizational));
    if dkim_aligned.is_some() || spf_aligned {
        return DmarcOutput {
            result: DmarcResult::Pass,
            disposition: Disposition::None,
            policy: Some(applied),
            dkim_aligned,
            spf_aligned,
            why: Why::Aligned,
        };
    }
    let mut disposition = Disposition::from(applied);
    if record.testing {
        disposition = disposition.milder();
    }
    let not_sampled = record.percent.filter(|&pct| draw >= pct);
    if not_sampled.is_some() {
        disposition = disposition.milder();
    }
    DmarcOutput {
        result: DmarcResult::Fail,
        disposition,
        policy: Some(applied),
        dkim_aligned: None,
        spf_aligned: false,
        why: Why::NotAligned {
            tag: which,
            testing: record.testing,
            not_sampled,
        },
    }
}

pub(crate) fn no_result(why: Why) -> DmarcOutput {
    DmarcOutput {
        result: DmarcResult::None,
        disposition: Disposition::None,
        policy: None,
        dkim_aligned: None,
        spf_aligned: false,
        why,
    }
}
