//! `check_host()` (RFC 7208 §4, §5, §6): evaluation of a domain's record for a client, with
//! every limit of §4.6.4 and a trace of what was asked and decided.

use std::borrow::Cow;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::pin::Pin;
use std::sync::Arc;

use mailroom_dns::{Answer, DnsError, Mx, ParsedCache, Resolver, TtlCache};

use crate::error::Error;
use crate::limits::Limits;
use crate::macros::{MacroContext, MacroString};
use crate::record::{DualCidr, Mechanism, Qualifier, Record};
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
    /// Shared by clones, so one evaluator serving many connections parses each record once.
    records: Arc<ParsedCache<Result<Arc<Record>, Error>>>,
    /// What each name's TXT answer gave, kept for its TTL once the time is given.
    names: Arc<TtlCache<Fetched>>,
    /// A, AAAA and MX answers, kept for their TTL once the time is given.
    answers: Arc<KeptAnswers>,
    keep_answers: bool,
}

/// The address and MX answers an evaluator keeps by name.
#[derive(Debug, Default)]
struct KeptAnswers {
    a: TtlCache<Arc<Answer<Ipv4Addr>>>,
    aaaa: TtlCache<Arc<Answer<Ipv6Addr>>>,
    mx: TtlCache<Arc<Answer<Mx>>>,
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
            records: Arc::clone(&self.records),
            names: Arc::clone(&self.names),
            answers: Arc::clone(&self.answers),
            keep_answers: self.keep_answers,
        }
    }
}

/// A domain's SPF record as [`Run::fetch_record`] finds it.
type Fetched = Result<Option<Arc<Record>>, Error>;

/// What one check found (RFC 7208 §2.6), with what decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpfOutput {
    /// The result.
    pub result: SpfResult,
    /// The domain that was checked.
    pub domain: String,
    /// The directive of the domain's own record that matched, as written.
    pub mechanism: Option<String>,
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
    mechanism: Option<String>,
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

type Step<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

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
            records: Arc::default(),
            names: Arc::default(),
            answers: Arc::default(),
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
    /// domain's SPF record (or its absence) is kept for the TTL of the DNS answer and not asked
    /// for again until it runs out, as resolvers do.
    pub fn now(mut self, now: u64) -> Self {
        self.now = now;
        self.keep_answers = true;
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
        let outcome = run.check(domain, 0, true).await;
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
}

/// The state of one check: the counts the limits apply to, across includes and redirects.
struct Run<'e, 'r, R> {
    evaluator: &'e Evaluator<'r, R>,
    ip: IpAddr,
    sender: &'e str,
    helo: &'e str,
    dns_terms: usize,
    void_lookups: usize,
    trace: Vec<TraceEvent>,
    /// The include/redirect depth being evaluated, for the trace.
    depth: usize,
}

impl<R: Resolver> Run<'_, '_, R> {
    /// Traces one DNS query and what it found.
    fn note_query<T>(&mut self, kind: &str, name: &str, answer: &mailroom_dns::Lookup<T>) {
        let depth = self.depth;
        self.note(depth, || match answer {
            Ok(Answer::Records(records)) => format!("{kind} {name}: {} record(s)", records.len()),
            Ok(Answer::NoData) => format!("{kind} {name}: no {kind} records (NODATA)"),
            Ok(Answer::NxDomain) => format!("{kind} {name}: no such name (NXDOMAIN)"),
            Err(error) => format!("{kind} {name}: {error}"),
        });
    }

    fn note(&mut self, depth: usize, text: impl FnOnce() -> String) {
        if self.evaluator.trace {
            self.trace.push(TraceEvent {
                depth,
                text: text(),
            });
        }
    }

    fn context<'c>(&'c self, domain: &'c str, validated: Option<&'c str>) -> MacroContext<'c> {
        MacroContext {
            sender: self.sender,
            domain,
            ip: self.ip,
            helo: self.helo,
            receiver: &self.evaluator.receiver,
            now: self.evaluator.now,
            validated,
        }
    }

    /// Counts a DNS-querying term; past the limit the check is a permerror (§4.6.4).
    fn count_term(&mut self) -> Result<(), Error> {
        self.dns_terms += 1;
        if self.dns_terms > self.evaluator.limits.dns_terms {
            return Err(Error::TooManyDnsTerms {
                limit: self.evaluator.limits.dns_terms,
            });
        }
        Ok(())
    }

    /// Counts a lookup that found nothing; past the limit the check is a permerror (§4.6.4).
    fn count_void<T>(&mut self, answer: &Answer<T>) -> Result<(), Error> {
        if answer.is_void() {
            self.void_lookups += 1;
            if self.void_lookups > self.evaluator.limits.void_lookups {
                return Err(Error::TooManyVoidLookups {
                    limit: self.evaluator.limits.void_lookups,
                });
            }
        }
        Ok(())
    }

    /// check_host() for one domain (§4.3 to §4.7), recursive through include and redirect.
    /// `report` says whether the matching directive is reported (it is for the checked domain
    /// and what it redirects to, not inside an include, whose result alone counts).
    fn check<'a>(&'a mut self, domain: &'a str, depth: usize, report: bool) -> Step<'a, Verdict> {
        Box::pin(async move {
            // §4.3: a malformed or single-label domain has no policy.
            if !is_checkable(domain) {
                self.note(depth, || {
                    format!("{domain}: not a usable domain name: none")
                });
                return Ok(Verdict::of(SpfResult::None));
            }
            let Some(record) = self.fetch_record(domain, depth).await? else {
                return Ok(Verdict::of(SpfResult::None));
            };
            for directive in record.directives() {
                self.depth = depth;
                if directive.mechanism.queries_dns() {
                    self.count_term()?;
                }
                let matched = self.matches(&directive.mechanism, domain, depth).await?;
                self.note(depth, || {
                    format!(
                        "{domain}: {directive} {}",
                        if matched { "matches" } else { "does not match" }
                    )
                });
                if matched {
                    let result = match directive.qualifier {
                        Qualifier::Pass => SpfResult::Pass,
                        Qualifier::Fail => SpfResult::Fail,
                        Qualifier::SoftFail => SpfResult::SoftFail,
                        Qualifier::Neutral => SpfResult::Neutral,
                    };
                    let explanation = if result == SpfResult::Fail {
                        match record.explanation() {
                            Some(exp) => self.explain(exp, domain, depth).await,
                            None => None,
                        }
                    } else {
                        None
                    };
                    return Ok(Verdict {
                        result,
                        mechanism: report.then(|| directive.to_string()),
                        explanation,
                    });
                }
            }
            // §6.1: redirect= applies when nothing matched and there is no "all".
            let has_all = record
                .directives()
                .any(|d| matches!(d.mechanism, Mechanism::All));
            if let (Some(target), false) = (record.redirect(), has_all) {
                self.count_term()?;
                let target = target.expand_domain(&self.context(domain, None))?;
                self.note(depth, || format!("{domain}: redirect={target}"));
                let verdict = self.check(&target, depth + 1, report).await?;
                if verdict.result == SpfResult::None {
                    return Err(Error::NoRecordAt {
                        domain: target,
                        term: "redirect",
                    });
                }
                return Ok(verdict);
            }
            self.note(depth, || format!("{domain}: no directive matched: neutral"));
            Ok(Verdict::of(SpfResult::Neutral))
        })
    }

    /// Fetches and parses the SPF record of a domain (§4.4, §4.5), or takes what an earlier
    /// answer for it gave while that answer's TTL lasts.
    async fn fetch_record(&mut self, domain: &str, depth: usize) -> Fetched {
        self.depth = depth;
        let evaluator = self.evaluator;
        if evaluator.keep_answers
            && let Some(kept) = evaluator.names.get(domain, evaluator.now)
        {
            self.note(depth, || {
                format!("TXT {domain}: kept from an earlier answer")
            });
            return kept;
        }
        let (answer, ttl) = evaluator.resolver.txt_with_ttl(domain).await;
        self.note_query("TXT", domain, &answer);
        let answer = answer.map_err(|source| dns_error(domain, source))?;
        let fetched = self.select_record(domain, depth, &answer);
        if let (true, Some(ttl)) = (evaluator.keep_answers, ttl) {
            evaluator
                .names
                .insert(domain, fetched.clone(), evaluator.now, ttl);
        }
        fetched
    }

    /// The one SPF record among a domain's TXT records (§4.5), parsed.
    fn select_record(
        &mut self,
        domain: &str,
        depth: usize,
        answer: &Answer<mailroom_dns::Txt>,
    ) -> Fetched {
        let spf: Vec<Cow<'_, [u8]>> = answer
            .records()
            .iter()
            .map(mailroom_dns::Txt::joined)
            .filter(|text| Record::is_spf(text))
            .collect();
        self.note(depth, || format!("{domain}: {} SPF record(s)", spf.len()));
        match spf.as_slice() {
            [] => Ok(None),
            [text] => {
                let text = std::str::from_utf8(text)
                    .ok()
                    .filter(|t| t.is_ascii())
                    .ok_or_else(|| Error::NotAscii {
                        domain: domain.to_owned(),
                    })?;
                Ok(Some(
                    self.evaluator
                        .records
                        .get_or_parse(text.as_bytes(), |_| Record::parse(text).map(Arc::new))?,
                ))
            }
            many => Err(Error::MultipleRecords {
                domain: domain.to_owned(),
                count: many.len(),
            }),
        }
    }

    /// Whether a mechanism matches the client (§5).
    async fn matches(
        &mut self,
        mechanism: &Mechanism,
        domain: &str,
        depth: usize,
    ) -> Result<bool, Error> {
        match mechanism {
            Mechanism::All => Ok(true),
            Mechanism::Ip4 { addr, prefix } => Ok(match self.ip {
                IpAddr::V4(ip) => in_prefix(&ip.octets(), &addr.octets(), prefix.unwrap_or(32)),
                IpAddr::V6(_) => false,
            }),
            Mechanism::Ip6 { addr, prefix } => Ok(match self.ip {
                IpAddr::V6(ip) => in_prefix(&ip.octets(), &addr.octets(), prefix.unwrap_or(128)),
                IpAddr::V4(_) => false,
            }),
            Mechanism::Include(target) => {
                let target = self.target(Some(target), domain, depth).await?;
                self.note(depth, || format!("include:{target}"));
                let verdict = self.check(&target, depth + 1, false).await?;
                // §5.2: the included domain's result maps to match / no match / error.
                match verdict.result {
                    SpfResult::Pass => Ok(true),
                    SpfResult::Fail | SpfResult::SoftFail | SpfResult::Neutral => Ok(false),
                    SpfResult::None => Err(Error::NoRecordAt {
                        domain: target.into_owned(),
                        term: "include",
                    }),
                    // Errors came back as Err already.
                    SpfResult::TempError | SpfResult::PermError => Ok(false),
                }
            }
            Mechanism::A {
                domain: target,
                cidr,
            } => {
                let target = self.target(target.as_ref(), domain, depth).await?;
                self.address_matches(&target, *cidr, true).await
            }
            Mechanism::Mx {
                domain: target,
                cidr,
            } => {
                let target = self.target(target.as_ref(), domain, depth).await?;
                let evaluator = self.evaluator;
                let answer = self
                    .kept("MX", &target, &evaluator.answers.mx, || {
                        evaluator.resolver.mx_with_ttl(&target)
                    })
                    .await?;
                self.count_void(&answer)?;
                let mut exchanges: Vec<&Mx> = answer.records().iter().collect();
                exchanges.sort_by_key(|mx| mx.preference);
                // §4.6.4: no more than 10 address lookups for one mx; needing an 11th is a
                // permerror, a match before it is a match.
                for (i, mx) in exchanges.iter().filter(|mx| !mx.is_null()).enumerate() {
                    if i >= self.evaluator.limits.mx_names {
                        return Err(Error::TooManyMxNames {
                            domain: target.into_owned(),
                            limit: self.evaluator.limits.mx_names,
                        });
                    }
                    if self.address_matches(&mx.exchange, *cidr, false).await? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Mechanism::Ptr(target) => {
                let target = self.target(target.as_ref(), domain, depth).await?;
                let names = self.validated_names(true).await?;
                Ok(names.iter().any(|name| is_within(name, &target)))
            }
            Mechanism::Exists(target) => {
                let target = self.target(Some(target), domain, depth).await?;
                let evaluator = self.evaluator;
                let answer = self
                    .kept("A", &target, &evaluator.answers.a, || {
                        evaluator.resolver.a_with_ttl(&target)
                    })
                    .await?;
                self.count_void(&answer)?;
                Ok(!answer.is_void())
            }
        }
    }

    /// The domain a mechanism names, expanded, or the current domain.
    async fn target<'x>(
        &mut self,
        spec: Option<&'x MacroString>,
        domain: &'x str,
        depth: usize,
    ) -> Result<Cow<'x, str>, Error> {
        let Some(spec) = spec else {
            return Ok(Cow::Borrowed(domain));
        };
        if let Some(plain) = spec.as_plain_domain() {
            return Ok(Cow::Borrowed(plain));
        }
        let validated = if spec.uses_validated_name() {
            self.validated_name(domain).await?
        } else {
            None
        };
        let expanded = spec.expand_domain(&self.context(domain, validated.as_deref()))?;
        self.note(depth, || format!("{spec} expands to {expanded}"));
        Ok(Cow::Owned(expanded))
    }

    /// Whether the client is among the A (IPv4 client) or AAAA (IPv6 client) addresses of
    /// `name`, within the prefix lengths. `primary` lookups (of the `a` mechanism itself) count
    /// toward the void limit.
    async fn address_matches(
        &mut self,
        name: &str,
        cidr: DualCidr,
        primary: bool,
    ) -> Result<bool, Error> {
        let evaluator = self.evaluator;
        let resolver = evaluator.resolver;
        match self.ip {
            IpAddr::V4(ip) => {
                let answer = self
                    .kept("A", name, &evaluator.answers.a, || {
                        resolver.a_with_ttl(name)
                    })
                    .await?;
                if primary {
                    self.count_void(&answer)?;
                }
                let prefix = cidr.v4.unwrap_or(32);
                Ok(answer
                    .records()
                    .iter()
                    .any(|a| in_prefix(&ip.octets(), &a.octets(), prefix)))
            }
            IpAddr::V6(ip) => {
                let answer = self
                    .kept("AAAA", name, &evaluator.answers.aaaa, || {
                        resolver.aaaa_with_ttl(name)
                    })
                    .await?;
                if primary {
                    self.count_void(&answer)?;
                }
                let prefix = cidr.v6.unwrap_or(128);
                Ok(answer
                    .records()
                    .iter()
                    .any(|a| in_prefix(&ip.octets(), &a.octets(), prefix)))
            }
        }
    }

    /// An answer kept from an earlier lookup while its TTL lasts, else asked for with `ask`
    /// (and kept, when the evaluator keeps answers). Failures are never kept.
    async fn kept<T, F, Fut>(
        &mut self,
        kind: &str,
        name: &str,
        cache: &TtlCache<Arc<Answer<T>>>,
        ask: F,
    ) -> Result<Arc<Answer<T>>, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = (mailroom_dns::Lookup<T>, Option<u32>)>,
    {
        let evaluator = self.evaluator;
        if evaluator.keep_answers
            && let Some(kept) = cache.get(name, evaluator.now)
        {
            let depth = self.depth;
            self.note(depth, || {
                format!("{kind} {name}: kept from an earlier answer")
            });
            return Ok(kept);
        }
        let (answer, ttl) = ask().await;
        self.note_query(kind, name, &answer);
        let answer = Arc::new(answer.map_err(|source| dns_error(name, source))?);
        if let (true, Some(ttl)) = (evaluator.keep_answers, ttl) {
            cache.insert(name, Arc::clone(&answer), evaluator.now, ttl);
        }
        Ok(answer)
    }

    /// The client's host names whose addresses include the client (§5.5), at most the PTR
    /// name limit. A failed PTR lookup gives no names; a failed address lookup skips a name.
    async fn validated_names(&mut self, count_void: bool) -> Result<Vec<String>, Error> {
        let resolver = self.evaluator.resolver;
        let ptr = resolver.ptr(self.ip).await;
        self.note_query("PTR", &mailroom_dns::reverse_name(self.ip), &ptr);
        let names = match ptr {
            Ok(answer) => {
                if count_void {
                    self.count_void(&answer)?;
                }
                answer.into_records()
            }
            Err(_) => return Ok(Vec::new()),
        };
        let mut validated = Vec::new();
        for name in names.into_iter().take(self.evaluator.limits.ptr_names) {
            let found = match self.ip {
                IpAddr::V4(ip) => resolver
                    .a(&name)
                    .await
                    .is_ok_and(|a| a.records().contains(&ip)),
                IpAddr::V6(ip) => resolver
                    .aaaa(&name)
                    .await
                    .is_ok_and(|a| a.records().contains(&ip)),
            };
            if found {
                validated.push(name);
            }
        }
        Ok(validated)
    }

    /// `%{p}` (§7.3): a validated name in the domain if there is one, else any, else none.
    async fn validated_name(&mut self, domain: &str) -> Result<Option<String>, Error> {
        let names = self.validated_names(false).await?;
        Ok(names
            .iter()
            .find(|n| is_within(n, domain))
            .or(names.first())
            .cloned())
    }

    /// The explanation of a fail (§6.2): the TXT record at the expanded `exp=` domain, expanded
    /// in turn. Any problem on the way means no explanation, not an error.
    async fn explain(&mut self, exp: &MacroString, domain: &str, depth: usize) -> Option<String> {
        let validated = if exp.uses_validated_name() {
            self.validated_name(domain).await.ok().flatten()
        } else {
            None
        };
        let name = exp
            .expand_domain(&self.context(domain, validated.as_deref()))
            .ok()?;
        let answer = self.evaluator.resolver.txt(&name).await.ok()?;
        let [record] = answer.records() else {
            self.note(depth, || {
                format!("exp={name}: not exactly one TXT record; no explanation")
            });
            return None;
        };
        let text = String::from_utf8(record.concat()).ok()?;
        let macro_string = MacroString::parse(&text).ok()?;
        let validated = if macro_string.uses_validated_name() {
            self.validated_name(domain).await.ok().flatten()
        } else {
            validated
        };
        macro_string
            .expand(&self.context(domain, validated.as_deref()), true)
            .ok()
    }
}

fn dns_error(name: &str, source: DnsError) -> Error {
    Error::Dns {
        name: name.to_owned(),
        source,
    }
}

/// Whether `name` is `domain` or under it, without regard to case or a final dot.
fn is_within(name: &str, domain: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    name == domain || name.ends_with(&format!(".{domain}"))
}

/// Whether a domain can be checked (§4.3): well-formed labels and more than one of them.
fn is_checkable(domain: &str) -> bool {
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    mailroom_dns::to_ascii_cow(domain).is_ok() && domain.contains('.')
}

/// Whether the first `prefix` bits of two addresses agree.
fn in_prefix(ip: &[u8], network: &[u8], prefix: u8) -> bool {
    let prefix = usize::from(prefix);
    let whole = prefix / 8;
    if ip[..whole] != network[..whole] {
        return false;
    }
    let rest = prefix % 8;
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    (ip[whole] & mask) == (network[whole] & mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert!(in_prefix(&[192, 0, 2, 77], &[192, 0, 2, 0], 24));
        assert!(!in_prefix(&[192, 0, 3, 77], &[192, 0, 2, 0], 24));
        assert!(in_prefix(&[10, 0, 0, 1], &[192, 0, 2, 0], 0));
        assert!(in_prefix(&[192, 0, 2, 129], &[192, 0, 2, 128], 25));
        assert!(!in_prefix(&[192, 0, 2, 127], &[192, 0, 2, 128], 25));
    }

    #[test]
    fn checkable_domains() {
        assert!(is_checkable("example.com"));
        assert!(is_checkable("example.com."));
        assert!(!is_checkable("localhost"));
        assert!(!is_checkable("a..example.com"));
        assert!(!is_checkable(&format!("{}.example.com", "x".repeat(64))));
    }
}
