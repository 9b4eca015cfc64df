//! The DNS seam of Mailroom: one [`Resolver`] trait that SPF, DKIM, DMARC and the server ask,
//! with answers that keep NXDOMAIN, NODATA and temporary failure apart.
//!
//! RFC 7208's void-lookup limit (§4.6.4) and every `temperror` in SPF, DKIM and DMARC depend on
//! telling those three apart, so a lookup returns a [`Lookup`]: `Ok(`[`Answer`]`)` when the DNS
//! answered (records, [`Answer::NoData`] or [`Answer::NxDomain`]), or a [`DnsError`] when it did
//! not (timeout, SERVFAIL, an unusable answer); [`DnsError::is_temporary`] says which errors a
//! caller reports as a temporary error.
//!
//! Two resolvers come with the crate:
//! - [`Zone`]: in memory, built in code or loaded from master-file text (RFC 1035 §5), with a
//!   `TIMEOUT` pseudo-type. Tests, examples and offline tools use it.
//! - `HickoryResolver` (feature `hickory`, on by default): the network, over hickory-resolver,
//!   with its cache, per-query timeout, truncated UDP answers retried over TCP, TTLs respected and
//!   internationalized names sent as A-labels.
//!
//! ```
//! use mailroom_dns::{Answer, Resolver, Zone};
//! use futures::executor::block_on;
//!
//! let zone = Zone::from_text(r#"
//!     example.org.  TXT "v=spf1 ip4:192.0.2.0/24 " "include:_spf.example.net -all"
//!     example.org.  A   192.0.2.1
//! "#)?;
//! let txt = block_on(zone.txt("example.org"))?;
//! assert_eq!(txt.records()[0].strings().len(), 2);
//! assert_eq!(txt.records()[0].concat(), b"v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all");
//! assert_eq!(block_on(zone.aaaa("example.org"))?, Answer::NoData);
//! assert_eq!(block_on(zone.a("nowhere.example.org"))?, Answer::NxDomain);
//! # Ok::<(), mailroom_dns::DnsError>(())
//! ```
//!
//! # What this crate does not do
//!
//! It is not a general DNS library: it asks only the record types mail authentication needs,
//! does no DNSSEC validation of its own, and has no wildcards in [`Zone`]. Callers that need
//! other types use hickory-resolver directly.

#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::print_stdout)]

mod answer;
#[cfg(feature = "hickory")]
mod any;
mod error;
#[cfg(feature = "hickory")]
mod hickory;
mod name;
mod parsed_cache;
mod resolver;
mod zone;

#[doc(hidden)]
pub mod fuzzing;

pub use answer::{Answer, Lookup, Mx, Txt};
#[cfg(feature = "hickory")]
pub use any::AnyResolver;
pub use error::{DnsError, IoSource, MalformedAnswer, NameProblem, ZoneProblem};
#[cfg(feature = "hickory")]
pub use hickory::{DEFAULT_QUERY_TIMEOUT, HickoryResolver, HickoryResolverBuilder};
pub use name::{MAX_LABEL_LEN, MAX_NAME_LEN, reverse_name, to_ascii, to_ascii_cow};
pub use parsed_cache::{DEFAULT_PARSED_CACHE_CAPACITY, ParsedCache, TtlCache};
pub use resolver::Resolver;
pub use zone::{DEFAULT_TTL, MAX_CNAME_CHAIN, RecordData, Zone, ZoneRecord};
