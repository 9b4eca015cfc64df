//! SPF (RFC 7208): records parsed and printed, macros expanded (§7), and `check_host()` (§4)
//! evaluated with every processing limit of §4.6.4, with the DNS asked through the
//! `mailroom-dns` [`Resolver`](mailroom_dns::Resolver).
//!
//! [`Evaluator`] checks the MAIL FROM and HELO identities and gives an [`SpfOutput`]: one of
//! the seven results of §2.6 ([`SpfResult`]), the directive that decided, the explanation of a
//! `fail`, the reason for an error, the counts the limits apply to, and on request a trace of
//! every query and term. [`SpfOutput::received_spf`] writes the Received-SPF header (§9.1).
//!
//! ```
//! use mailroom_dns::Zone;
//! use mailroom_spf::{Evaluator, SpfResult};
//!
//! let zone = Zone::from_text(r#"
//!     example.com.  TXT "v=spf1 mx a:relay.example.com -all"
//!     example.com.  MX  10 mx.example.com.
//!     mx.example.com.  A  192.0.2.10
//!     relay.example.com.  A  192.0.2.20
//! "#)?;
//! let spf = Evaluator::new(&zone);
//! let check = |ip: &str| futures::executor::block_on(
//!     spf.check_mail_from(ip.parse().unwrap(), "client.example.net", "alice@example.com"));
//! assert_eq!(check("192.0.2.10").result, SpfResult::Pass);
//! assert_eq!(check("192.0.2.20").result, SpfResult::Pass);
//! assert_eq!(check("203.0.113.5").result, SpfResult::Fail);
//! # Ok::<(), mailroom_dns::DnsError>(())
//! ```
//!
//! # What this crate does not do
//!
//! It does not decide what a server does with a result (that is local policy), and does not
//! support the retired SPF RR type (RFC 7208 §3.1: TXT only). It keeps what it has learnt
//! only when given the time ([`Evaluator::now`]), and only for the TTLs of the answers; a
//! [`Cache`] shares that among evaluators.

#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::print_stdout)]

mod error;
mod eval;
mod limits;
mod macros;
mod policy;
mod program;
mod received_spf;
mod record;
mod result;

#[doc(hidden)]
pub mod fuzzing;

pub use error::Error;
pub use eval::{Cache, Evaluator, SpfOutput, TraceEvent};
pub use limits::{Limits, MAX_DNS_TERMS, MAX_MX_NAMES, MAX_PTR_NAMES, MAX_VOID_LOOKUPS};
pub use macros::{MAX_DOMAIN_LEN, MacroContext, MacroString};
pub use received_spf::Identity;
pub use record::{Directive, DualCidr, Mechanism, Qualifier, Record, Term};
pub use result::SpfResult;
