//! The aggregate report as data: the elements of RFC 9990 Appendix A, plus the RFC 7489
//! Appendix C fields a parser meets in older reports (`pct`, more than one SPF result, the
//! `forwarded` and `sampled_out` override reasons, the SPF `helo` scope).

use std::fmt;
use std::net::IpAddr;

use crate::record::{Alignment, Policy};

/// The XML namespace of RFC 9990 reports.
pub const NAMESPACE: &str = "urn:ietf:params:xml:ns:dmarc-2.0";

/// The `<version>` RFC 9990 reports carry.
pub const VERSION: &str = "1.0";

/// A DMARC aggregate report: one policy domain, one reporting period, one row per group of
/// messages that had the same source, identifiers and results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AggregateReport {
    /// `<version>` as written; absent in most RFC 7489 reports. The writer always writes
    /// [`VERSION`].
    pub version: Option<String>,
    /// `<report_metadata>`: who reports, and for which period.
    pub metadata: ReportMetadata,
    /// `<policy_published>`: the DMARC policy record the reporter saw.
    pub policy: PolicyPublished,
    /// The `<record>` elements.
    pub records: Vec<ReportRecord>,
}

/// `<report_metadata>`: the reporting organization and the report's period.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportMetadata {
    /// `<org_name>`: the reporting organization.
    pub org_name: String,
    /// `<email>`: whom to contact there.
    pub email: String,
    /// `<extra_contact_info>`.
    pub extra_contact_info: Option<String>,
    /// `<report_id>`: unique among this reporter's reports for the policy domain.
    pub report_id: String,
    /// `<date_range><begin>`: the start of the period, in seconds since the Unix epoch (UTC).
    pub begin: u64,
    /// `<date_range><end>`: the end of the period, in seconds since the Unix epoch (UTC).
    pub end: u64,
    /// `<error>` elements: problems met with the domain's policy record. RFC 9990 allows one,
    /// so the writer joins several with `"; "`.
    pub errors: Vec<String>,
    /// `<generator>` (RFC 9990): the software that wrote the report.
    pub generator: Option<String>,
}

/// How the policy record was found (`<discovery_method>`, RFC 9990).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiscoveryMethod {
    /// `psl`: the Public Suffix List of RFC 7489.
    Psl,
    /// `treewalk`: the DNS tree walk of RFC 9989 §4.10.
    TreeWalk,
}

/// `<policy_published>`: the policy record as the reporter saw it, defaults included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyPublished {
    /// `<domain>`: the policy domain the report is about.
    pub domain: String,
    /// `<discovery_method>` (RFC 9990).
    pub discovery_method: Option<DiscoveryMethod>,
    /// `<p>`.
    pub p: Policy,
    /// `<sp>`: required by RFC 9990 but missing from some RFC 7489 reports; the writer writes
    /// `p` when it is `None` (the record's default).
    pub sp: Option<Policy>,
    /// `<np>` (RFC 9990).
    pub np: Option<Policy>,
    /// `<adkim>`.
    pub adkim: Option<Alignment>,
    /// `<aspf>`.
    pub aspf: Option<Alignment>,
    /// `<fo>`: the failure reporting options, as written.
    pub fo: Option<String>,
    /// `<testing>` (RFC 9990): the record's `t=` tag.
    pub testing: Option<bool>,
    /// `<pct>` (RFC 7489 only): read, never written, as RFC 9990 has no such element.
    pub pct: Option<u8>,
}

impl PolicyPublished {
    /// The policy published by `record` at `domain`, with the record's defaults filled in:
    /// `sp` is `p` when absent, a record without a valid `p` but with `rua` is read as
    /// `p=none` (RFC 9989 §4.7).
    ///
    /// ```
    /// use mailroom_dmarc::report::{DiscoveryMethod, PolicyPublished};
    /// use mailroom_dmarc::{Policy, Record};
    /// let record = Record::parse("v=DMARC1; p=reject; rua=mailto:d@example.com")?;
    /// let published = PolicyPublished::from_record("example.com", &record, Some(DiscoveryMethod::TreeWalk));
    /// assert_eq!((published.p, published.sp), (Policy::Reject, Some(Policy::Reject)));
    /// # Ok::<(), mailroom_dmarc::Error>(())
    /// ```
    pub fn from_record(
        domain: &str,
        record: &crate::Record,
        discovery_method: Option<DiscoveryMethod>,
    ) -> Self {
        let p = record.policy.unwrap_or(Policy::None);
        Self {
            domain: domain.to_owned(),
            discovery_method,
            p,
            sp: Some(record.subdomain_policy.unwrap_or(p)),
            np: record.nonexistent_policy,
            adkim: Some(record.dkim_alignment),
            aspf: Some(record.spf_alignment),
            fo: (!record.failure_options.is_empty()).then(|| record.failure_options.join(":")),
            testing: Some(record.testing),
            pct: None,
        }
    }
}

/// One `<record>`: a `<row>` (source, count and the DMARC evaluation), the identifiers and
/// the raw DKIM and SPF results of a group of identical messages.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReportRecord {
    /// `<row><source_ip>`: the connecting client's address.
    pub source_ip: IpAddr,
    /// `<row><count>`: how many messages the record stands for.
    pub count: u64,
    /// `<row><policy_evaluated>`.
    pub policy_evaluated: PolicyEvaluated,
    /// `<identifiers>`.
    pub identifiers: RecordIdentifiers,
    /// `<auth_results>`.
    pub auth_results: AuthResults,
}

/// What the DMARC evaluation gave (`<policy_evaluated>`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PolicyEvaluated {
    /// `<disposition>`: what was done with the messages.
    pub disposition: ActionDisposition,
    /// `<dkim>`: whether an aligned DKIM signature passed.
    pub dkim: EvaluatedResult,
    /// `<spf>`: whether SPF passed for an aligned domain.
    pub spf: EvaluatedResult,
    /// `<reason>` elements: why the disposition differs from the policy.
    pub reasons: Vec<OverrideReason>,
}

impl PolicyEvaluated {
    /// The evaluation a [`DmarcOutput`](crate::DmarcOutput) stands for: a pass under an
    /// enforcing policy is `pass`, other passes `none` (RFC 9990 Appendix A,
    /// `ActionDispositionType`); no reasons.
    pub fn from_output(output: &crate::DmarcOutput) -> Self {
        let disposition = match output.result {
            crate::DmarcResult::Pass if output.policy.is_some_and(|p| p != Policy::None) => {
                ActionDisposition::Pass
            }
            crate::DmarcResult::Pass => ActionDisposition::None,
            _ => ActionDisposition::from(output.disposition),
        };
        Self {
            disposition,
            dkim: EvaluatedResult::from(output.dkim_aligned.is_some()),
            spf: EvaluatedResult::from(output.spf_aligned),
            reasons: Vec::new(),
        }
    }
}

/// `<disposition>`: what the receiver did (RFC 9990 `ActionDispositionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionDisposition {
    /// `none`: no action.
    None,
    /// `pass` (RFC 9990): no action, the message passed DMARC under an enforcing policy.
    Pass,
    /// `quarantine`.
    Quarantine,
    /// `reject`.
    Reject,
}

impl From<crate::Disposition> for ActionDisposition {
    fn from(disposition: crate::Disposition) -> Self {
        match disposition {
            crate::Disposition::None => Self::None,
            crate::Disposition::Quarantine => Self::Quarantine,
            crate::Disposition::Reject => Self::Reject,
        }
    }
}

/// The DMARC-aligned result of DKIM or SPF (`DMARCResultType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EvaluatedResult {
    /// `pass`.
    Pass,
    /// `fail`.
    Fail,
}

impl From<bool> for EvaluatedResult {
    fn from(pass: bool) -> Self {
        if pass { Self::Pass } else { Self::Fail }
    }
}

/// A `<reason>`: why the policy was not applied as published.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OverrideReason {
    /// `<type>`.
    pub kind: OverrideType,
    /// `<comment>`.
    pub comment: Option<String>,
}

/// The `<type>` of a `<reason>` (`PolicyOverrideType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OverrideType {
    /// `local_policy`.
    LocalPolicy,
    /// `mailing_list`.
    MailingList,
    /// `other`.
    Other,
    /// `policy_test_mode` (RFC 9990): the record's `t=y`.
    PolicyTestMode,
    /// `trusted_forwarder`.
    TrustedForwarder,
    /// `forwarded` (RFC 7489 only; written as `other`).
    Forwarded,
    /// `sampled_out` (RFC 7489 only, the `pct=` draw; written as `other`).
    SampledOut,
}

/// `<identifiers>`: the domains the messages carried.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RecordIdentifiers {
    /// `<envelope_to>`: the RFC5321.RcptTo domain.
    pub envelope_to: Option<String>,
    /// `<envelope_from>`: the RFC5321.MailFrom domain; empty for a null reverse-path.
    pub envelope_from: Option<String>,
    /// `<header_from>`: the RFC5322.From domain.
    pub header_from: String,
}

/// `<auth_results>`: DKIM and SPF as verified, before DMARC alignment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AuthResults {
    /// One `<dkim>` per checked signature.
    pub dkim: Vec<DkimAuthResult>,
    /// `<spf>`: at most one in RFC 9990 (the MAIL FROM identity), so the writer writes only
    /// the first; RFC 7489 reports may have more.
    pub spf: Vec<SpfAuthResult>,
}

/// One DKIM signature's result.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DkimAuthResult {
    /// `<domain>`: the signature's `d=`.
    pub domain: String,
    /// `<selector>`: the signature's `s=`; empty when an RFC 7489 report left it out.
    pub selector: String,
    /// `<result>`.
    pub result: DkimResult,
    /// `<human_result>`: more detail for a person.
    pub human_result: Option<String>,
}

/// A DKIM verification result (RFC 8601 §2.7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DkimResult {
    /// `none`.
    None,
    /// `pass`.
    Pass,
    /// `fail`.
    Fail,
    /// `policy`.
    Policy,
    /// `neutral`.
    Neutral,
    /// `temperror`.
    TempError,
    /// `permerror`.
    PermError,
}

/// The SPF result for one identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SpfAuthResult {
    /// `<domain>`: the domain checked.
    pub domain: String,
    /// `<scope>`: which identity the domain came from.
    pub scope: Option<SpfScope>,
    /// `<result>`.
    pub result: SpfResult,
    /// `<human_result>`: more detail for a person.
    pub human_result: Option<String>,
}

/// Which identity an SPF result is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpfScope {
    /// `mfrom`: the MAIL FROM domain, the only one RFC 9990 allows.
    MailFrom,
    /// `helo` (RFC 7489 only; not written, as RFC 9990 has no such value).
    Helo,
}

/// An SPF result (RFC 8601 §2.7.2, RFC 7208 §2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpfResult {
    /// `none`.
    None,
    /// `neutral`.
    Neutral,
    /// `pass`.
    Pass,
    /// `fail`.
    Fail,
    /// `softfail`.
    SoftFail,
    /// `temperror` (read from `unknown` too, as the schema notes).
    TempError,
    /// `permerror` (read from `error` too, as the schema notes).
    PermError,
}

macro_rules! names {
    ($ty:ty { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $ty {
            /// The name used in reports.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $name),* }
            }

            pub(crate) fn from_name(name: &str) -> Option<Self> {
                $(if name.eq_ignore_ascii_case($name) { return Some(Self::$variant); })*
                None
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

names!(DiscoveryMethod { Psl => "psl", TreeWalk => "treewalk" });
names!(ActionDisposition { None => "none", Pass => "pass", Quarantine => "quarantine", Reject => "reject" });
names!(EvaluatedResult { Pass => "pass", Fail => "fail" });
names!(OverrideType {
    LocalPolicy => "local_policy",
    MailingList => "mailing_list",
    Other => "other",
    PolicyTestMode => "policy_test_mode",
    TrustedForwarder => "trusted_forwarder",
    Forwarded => "forwarded",
    SampledOut => "sampled_out",
});
names!(DkimResult {
    None => "none",
    Pass => "pass",
    Fail => "fail",
    Policy => "policy",
    Neutral => "neutral",
    TempError => "temperror",
    PermError => "permerror",
});
names!(SpfScope { MailFrom => "mfrom", Helo => "helo" });
names!(SpfResult {
    None => "none",
    Neutral => "neutral",
    Pass => "pass",
    Fail => "fail",
    SoftFail => "softfail",
    TempError => "temperror",
    PermError => "permerror",
});
