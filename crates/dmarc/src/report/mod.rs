//! DMARC aggregate reports (RFC 9990, and the RFC 7489 Appendix C format they replace).
//!
//! - Sending: a [`ReportBuilder`] counts one [`Observation`] per message and gives an
//!   [`AggregateReport`] for the period; [`AggregateReport::to_xml`], [`to_gzip`] and
//!   [`to_message`] give the XML, the attachment and the whole e-mail. Before sending to a
//!   `rua` host outside the policy domain's organization ([`is_external`]), check it with
//!   [`verify_destination`].
//! - Receiving: [`AggregateReport::parse`] reads XML, gzip or zip, and
//!   [`AggregateReport::from_message`] finds the report in an e-mail, within [`ParseLimits`].
//!
//! Nothing here reads a clock, a file or a socket, or draws a random number: the period,
//! the report id, the Date and the Message-ID come from the caller, and DNS through a
//! [`Resolver`](mailroom_dns::Resolver).
//!
//! ```
//! use mailroom_dmarc::report::*;
//! use mailroom_dmarc::{Policy, Record};
//! let record = Record::parse("v=DMARC1; p=reject; rua=mailto:dmarc@example.com")?;
//! let policy = PolicyPublished::from_record("example.com", &record, Some(DiscoveryMethod::TreeWalk));
//! let reporter = Reporter { org_name: "Receiver".into(), email: "dmarc@receiver.example".into(), ..Reporter::default() };
//! let mut builder = ReportBuilder::new(reporter, policy);
//! builder.add(Observation {
//!     source_ip: "192.0.2.7".parse().unwrap(),
//!     policy_evaluated: PolicyEvaluated {
//!         disposition: ActionDisposition::Pass, dkim: EvaluatedResult::Pass,
//!         spf: EvaluatedResult::Fail, reasons: vec![],
//!     },
//!     identifiers: RecordIdentifiers { header_from: "example.com".into(), ..Default::default() },
//!     auth_results: AuthResults {
//!         dkim: vec![DkimAuthResult {
//!             domain: "example.com".into(), selector: "s1".into(),
//!             result: DkimResult::Pass, human_result: None,
//!         }],
//!         spf: vec![],
//!     },
//! });
//! let report = builder.finish(1_700_000_000, 1_700_086_399, "20231115.example.com");
//! let again = AggregateReport::parse(&report.to_gzip())?;
//! assert_eq!(again, report);
//! # Ok::<(), mailroom_dmarc::Error>(())
//! ```
//!
//! [`to_gzip`]: AggregateReport::to_gzip
//! [`to_message`]: AggregateReport::to_message

mod archive;
mod builder;
mod destination;
mod mail;
mod message;
mod model;
mod parse;
mod problem;
mod write;

pub use builder::{MAX_DKIM_RESULTS, Observation, ReportBuilder, Reporter};
pub use destination::{Authorization, Refusal, destination_host, is_external, verify_destination};
pub use mail::MailOptions;
pub use model::{
    ActionDisposition, AggregateReport, AuthResults, DiscoveryMethod, DkimAuthResult, DkimResult,
    EvaluatedResult, NAMESPACE, OverrideReason, OverrideType, PolicyEvaluated, PolicyPublished,
    RecordIdentifiers, ReportMetadata, ReportRecord, SpfAuthResult, SpfResult, SpfScope, VERSION,
};
pub use parse::ParseLimits;
pub use problem::{ArchiveProblem, MailProblem, ReportLimit, XmlProblem};
