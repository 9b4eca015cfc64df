//! Collecting a report: one observation per message in, one record per group of identical
//! observations out. Sans-IO: the period and the report id come in as arguments.

use std::collections::HashMap;
use std::net::IpAddr;

use super::model::{
    AggregateReport, AuthResults, PolicyEvaluated, PolicyPublished, RecordIdentifiers,
    ReportMetadata, ReportRecord, VERSION,
};

/// The most DKIM results kept for one message (RFC 9990, "DKIM Signatures in Aggregate
/// Reports": no more than 100 per row, the most relevant first).
pub const MAX_DKIM_RESULTS: usize = 100;

/// Who writes the report: the parts of `<report_metadata>` that stay the same from one
/// report to the next.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reporter {
    /// `<org_name>`.
    pub org_name: String,
    /// `<email>`.
    pub email: String,
    /// `<extra_contact_info>`.
    pub extra_contact_info: Option<String>,
    /// `<generator>`.
    pub generator: Option<String>,
}

/// What the receiver saw of one message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Observation {
    /// The connecting client's address.
    pub source_ip: IpAddr,
    /// What DMARC gave, and what was done.
    pub policy_evaluated: PolicyEvaluated,
    /// The From, MAIL FROM and RCPT TO domains.
    pub identifiers: RecordIdentifiers,
    /// DKIM and SPF as verified. DKIM results beyond [`MAX_DKIM_RESULTS`] are dropped; give
    /// them in RFC 9990's order of preference (aligned passes first).
    pub auth_results: AuthResults,
}

/// Gathers the observations for one policy domain and one period into an
/// [`AggregateReport`]; identical observations become one record with a count.
///
/// ```
/// use mailroom_dmarc::report::*;
/// use mailroom_dmarc::Policy;
/// let policy = PolicyPublished {
///     domain: "example.com".into(), discovery_method: Some(DiscoveryMethod::TreeWalk),
///     p: Policy::Reject, sp: None, np: None, adkim: None, aspf: None, fo: None,
///     testing: None, pct: None,
/// };
/// let reporter = Reporter { org_name: "Receiver".into(), email: "dmarc@receiver.example".into(), ..Reporter::default() };
/// let mut builder = ReportBuilder::new(reporter, policy);
/// let seen = Observation {
///     source_ip: "192.0.2.7".parse()?,
///     policy_evaluated: PolicyEvaluated {
///         disposition: ActionDisposition::Reject, dkim: EvaluatedResult::Fail,
///         spf: EvaluatedResult::Fail, reasons: vec![],
///     },
///     identifiers: RecordIdentifiers { header_from: "example.com".into(), ..Default::default() },
///     auth_results: AuthResults::default(),
/// };
/// builder.add(seen.clone());
/// builder.add(seen);
/// let report = builder.finish(1_700_000_000, 1_700_086_399, "r-1");
/// assert_eq!(report.records.len(), 1);
/// assert_eq!(report.records[0].count, 2);
/// assert_eq!(report.metadata.report_id, "r-1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ReportBuilder {
    reporter: Reporter,
    policy: PolicyPublished,
    errors: Vec<String>,
    records: Vec<ReportRecord>,
    index: HashMap<Observation, usize>,
}

impl ReportBuilder {
    /// A builder for reports on `policy` written by `reporter`.
    pub fn new(reporter: Reporter, policy: PolicyPublished) -> Self {
        Self {
            reporter,
            policy,
            errors: Vec::new(),
            records: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// Counts one message.
    pub fn add(&mut self, mut observation: Observation) {
        observation.auth_results.dkim.truncate(MAX_DKIM_RESULTS);
        if let Some(&at) = self.index.get(&observation) {
            let count = &mut self.records[at].count;
            *count = count.saturating_add(1);
            return;
        }
        self.records.push(ReportRecord {
            source_ip: observation.source_ip,
            count: 1,
            policy_evaluated: observation.policy_evaluated.clone(),
            identifiers: observation.identifiers.clone(),
            auth_results: observation.auth_results.clone(),
        });
        self.index.insert(observation, self.records.len() - 1);
    }

    /// Notes a problem with the domain's policy record, for `<error>`; a repeated note is
    /// kept once.
    pub fn error(&mut self, text: impl Into<String>) {
        let text = text.into();
        if !self.errors.contains(&text) {
            self.errors.push(text);
        }
    }

    /// How many messages have been counted.
    pub fn messages(&self) -> u64 {
        self.records
            .iter()
            .fold(0, |sum, record| sum.saturating_add(record.count))
    }

    /// The report for the period from `begin` to `end` (seconds since the Unix epoch), with
    /// records in the order first seen. RFC 9990 wants at least one record: a caller with
    /// nothing counted sends no report.
    #[must_use]
    pub fn finish(self, begin: u64, end: u64, report_id: impl Into<String>) -> AggregateReport {
        let Reporter {
            org_name,
            email,
            extra_contact_info,
            generator,
        } = self.reporter;
        AggregateReport {
            version: Some(VERSION.to_owned()),
            metadata: ReportMetadata {
                org_name,
                email,
                extra_contact_info,
                report_id: report_id.into(),
                begin,
                end,
                errors: self.errors,
                generator,
            },
            policy: self.policy,
            records: self.records,
        }
    }
}
