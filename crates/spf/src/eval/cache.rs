//! What evaluators keep between checks: parsed records, DNS answers and the programs
//! flattened from them, each for its TTL.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use mailroom_dns::{Answer, Mx, ParsedCache, TtlCache};

use super::Evaluator;
use crate::error::Error;
use crate::policy::Policy;
use crate::program::{Program, Source};

/// What evaluators keep between checks: parsed records and, for evaluators given the time,
/// the DNS answers they used and the programs flattened from them, each for its TTL. Clones
/// share the contents, so a server keeps one and hands it to the evaluator of every check
/// ([`Evaluator::cache`]). Each part holds at most 4096 names and starts again empty when
/// full, so hostile senders cannot grow it without bound. What is kept is kept by name, so a
/// cache serves evaluators of one view of the DNS (one resolver).
///
/// ```
/// use mailroom_dns::Zone;
/// use mailroom_spf::{Cache, Evaluator, SpfResult};
///
/// let zone = Zone::from_text(r#"example.org. TXT "v=spf1 ip4:192.0.2.0/24 -all""#)?;
/// let cache = Cache::default();
/// for now in [1_700_000_000, 1_700_000_001] {
///     let spf = Evaluator::new(&zone).cache(&cache).now(now);
///     let out = futures::executor::block_on(spf.check_mail_from("192.0.2.7".parse()?, "mx.example.org", "joe@example.org"));
///     assert_eq!(out.result, SpfResult::Pass);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Cache {
    /// Parsed records by their text.
    pub(super) records: Arc<ParsedCache<Result<Arc<Policy>, Error>>>,
    /// What each name's TXT answer gave, kept for its TTL once the time is given.
    pub(super) names: Arc<TtlCache<Arc<KeptRecord>>>,
    /// A, AAAA and MX answers, kept for their TTL once the time is given.
    pub(super) answers: Arc<KeptAnswers>,
}

/// The address and MX answers an evaluator keeps by name.
#[derive(Debug, Default)]
pub(super) struct KeptAnswers {
    pub(super) a: TtlCache<Arc<Answer<Ipv4Addr>>>,
    pub(super) aaaa: TtlCache<Arc<Answer<Ipv6Addr>>>,
    pub(super) mx: TtlCache<Arc<Answer<Mx>>>,
}

/// A domain's SPF record as the walk fetches it: none, one parsed, or why not.
pub(super) type Fetched = Result<Option<Arc<Policy>>, Error>;

/// What an evaluator keeps for a domain: its record as fetched and, once built, the program
/// flattened from it and the records and answers it reaches.
#[derive(Debug)]
pub(super) struct KeptRecord {
    pub(super) fetched: Fetched,
    pub(super) program: Option<Arc<Program>>,
}

/// A program is built from what the evaluator keeps, read at the evaluator's time.
impl<R> Source for Evaluator<'_, R> {
    fn policy(&self, domain: &str) -> Option<(Option<Arc<Policy>>, u64)> {
        let (kept, expires) = self.cache.names.get_until(domain, self.now)?;
        kept.fetched
            .as_ref()
            .ok()
            .map(|policy| (policy.clone(), expires))
    }

    fn a(&self, name: &str) -> Option<(Arc<Answer<Ipv4Addr>>, u64)> {
        self.cache.answers.a.get_until(name, self.now)
    }

    fn a_exists(&self, name: &str) -> Option<bool> {
        self.cache
            .answers
            .a
            .read(name, self.now, |answer| !answer.is_void())
    }

    fn aaaa(&self, name: &str) -> Option<(Arc<Answer<Ipv6Addr>>, u64)> {
        self.cache.answers.aaaa.get_until(name, self.now)
    }

    fn mx(&self, name: &str) -> Option<(Arc<Answer<Mx>>, u64)> {
        self.cache.answers.mx.get_until(name, self.now)
    }
}
