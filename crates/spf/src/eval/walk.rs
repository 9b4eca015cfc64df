//! The walk of `check_host()` through a domain's record and the records it includes and
//! redirects to (RFC 7208 §4.6 to §6), asking the DNS for what is not kept.

use std::borrow::Cow;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;

use mailroom_dns::{Answer, DnsError, Mx, Resolver, TtlCache};

use super::cache::{Fetched, KeptRecord};
use super::{Evaluator, TraceEvent, Verdict};
use crate::error::Error;
use crate::macros::{MacroContext, MacroString};
use crate::policy::Policy;
use crate::program::Network;
use crate::record::{DualCidr, Mechanism, Record};
use crate::result::SpfResult;

/// A record being evaluated in a walk: whose it is, and how far evaluation has come.
struct Frame<'e> {
    policy: Arc<Policy>,
    domain: Domain<'e>,
    /// How deep in `include:`/`redirect=` it is (0 for the checked domain).
    depth: usize,
    /// Whether the directive that decides is reported: it is for the checked domain and what
    /// it redirects to, not inside an include, whose result alone counts.
    report: bool,
    /// The directive being evaluated (or waiting for its include's result).
    next: usize,
    /// Whether the record is being followed through its `redirect=`, so that the frame above
    /// gives its result.
    redirected: bool,
}

/// The name a frame checks, without copying names out of the records.
enum Domain<'e> {
    /// The domain `check_host()` was asked about.
    Given(&'e str),
    /// The literal target of a directive (`Some(index)`) or of `redirect=` (`None`) in the
    /// record of the frame at `frame`, which stays on the stack below.
    Literal {
        frame: usize,
        directive: Option<usize>,
    },
    /// A target with macros, expanded.
    Expanded(String),
}

/// Why a walk starts on a domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    /// It is the domain being checked.
    Check,
    /// An `include:` names it.
    Include,
    /// A `redirect=` names it.
    Redirect,
}

/// The text of a frame's domain.
fn name<'s>(stack: &'s [Frame<'_>], domain: &'s Domain<'_>) -> &'s str {
    match domain {
        Domain::Given(given) => given,
        Domain::Literal { frame, directive } => {
            let policy = stack.get(*frame).map(|f| &f.policy);
            let target =
                match directive {
                    Some(i) => policy.and_then(|p| p.rules.get(*i)).and_then(|rule| {
                        match &rule.mechanism {
                            Mechanism::Include(target) => target.as_plain_domain(),
                            _ => None,
                        }
                    }),
                    None => policy
                        .and_then(|p| p.redirect.as_ref())
                        .and_then(MacroString::as_plain_domain),
                };
            target.unwrap_or_default()
        }
        Domain::Expanded(expanded) => expanded,
    }
}

/// The state of one check: the counts the limits apply to, across includes and redirects.
pub(super) struct Run<'e, 'r, R> {
    pub(super) evaluator: &'e Evaluator<'r, R>,
    pub(super) ip: IpAddr,
    pub(super) sender: &'e str,
    pub(super) helo: &'e str,
    pub(super) dns_terms: usize,
    pub(super) void_lookups: usize,
    pub(super) trace: Vec<TraceEvent>,
    /// The include/redirect depth being evaluated, for the trace.
    pub(super) depth: usize,
}

impl<'e, R: Resolver> Run<'e, '_, R> {
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

    /// check_host() for one domain (§4.3 to §4.7), following include and redirect.
    ///
    /// The walk keeps a stack of the records being evaluated instead of recursing, so one
    /// check is one future however deep the includes go (the limits of §4.6.4 bound the depth),
    /// and what needs no DNS (kept records, `ip4`, `ip6`, `all`) is decided without awaiting.
    pub(super) async fn walk(
        &mut self,
        given: &'e str,
        mut kept: Option<Arc<KeptRecord>>,
    ) -> Result<Verdict, Error> {
        let mut stack: Vec<Frame<'e>> = Vec::with_capacity(4);
        // A domain to start on, and why.
        let mut entering = Some((Domain::Given(given), Via::Check));
        // The verdict of the frame that just ended, for the frame below it.
        let mut ended: Option<Verdict> = None;
        loop {
            if let Some((domain, via)) = entering.take() {
                let (depth, report) = match (via, stack.last()) {
                    (_, None) => (0, true),
                    (Via::Include, Some(caller)) => (caller.depth + 1, false),
                    (_, Some(caller)) => (caller.depth + 1, caller.report),
                };
                let name = name(&stack, &domain);
                let kept = match kept.take() {
                    Some(kept) => {
                        self.note_kept(name, depth);
                        Some(kept.fetched.clone())
                    }
                    None => self.kept_record(name, depth),
                };
                let fetched = match kept {
                    Some(kept) => kept,
                    // A miss waits for the DNS anyway; boxing its future keeps the walk's
                    // state small for the checks that never miss.
                    None => Box::pin(self.fetch_record(name, depth)).await,
                };
                if let Some(policy) = fetched? {
                    if let (Via::Redirect, Some(caller)) = (via, stack.last_mut()) {
                        caller.redirected = true;
                    }
                    stack.push(Frame {
                        policy,
                        domain,
                        depth,
                        report,
                        next: 0,
                        redirected: false,
                    });
                    continue;
                }
                // No policy: a malformed or single-label name (§4.3) or no SPF record (§4.5).
                let term = match via {
                    Via::Check => return Ok(Verdict::of(SpfResult::None)),
                    Via::Include => "include",
                    Via::Redirect => "redirect",
                };
                return Err(Error::NoRecordAt {
                    domain: name.to_owned(),
                    term,
                });
            }
            let Some(top) = stack.len().checked_sub(1) else {
                return Ok(ended.unwrap_or(Verdict::of(SpfResult::Neutral)));
            };
            if let Some(verdict) = ended.take() {
                let frame = &stack[top];
                if frame.redirected {
                    // §6.1: the redirect target's result is this record's result.
                    stack.pop();
                    ended = Some(verdict);
                    continue;
                }
                // §5.2: the included domain's result maps to match or no match (errors and
                // `none` ended the walk already).
                let matched = verdict.result == SpfResult::Pass;
                if let Some(rule) = frame.policy.rules.get(frame.next) {
                    let domain = name(&stack, &frame.domain);
                    self.note_match(frame.depth, domain, &rule.text, matched);
                }
                ended = self.advance(&mut stack, matched).await;
                continue;
            }
            let frame = &stack[top];
            let depth = frame.depth;
            // Directives that ask no DNS (all, ip4, ip6) are decided here, without a future.
            let mut next = frame.next;
            let mut matched = false;
            while let Some(rule) = frame.policy.rules.get(next) {
                let Some(matches) = self.matches_address(&rule.mechanism) else {
                    break;
                };
                if self.evaluator.trace {
                    let domain = name(&stack, &frame.domain);
                    self.note_match(depth, domain, &rule.text, matches);
                }
                if matches {
                    matched = true;
                    break;
                }
                next += 1;
            }
            stack[top].next = next;
            let frame = &stack[top];
            let domain = name(&stack, &frame.domain);
            if let Some(rule) = frame.policy.rules.get(next) {
                self.depth = depth;
                if !matched && rule.mechanism.queries_dns() {
                    self.count_term()?;
                }
                if let (false, Mechanism::Include(target)) = (matched, &rule.mechanism) {
                    let target = match target.as_plain_domain() {
                        Some(_) => Domain::Literal {
                            frame: top,
                            directive: Some(next),
                        },
                        None => Domain::Expanded(self.expand(target, domain, depth).await?),
                    };
                    self.note(depth, || format!("include:{}", name(&stack, &target)));
                    entering = Some((target, Via::Include));
                    continue;
                }
                if !matched {
                    matched = self.matches(&rule.mechanism, domain, depth).await?;
                    self.note_match(depth, domain, &rule.text, matched);
                }
                ended = self.advance(&mut stack, matched).await;
                continue;
            }
            // §6.1: redirect= applies when nothing matched (and is kept only without "all").
            if let Some(redirect) = &frame.policy.redirect {
                self.count_term()?;
                let target = match redirect.as_plain_domain() {
                    Some(_) => Domain::Literal {
                        frame: top,
                        directive: None,
                    },
                    None => Domain::Expanded(redirect.expand_domain(&self.context(domain, None))?),
                };
                self.note(depth, || {
                    format!("{domain}: redirect={}", name(&stack, &target))
                });
                entering = Some((target, Via::Redirect));
                continue;
            }
            self.note(depth, || format!("{domain}: no directive matched: neutral"));
            stack.pop();
            ended = Some(Verdict::of(SpfResult::Neutral));
        }
    }

    /// The verdict of the directive the top frame stopped on: its result, its text when the
    /// frame reports, and for a fail the explanation (§6.2).
    /// After the top frame has tested its current directive: a match ends the frame with that
    /// directive's result (§4.6.2), given back for the frame below; otherwise the frame goes on
    /// to its next directive.
    async fn advance(&mut self, stack: &mut Vec<Frame<'e>>, matched: bool) -> Option<Verdict> {
        if matched {
            let verdict = self.conclude(stack).await;
            stack.pop();
            Some(verdict)
        } else {
            if let Some(frame) = stack.last_mut() {
                frame.next += 1;
            }
            None
        }
    }

    async fn conclude(&mut self, stack: &[Frame<'e>]) -> Verdict {
        let Some((frame, rule)) = stack
            .last()
            .and_then(|frame| Some((frame, frame.policy.rules.get(frame.next)?)))
        else {
            return Verdict::of(SpfResult::Neutral);
        };
        let mut verdict = Verdict {
            result: rule.result,
            mechanism: frame.report.then(|| Arc::clone(&rule.text)),
            explanation: None,
        };
        if let (Some(exp), SpfResult::Fail) = (&frame.policy.explanation, rule.result) {
            let domain = name(stack, &frame.domain);
            verdict.explanation = Box::pin(self.explain(exp, domain, frame.depth)).await;
        }
        verdict
    }

    fn note_match(&mut self, depth: usize, domain: &str, directive: &str, matched: bool) {
        self.note(depth, || {
            let outcome = if matched { "matches" } else { "does not match" };
            format!("{domain}: {directive} {outcome}")
        });
    }

    /// What an earlier answer for a domain's record gave, while that answer's TTL lasts.
    fn kept_record(&mut self, domain: &str, depth: usize) -> Option<Fetched> {
        let evaluator = self.evaluator;
        if !evaluator.keep_answers {
            return None;
        }
        let kept = evaluator.cache.names.get(domain, evaluator.now)?;
        self.note_kept(domain, depth);
        Some(kept.fetched.clone())
    }

    fn note_kept(&mut self, domain: &str, depth: usize) {
        self.note(depth, || {
            format!("TXT {domain}: kept from an earlier answer")
        });
    }

    /// Fetches and parses the SPF record of a domain (§4.4, §4.5). A domain that cannot be
    /// checked (§4.3) has none. Only checkable names are kept, so a kept one is not checked
    /// again.
    async fn fetch_record(&mut self, domain: &str, depth: usize) -> Fetched {
        self.depth = depth;
        let evaluator = self.evaluator;
        if !is_checkable(domain) {
            self.note(depth, || {
                format!("{domain}: not a usable domain name: none")
            });
            return Ok(None);
        }
        let (answer, ttl) = evaluator.resolver.txt_with_ttl(domain).await;
        self.note_query("TXT", domain, &answer);
        let answer = answer.map_err(|source| dns_error(domain, source))?;
        let fetched = self.select_record(domain, depth, &answer);
        if let (true, Some(ttl)) = (evaluator.keep_answers, ttl) {
            let kept = KeptRecord {
                fetched: fetched.clone(),
                program: None,
            };
            evaluator
                .cache
                .names
                .insert(domain, Arc::new(kept), evaluator.now, ttl);
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
                        .cache
                        .records
                        .get_or_parse(text.as_bytes(), |_| {
                            Record::parse(text).map(|record| Arc::new(Policy::new(&record)))
                        })?,
                ))
            }
            many => Err(Error::MultipleRecords {
                domain: domain.to_owned(),
                count: many.len(),
            }),
        }
    }

    /// Whether a mechanism other than `include` matches the client (§5).
    async fn matches(
        &mut self,
        mechanism: &Mechanism,
        domain: &str,
        depth: usize,
    ) -> Result<bool, Error> {
        if let Some(matched) = self.matches_address(mechanism) {
            return Ok(matched);
        }
        match mechanism {
            // The walk enters includes itself, and decides all, ip4 and ip6 above.
            Mechanism::Include(_)
            | Mechanism::All
            | Mechanism::Ip4 { .. }
            | Mechanism::Ip6 { .. } => Ok(false),
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
                    .kept("MX", &target, &evaluator.cache.answers.mx, || {
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
                let names = Box::pin(self.validated_names(true)).await?;
                Ok(names.iter().any(|name| is_within(name, &target)))
            }
            Mechanism::Exists(target) => {
                let target = self.target(Some(target), domain, depth).await?;
                let evaluator = self.evaluator;
                let answer = self
                    .kept("A", &target, &evaluator.cache.answers.a, || {
                        evaluator.resolver.a_with_ttl(&target)
                    })
                    .await?;
                self.count_void(&answer)?;
                Ok(!answer.is_void())
            }
        }
    }

    /// Whether `all`, `ip4` or `ip6` matches the client; `None` for the mechanisms that need
    /// the DNS.
    fn matches_address(&self, mechanism: &Mechanism) -> Option<bool> {
        match (mechanism, self.ip) {
            (Mechanism::All, _) => Some(true),
            (Mechanism::Ip4 { addr, prefix }, IpAddr::V4(ip)) => {
                Some(Network::v4(*addr, prefix.unwrap_or(32)).contains(ip.into()))
            }
            (Mechanism::Ip6 { addr, prefix }, IpAddr::V6(ip)) => {
                Some(Network::v6(*addr, prefix.unwrap_or(128)).contains(ip.into()))
            }
            (Mechanism::Ip4 { .. } | Mechanism::Ip6 { .. }, _) => Some(false),
            _ => None,
        }
    }

    /// A macro-string target expanded as a domain name (§7.3), looking up the client's
    /// validated name first when it uses `%{p}`.
    async fn expand(
        &mut self,
        spec: &MacroString,
        domain: &str,
        depth: usize,
    ) -> Result<String, Error> {
        let validated = if spec.uses_validated_name() {
            Box::pin(self.validated_name(domain)).await?
        } else {
            None
        };
        let expanded = spec.expand_domain(&self.context(domain, validated.as_deref()))?;
        self.note(depth, || format!("{spec} expands to {expanded}"));
        Ok(expanded)
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
        Ok(Cow::Owned(self.expand(spec, domain, depth).await?))
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
        let answers = &evaluator.cache.answers;
        match self.ip {
            IpAddr::V4(_) => {
                let answer = self
                    .kept("A", name, &answers.a, || resolver.a_with_ttl(name))
                    .await?;
                self.any_matches(&answer, primary, |a| Network::v4(a, cidr.v4.unwrap_or(32)))
            }
            IpAddr::V6(_) => {
                let answer = self
                    .kept("AAAA", name, &answers.aaaa, || resolver.aaaa_with_ttl(name))
                    .await?;
                self.any_matches(&answer, primary, |a| Network::v6(a, cidr.v6.unwrap_or(128)))
            }
        }
    }

    /// Whether the client is in the network of any address of `answer`; a `primary` empty
    /// answer counts toward the void limit.
    fn any_matches<T: Copy>(
        &mut self,
        answer: &Answer<T>,
        primary: bool,
        network: impl Fn(T) -> Network,
    ) -> Result<bool, Error> {
        if primary {
            self.count_void(answer)?;
        }
        let ip = self.ip;
        Ok(answer.records().iter().any(|&a| network(a).contains(ip)))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkable_domains() {
        assert!(is_checkable("example.com"));
        assert!(is_checkable("example.com."));
        assert!(!is_checkable("localhost"));
        assert!(!is_checkable("a..example.com"));
        assert!(!is_checkable(&format!("{}.example.com", "x".repeat(64))));
    }
}
