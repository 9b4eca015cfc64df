//! `check_host()` (RFC 7208 §4, §5, §6): evaluation of a domain's record for a client, with
//! every limit of §4.6.4 and a trace of what was asked and decided.
//!
//! [`Evaluator`] is the entry point; the walk of the records is in `walk`, and what is kept
//! between checks in `cache`.

mod cache;
mod walk;

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::Arc;

use mailroom_dns::Resolver;

pub use self::cache::Cache;
use self::cache::KeptRecord;
use self::walk::Run;
use crate::error::Error;
use crate::limits::Limits;
use crate::program::{Client, Program};
use crate::result::SpfResult;

/// Evaluates SPF: holds the resolver and the settings, and checks identities.
///
/// ```
/// use mailroom_dns::Zone;
/// use mailroom_spf::{Evaluator, SpfResult};
///
/// let zone = Zone::from_text(r#"
///     example.org.       TXT "v=spf1 include:_spf.example.org -all"
///     _spf.example.org.  TXT "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all"
/// "#)?;
/// let spf = Evaluator::new(&zone);
/// let out = futures::executor::block_on(spf.check_mail_from("192.0.2.7".parse()?, "mx.example.org", "joe@example.org"));
/// assert_eq!(out.result, SpfResult::Pass);
/// assert_eq!(out.mechanism.as_deref(), Some("include:_spf.example.org"));
/// let out = futures::executor::block_on(spf.check_mail_from("198.51.100.1".parse()?, "mx.example.org", "joe@example.org"));
/// assert_eq!(out.result, SpfResult::Fail);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Evaluator<'r, R> {
    resolver: &'r R,
    limits: Limits,
    receiver: String,
    now: u64,
    trace: bool,
    /// Shared by clones and by evaluators given the same cache.
    cache: Cache,
    keep_answers: bool,
}

// Not derived: that would ask for `R: Clone`, and the resolver is only borrowed.
impl<R> Clone for Evaluator<'_, R> {
    fn clone(&self) -> Self {
        Self {
            resolver: self.resolver,
            limits: self.limits,
            receiver: self.receiver.clone(),
            now: self.now,
            trace: self.trace,
            cache: self.cache.clone(),
            keep_answers: self.keep_answers,
        }
    }
}

/// What one check found (RFC 7208 §2.6), with what decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpfOutput {
    /// The result.
    pub result: SpfResult,
    /// The domain that was checked.
    pub domain: String,
    /// The directive of the domain's own record that matched, as written (shared with the
    /// parsed record, not copied per check).
    pub mechanism: Option<Arc<str>>,
    /// For `fail`: the explanation from the record's `exp=`, expanded (§6.2).
    pub explanation: Option<String>,
    /// For `permerror` and `temperror`: why.
    pub error: Option<Error>,
    /// DNS-querying terms evaluated (§4.6.4).
    pub dns_terms: usize,
    /// Lookups that found nothing (§4.6.4).
    pub void_lookups: usize,
    /// What was asked and decided, when tracing was asked for.
    pub trace: Vec<TraceEvent>,
}

/// One step of an evaluation, for people finding out why a check came out as it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEvent {
    /// How deep in `include:`/`redirect=` the step was (0 for the checked domain).
    pub depth: usize,
    /// What happened.
    pub text: String,
}

/// The verdict of one record, before it is turned into an [`SpfOutput`].
#[derive(Debug)]
struct Verdict {
    result: SpfResult,
    mechanism: Option<Arc<str>>,
    explanation: Option<String>,
}

impl Verdict {
    fn of(result: SpfResult) -> Self {
        Self {
            result,
            mechanism: None,
            explanation: None,
        }
    }
}

impl<'r, R: Resolver> Evaluator<'r, R> {
    /// An evaluator with the RFC's limits, receiver name `unknown` and time 0 (both only appear
    /// in explanations, via `%{r}` and `%{t}`).
    pub fn new(resolver: &'r R) -> Self {
        Self {
            resolver,
            limits: Limits::default(),
            receiver: "unknown".to_owned(),
            now: 0,
            trace: false,
            cache: Cache::default(),
            keep_answers: false,
        }
    }

    /// Sets the limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the receiving host's name, for `%{r}` and the Received-SPF header.
    pub fn receiver(mut self, name: impl Into<String>) -> Self {
        self.receiver = name.into();
        self
    }

    /// Sets the time in seconds since the Unix epoch, for `%{t}`. With the time known, each
    /// domain's SPF record (or its absence) and the A, AAAA and MX answers the checks use are
    /// kept for the TTL of the DNS answer and not asked for again until it runs out, as
    /// resolvers do. Once everything a domain's record reaches is kept, the record is also
    /// flattened into a program of address tests (literal includes and redirects followed,
    /// `a` and `mx` answers as networks, `exists:` names looked for among the kept answers),
    /// so later checks of that domain need neither lookups nor a walk of the records; the
    /// results are the walk's, which runs whenever the program cannot decide. A long-lived
    /// caller makes an evaluator per check with the current time and one shared [`Cache`].
    pub fn now(mut self, now: u64) -> Self {
        self.now = now;
        self.keep_answers = true;
        self
    }

    /// Keeps parsed records (and, with the time given, answers and programs) in `cache`, shared
    /// with every other evaluator given it, instead of in a cache of this evaluator's own.
    pub fn cache(mut self, cache: &Cache) -> Self {
        self.cache = cache.clone();
        self
    }

    /// Records a [`TraceEvent`] for every query and term.
    pub fn trace(mut self, on: bool) -> Self {
        self.trace = on;
        self
    }

    /// Checks the MAIL FROM identity (RFC 7208 §2.4): the reverse-path's domain, or
    /// `postmaster@<helo>` when the reverse-path is null.
    pub async fn check_mail_from(&self, ip: IpAddr, helo: &str, mail_from: &str) -> SpfOutput {
        let mail_from = mail_from.trim_start_matches('<').trim_end_matches('>');
        let sender: Cow<'_, str> = if mail_from.is_empty() {
            format!("postmaster@{helo}").into()
        } else if mail_from.starts_with('@') || !mail_from.contains('@') {
            // §4.3: no local-part means "postmaster".
            format!("postmaster@{}", mail_from.trim_start_matches('@')).into()
        } else {
            mail_from.into()
        };
        let domain = sender.rsplit_once('@').map_or("", |(_, d)| d);
        self.check_host(ip, domain, &sender, helo).await
    }

    /// Checks the HELO identity (RFC 7208 §2.3): `postmaster@<helo>` against the HELO domain.
    pub async fn check_helo(&self, ip: IpAddr, helo: &str) -> SpfOutput {
        self.check_host(ip, helo, &format!("postmaster@{helo}"), helo)
            .await
    }

    /// The `check_host()` function of RFC 7208 §4: `domain`'s policy for `ip`, on behalf of
    /// `sender`. Never fails: DNS trouble and bad records come back as `temperror` and
    /// `permerror` with the reason.
    pub async fn check_host(
        &self,
        ip: IpAddr,
        domain: &str,
        sender: &str,
        helo: &str,
    ) -> SpfOutput {
        // An IPv4-mapped IPv6 address is the IPv4 client it stands for.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        // With the domain's record kept, its program may decide at once; else (or when the
        // program says only the walk can decide) the walk starts from the kept record.
        let kept = if self.keep_answers {
            self.cache.names.get_until(domain, self.now)
        } else {
            None
        };
        let program = kept
            .as_ref()
            .and_then(|(kept, _)| kept.program.as_ref())
            .filter(|program| program.expires > self.now);
        if let (Some(program), false) = (program, self.trace)
            && let Some(decision) = program.run(&Client { ip, sender, helo }, self, &self.limits)
        {
            return SpfOutput {
                result: decision.result,
                domain: domain.to_owned(),
                mechanism: decision.mechanism,
                explanation: None,
                error: None,
                dns_terms: decision.dns_terms,
                void_lookups: decision.void_lookups,
                trace: Vec::new(),
            };
        }
        let build = self.keep_answers && program.is_none();
        let mut run = Run {
            evaluator: self,
            ip,
            sender,
            helo,
            dns_terms: 0,
            void_lookups: 0,
            trace: Vec::new(),
            depth: 0,
        };
        // Boxed: a walk is the slow path (it may wait for the DNS), and the future of a check
        // that a program decides stays small.
        let outcome = Box::pin(run.walk(domain, kept.map(|(kept, _)| kept))).await;
        if build {
            self.build_program(domain);
        }
        let (result, mechanism, explanation, error) = match outcome {
            Ok(v) => (v.result, v.mechanism, v.explanation, None),
            Err(e) => (e.spf_result(), None, None, Some(e)),
        };
        SpfOutput {
            result,
            domain: domain.to_owned(),
            mechanism,
            explanation,
            error,
            dns_terms: run.dns_terms,
            void_lookups: run.void_lookups,
            trace: run.trace,
        }
    }

    /// Flattens the kept record of `domain` into a program, kept with it.
    fn build_program(&self, domain: &str) {
        let Some((kept, expires)) = self.cache.names.get_until(domain, self.now) else {
            return;
        };
        let Ok(Some(policy)) = &kept.fetched else {
            return;
        };
        let program = Program::build(domain, policy, expires, self, &self.limits);
        let kept = KeptRecord {
            fetched: kept.fetched.clone(),
            program: Some(Arc::new(program)),
        };
        self.cache
            .names
            .insert_until(domain, Arc::new(kept), expires);
    }
}
