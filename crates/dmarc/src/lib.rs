//! DMARC (RFC 9989, compatible with RFC 7489): policy records, policy discovery and the
//! organizational domain by the DNS tree walk (or the Public Suffix List of RFC 7489), and
//! identifier alignment, and the result and disposition of a message. Aggregate reports
//! (RFC 9990) and Authentication-Results are being built on these.
//!
//! ```
//! use mailroom_dmarc::{Policy, Record};
//! let record = Record::parse("v=DMARC1; p=reject; rua=mailto:dmarc@example.org")?;
//! assert_eq!(record.policy, Some(Policy::Reject));
//! # Ok::<(), mailroom_dmarc::Error>(())
//! ```
//!
//! # What this crate does not do
//!
//! It does not verify SPF or DKIM itself: it takes their results as input.

#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::print_stdout)]

mod align;
mod auth_results;
mod check;
mod discover;
mod error;
mod from;
mod org_domain;
mod policy;
mod record;

#[doc(hidden)]
pub mod fuzzing;
pub mod report;

pub use align::is_aligned;
pub use auth_results::{AuthenticationResults, MethodResult, Property, authserv_id};
pub use check::{Cache, Checker, DmarcCheck, OrganizationalDomains};
pub use discover::{Discovery, MAX_TREE_WALK_QUERIES, discover, tree_walk_targets};
pub use error::{Error, FromProblem, TagProblem};
pub use from::{from_domain, from_domains};
pub use org_domain::PublicSuffixList;
pub use policy::{Disposition, DmarcOutput, DmarcResult, Identifiers, PolicyInForce, evaluate};
pub use record::{Alignment, Policy, Record};
