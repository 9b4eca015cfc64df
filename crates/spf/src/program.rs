//! Policies flattened into programs of address tests, so that checking a domain whose records
//! and answers are all kept needs no walk, no lookups and no futures.
//!
//! A program is built from what an evaluator keeps (parsed records, and A, AAAA and MX answers,
//! each for its TTL) and is valid until the first of those runs out. It covers `all`, `ip4`,
//! `ip6`, `include:` and `redirect=` of literal domains, `a` and `mx` whose answers are kept,
//! and `exists:`, whose name is expanded for each client and looked for among the kept A
//! answers. Everything else (other macros, `ptr`, `%{p}`, a fail with an explanation to fetch,
//! a limit reached, an answer not kept) makes the run give up: the check starts over with the
//! full walk of `check_host()`, which stays the reference for every result.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use mailroom_dns::{Answer, Mx};

use crate::limits::Limits;
use crate::macros::{MacroContext, MacroString};
use crate::policy::Policy;
use crate::record::{DualCidr, Mechanism};
use crate::result::SpfResult;

/// The longest program built; a bigger policy ends in a walk. Real policies flatten to tens of
/// steps; the bound keeps hostile ones (address answers with thousands of records) from
/// making every kept program large.
const MAX_OPS: usize = 512;

/// What a program is built from: the records and answers an evaluator keeps, each with the time
/// it stops being valid. `None` when nothing is kept for the name.
pub(crate) trait Source {
    /// A domain's policy: `Some(None)` when the domain is known to have no SPF record.
    fn policy(&self, domain: &str) -> Option<(Option<Arc<Policy>>, u64)>;
    /// The A answer for a name.
    fn a(&self, name: &str) -> Option<(Arc<Answer<Ipv4Addr>>, u64)>;
    /// Whether the A answer for a name has records (for `exists:`, asked once per run).
    fn a_exists(&self, name: &str) -> Option<bool> {
        self.a(name).map(|(answer, _)| !answer.is_void())
    }
    /// The AAAA answer for a name.
    fn aaaa(&self, name: &str) -> Option<(Arc<Answer<Ipv6Addr>>, u64)>;
    /// The MX answer for a name.
    fn mx(&self, name: &str) -> Option<(Arc<Answer<Mx>>, u64)>;
}

/// A flattened policy: steps run in order until one decides.
#[derive(Debug)]
pub(crate) struct Program {
    ops: Vec<Op>,
    /// When the first record or answer it was built from runs out.
    pub(crate) expires: u64,
}

/// One step of a program.
#[derive(Debug)]
enum Op {
    /// A test of the client's address, and what a match means.
    Test { network: Network, then: Then },
    /// `exists:` (§5.7): a kept A answer for the expanded name matches when it has records.
    Exists {
        target: MacroString,
        /// The domain whose record it is, for `%{d}`.
        domain: Box<str>,
        then: Then,
    },
    /// A DNS-querying term begins (RFC 7208 §4.6.4).
    Term,
    /// A lookup for clients of this family found nothing (§4.6.4).
    Void(Family),
    /// For clients of this family, only the walk can go on from here.
    Walk(Family),
}

/// The addresses a test matches: a network as a masked integer, compared without looking at
/// the address's bytes one by one.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Network {
    Any,
    V4 { network: u32, mask: u32 },
    V6 { network: u128, mask: u128 },
}

/// What a matching test means.
#[derive(Debug, Clone)]
enum Then {
    /// The record being flattened concludes: with this result, reporting this directive, and
    /// needing the walk when the result is a fail with an explanation to fetch.
    Conclude {
        result: SpfResult,
        mechanism: Option<Arc<str>>,
        explain: bool,
    },
    /// An included record concluded other than pass: the include does not match, and the
    /// includer goes on at this step (§5.2).
    Skip(usize),
}

/// Which clients a step applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Any,
    V4,
    V6,
}

impl Family {
    fn covers(self, ip: IpAddr) -> bool {
        matches!(
            (self, ip),
            (Self::Any, _) | (Self::V4, IpAddr::V4(_)) | (Self::V6, IpAddr::V6(_))
        )
    }
}

impl Network {
    /// The IPv4 network of `addr`'s first `prefix` bits.
    pub(crate) fn v4(addr: Ipv4Addr, prefix: u8) -> Self {
        let mask = u32::MAX
            .checked_shl(32 - u32::from(prefix.min(32)))
            .unwrap_or(0);
        Self::V4 {
            network: u32::from(addr) & mask,
            mask,
        }
    }

    /// The IPv6 network of `addr`'s first `prefix` bits.
    pub(crate) fn v6(addr: Ipv6Addr, prefix: u8) -> Self {
        let mask = u128::MAX
            .checked_shl(128 - u32::from(prefix.min(128)))
            .unwrap_or(0);
        Self::V6 {
            network: u128::from(addr) & mask,
            mask,
        }
    }

    /// Whether `ip` is in the network.
    pub(crate) fn contains(self, ip: IpAddr) -> bool {
        match (self, ip) {
            (Self::Any, _) => true,
            (Self::V4 { network, mask }, IpAddr::V4(ip)) => u32::from(ip) & mask == network,
            (Self::V6 { network, mask }, IpAddr::V6(ip)) => u128::from(ip) & mask == network,
            _ => false,
        }
    }
}

/// Who a program runs for: what its macros expand to.
#[derive(Debug)]
pub(crate) struct Client<'c> {
    pub(crate) ip: IpAddr,
    pub(crate) sender: &'c str,
    pub(crate) helo: &'c str,
}

/// What a program decided for a client.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Decision {
    pub(crate) result: SpfResult,
    /// The checked domain's directive that decided.
    pub(crate) mechanism: Option<Arc<str>>,
    pub(crate) dns_terms: usize,
    pub(crate) void_lookups: usize,
}

impl Program {
    /// Flattens `policy`, the record of `domain`, from what `kept` holds, at time `now`.
    pub(crate) fn build(
        domain: &str,
        policy: &Policy,
        expires: u64,
        kept: &impl Source,
        limits: &Limits,
    ) -> Self {
        let mut builder = Builder {
            ops: Vec::new(),
            expires,
            terms: 0,
            kept,
            limits,
        };
        // A flow that stops has ended in a walk for every client; either way the program ends.
        let _ = builder.record(policy, domain, true);
        Self {
            ops: builder.ops,
            expires: builder.expires,
        }
    }

    /// Runs the program for a client, with the A answers `kept` holds for `exists`: the
    /// decision, or `None` when the walk must decide.
    pub(crate) fn run(
        &self,
        client: &Client<'_>,
        kept: &impl Source,
        limits: &Limits,
    ) -> Option<Decision> {
        let ip = client.ip;
        let (mut dns_terms, mut void_lookups) = (0, 0);
        let mut at = 0;
        while let Some(op) = self.ops.get(at) {
            at += 1;
            let matched = match op {
                Op::Test { network, then } => network.contains(ip).then_some(then),
                Op::Exists {
                    target,
                    domain,
                    then,
                } => {
                    let context = MacroContext {
                        sender: client.sender,
                        domain,
                        ip,
                        helo: client.helo,
                        receiver: "",
                        now: 0,
                        validated: None,
                    };
                    // A name that does not expand is an error, and an answer not kept a
                    // lookup: the walk does both.
                    let name = target.expand_domain(&context).ok()?;
                    let exists = kept.a_exists(&name)?;
                    if !exists {
                        void_lookups += 1;
                        if void_lookups > limits.void_lookups {
                            return None;
                        }
                    }
                    exists.then_some(then)
                }
                Op::Term => {
                    dns_terms += 1;
                    if dns_terms > limits.dns_terms {
                        return None;
                    }
                    None
                }
                Op::Void(family) => {
                    if family.covers(ip) {
                        void_lookups += 1;
                        if void_lookups > limits.void_lookups {
                            return None;
                        }
                    }
                    None
                }
                Op::Walk(family) if family.covers(ip) => return None,
                Op::Walk(_) => None,
            };
            match matched {
                Some(Then::Conclude {
                    result,
                    mechanism,
                    explain,
                }) => {
                    if *explain {
                        return None;
                    }
                    return Some(Decision {
                        result: *result,
                        mechanism: mechanism.clone(),
                        dns_terms,
                        void_lookups,
                    });
                }
                Some(Then::Skip(to)) => at = *to,
                None => {}
            }
        }
        // §4.7: no directive matched and there was no redirect.
        Some(Decision {
            result: SpfResult::Neutral,
            mechanism: None,
            dns_terms,
            void_lookups,
        })
    }
}

/// Whether flattening can go on after a step, or has ended in a walk for every client.
#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

struct Builder<'k, K> {
    ops: Vec<Op>,
    expires: u64,
    /// DNS-querying terms so far in the order written: never fewer than a run counts.
    terms: usize,
    kept: &'k K,
    limits: &'k Limits,
}

impl<K: Source> Builder<'_, K> {
    fn walk(&mut self) -> Flow {
        self.ops.push(Op::Walk(Family::Any));
        Flow::Stop
    }

    fn valid_until(&mut self, expires: u64) {
        self.expires = self.expires.min(expires);
    }

    /// A DNS-querying term; past the limit only the walk can go on (and it will fail).
    fn term(&mut self) -> Flow {
        self.ops.push(Op::Term);
        self.terms += 1;
        if self.terms > self.limits.dns_terms || self.ops.len() > MAX_OPS {
            return self.walk();
        }
        Flow::Continue
    }

    /// The steps of one record, whose conclusions are this record's result.
    fn record(&mut self, policy: &Policy, domain: &str, report: bool) -> Flow {
        for rule in &policy.rules {
            if self.ops.len() > MAX_OPS {
                return self.walk();
            }
            let conclude = || Then::Conclude {
                result: rule.result,
                mechanism: report.then(|| rule.text.clone()),
                explain: rule.result == SpfResult::Fail && policy.explanation.is_some(),
            };
            let flow = match &rule.mechanism {
                Mechanism::All => {
                    self.ops.push(Op::Test {
                        network: Network::Any,
                        then: conclude(),
                    });
                    // Nothing after `all` is reached, and it makes redirect= ignored (§6.1).
                    return Flow::Stop;
                }
                Mechanism::Ip4 { addr, prefix } => {
                    self.ops.push(Op::Test {
                        network: Network::v4(*addr, prefix.unwrap_or(32)),
                        then: conclude(),
                    });
                    Flow::Continue
                }
                Mechanism::Ip6 { addr, prefix } => {
                    self.ops.push(Op::Test {
                        network: Network::v6(*addr, prefix.unwrap_or(128)),
                        then: conclude(),
                    });
                    Flow::Continue
                }
                Mechanism::Include(target) => match target.as_plain_domain() {
                    Some(target) => self.include(target, &conclude()),
                    None => self.walk(),
                },
                Mechanism::A {
                    domain: target,
                    cidr,
                } => match target.as_ref().map(|t| t.as_plain_domain()) {
                    None => self.a(domain, *cidr, &conclude),
                    Some(Some(target)) => self.a(target, *cidr, &conclude),
                    Some(None) => self.walk(),
                },
                Mechanism::Mx {
                    domain: target,
                    cidr,
                } => match target.as_ref().map(|t| t.as_plain_domain()) {
                    None => self.mx(domain, *cidr, &conclude),
                    Some(Some(target)) => self.mx(target, *cidr, &conclude),
                    Some(None) => self.walk(),
                },
                Mechanism::Exists(target) if !target.uses_validated_name() => {
                    let flow = self.term();
                    if flow == Flow::Continue {
                        self.ops.push(Op::Exists {
                            target: target.clone(),
                            domain: domain.into(),
                            then: conclude(),
                        });
                    }
                    flow
                }
                // ptr and %{p} need the client's validated names.
                _ => self.walk(),
            };
            if flow == Flow::Stop {
                return Flow::Stop;
            }
        }
        let Some(redirect) = &policy.redirect else {
            return Flow::Continue;
        };
        let Some(target) = redirect.as_plain_domain() else {
            return self.walk();
        };
        if self.term() == Flow::Stop {
            return Flow::Stop;
        }
        // §6.1: the target's result is this record's result, reported as this record's would be.
        match self.kept.policy(target) {
            Some((Some(policy), expires)) => {
                self.valid_until(expires);
                self.record(&policy, target, report)
            }
            // No record there is a permerror, which the walk gives.
            _ => self.walk(),
        }
    }

    /// `include:target`: the target's steps, where its pass concludes this record as
    /// `conclude` says and anything else skips to after them (§5.2).
    fn include(&mut self, target: &str, conclude: &Then) -> Flow {
        if self.term() == Flow::Stop {
            return Flow::Stop;
        }
        let Some((Some(policy), expires)) = self.kept.policy(target) else {
            // Not kept, or no record (a permerror the walk gives).
            return self.walk();
        };
        self.valid_until(expires);
        let start = self.ops.len();
        // Whatever ends the target's steps (an `all`, a walk), a skip out of them can still
        // reach the steps after the include, so they are built either way.
        let _ = self.record(&policy, target, false);
        let end = self.ops.len();
        for op in &mut self.ops[start..] {
            if let Op::Test { then, .. } | Op::Exists { then, .. } = op
                && let Then::Conclude { result, .. } = then
            {
                *then = if *result == SpfResult::Pass {
                    conclude.clone()
                } else {
                    Then::Skip(end)
                };
            }
        }
        Flow::Continue
    }

    /// `a`: the addresses of `name` for the client's family, a void lookup counted (§5.3).
    fn a(&mut self, name: &str, cidr: DualCidr, conclude: &impl Fn() -> Then) -> Flow {
        if self.term() == Flow::Stop {
            return Flow::Stop;
        }
        self.addresses(name, cidr, true, conclude);
        Flow::Continue
    }

    /// `mx`: the addresses of the domain's exchangers, at most the MX name limit (§5.4).
    fn mx(&mut self, name: &str, cidr: DualCidr, conclude: &impl Fn() -> Then) -> Flow {
        if self.term() == Flow::Stop {
            return Flow::Stop;
        }
        let Some((answer, expires)) = self.kept.mx(name) else {
            return self.walk();
        };
        self.valid_until(expires);
        if answer.is_void() {
            self.ops.push(Op::Void(Family::Any));
        }
        let mut exchanges: Vec<&Mx> = answer.records().iter().filter(|mx| !mx.is_null()).collect();
        exchanges.sort_by_key(|mx| mx.preference);
        for (i, mx) in exchanges.into_iter().enumerate() {
            if i >= self.limits.mx_names {
                // An 11th exchanger to look at is a permerror, which the walk gives.
                return self.walk();
            }
            self.addresses(&mx.exchange, cidr, false, conclude);
        }
        Flow::Continue
    }

    /// Tests for the A and AAAA answers of `name`, or walks for the family whose answer is not
    /// kept. `count_void` counts an empty answer toward the void limit.
    fn addresses(
        &mut self,
        name: &str,
        cidr: DualCidr,
        count_void: bool,
        conclude: &impl Fn() -> Then,
    ) {
        let a = self.kept.a(name);
        self.family(a, Family::V4, count_void, conclude, |addr| {
            Network::v4(addr, cidr.v4.unwrap_or(32))
        });
        let aaaa = self.kept.aaaa(name);
        self.family(aaaa, Family::V6, count_void, conclude, |addr| {
            Network::v6(addr, cidr.v6.unwrap_or(128))
        });
    }

    /// Tests for the addresses of one family's kept answer (a void step first when it is empty
    /// and counts), or a walk for that family when it is not kept or would make the program
    /// too long.
    fn family<T: Copy>(
        &mut self,
        kept: Option<(Arc<Answer<T>>, u64)>,
        family: Family,
        count_void: bool,
        conclude: &impl Fn() -> Then,
        network: impl Fn(T) -> Network,
    ) {
        let Some((answer, expires)) =
            kept.filter(|(answer, _)| self.ops.len() + answer.records().len() <= MAX_OPS)
        else {
            self.ops.push(Op::Walk(family));
            return;
        };
        self.valid_until(expires);
        if count_void && answer.is_void() {
            self.ops.push(Op::Void(family));
        }
        for &addr in answer.records() {
            self.ops.push(Op::Test {
                network: network(addr),
                then: conclude(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::record::Record;

    /// Records and answers as an evaluator would keep them, all valid until 1000.
    #[derive(Default)]
    struct Fake {
        records: HashMap<&'static str, Arc<Policy>>,
        a: HashMap<&'static str, Arc<Answer<Ipv4Addr>>>,
        mx: HashMap<&'static str, Arc<Answer<Mx>>>,
    }

    impl Fake {
        fn record(mut self, name: &'static str, text: &str) -> Self {
            let policy = Policy::new(&Record::parse(text).unwrap());
            self.records.insert(name, Arc::new(policy));
            self
        }

        fn run(&self, domain: &str, ip: &str) -> Option<Decision> {
            let program = Program::build(
                domain,
                &self.records[domain],
                1000,
                self,
                &Limits::default(),
            );
            let client = Client {
                ip: ip.parse().unwrap(),
                sender: "joe-sales@example.com",
                helo: "mx.example.com",
            };
            program.run(&client, self, &Limits::default())
        }
    }

    impl Source for Fake {
        fn policy(&self, domain: &str) -> Option<(Option<Arc<Policy>>, u64)> {
            Some((Some(Arc::clone(self.records.get(domain)?)), 1000))
        }
        fn a(&self, name: &str) -> Option<(Arc<Answer<Ipv4Addr>>, u64)> {
            Some((Arc::clone(self.a.get(name)?), 900))
        }
        fn aaaa(&self, _: &str) -> Option<(Arc<Answer<Ipv6Addr>>, u64)> {
            None
        }
        fn mx(&self, name: &str) -> Option<(Arc<Answer<Mx>>, u64)> {
            Some((Arc::clone(self.mx.get(name)?), 1000))
        }
    }

    fn decided(result: SpfResult, mechanism: Option<&str>, dns_terms: usize) -> Option<Decision> {
        Some(Decision {
            result,
            mechanism: mechanism.map(Arc::from),
            dns_terms,
            void_lookups: 0,
        })
    }

    #[test]
    fn prefixes() {
        let v4 = |ip: &str, net: &str, prefix| {
            Network::v4(net.parse().unwrap(), prefix).contains(ip.parse().unwrap())
        };
        assert!(v4("192.0.2.77", "192.0.2.0", 24));
        assert!(!v4("192.0.3.77", "192.0.2.0", 24));
        assert!(v4("10.0.0.1", "192.0.2.0", 0));
        assert!(v4("192.0.2.129", "192.0.2.128", 25));
        assert!(!v4("192.0.2.127", "192.0.2.128", 25));
        assert!(v4("192.0.2.1", "192.0.2.1", 32));
        assert!(!v4("192.0.2.1", "192.0.2.0", 32));
        assert!(!v4("2001:db8::1", "192.0.2.0", 0));
        let v6 = |ip: &str, net: &str, prefix| {
            Network::v6(net.parse().unwrap(), prefix).contains(ip.parse().unwrap())
        };
        assert!(v6("2001:db8:1::5", "2001:db8::", 32));
        assert!(!v6("2001:db9::5", "2001:db8::", 32));
        assert!(v6("::1", "2001:db8::", 0));
        assert!(v6("2001:db8::1", "2001:db8::1", 128));
        assert!(!v6("2001:db8::1", "2001:db8::", 128));
        assert!(v6("2001:db8::ff", "2001:db8::80", 121));
        assert!(!v6("192.0.2.1", "::", 0));
    }

    #[test]
    fn includes_match_on_pass_and_are_skipped_otherwise() {
        let kept = Fake::default()
            .record(
                "top.example",
                "v=spf1 ip4:198.51.100.0/24 include:a.example -all",
            )
            .record(
                "a.example",
                "v=spf1 ip4:203.0.113.0/24 include:b.example ~all",
            )
            .record("b.example", "v=spf1 -ip4:10.1.0.0/16 ip4:10.0.0.0/8 -all");
        let run = |ip| kept.run("top.example", ip);
        assert_eq!(
            run("198.51.100.7"),
            decided(SpfResult::Pass, Some("ip4:198.51.100.0/24"), 0)
        );
        assert_eq!(
            run("10.2.3.4"),
            decided(SpfResult::Pass, Some("include:a.example"), 2)
        );
        // b.example fails it, so a.example goes on to its ~all, a softfail: no match either.
        assert_eq!(run("10.1.2.3"), decided(SpfResult::Fail, Some("-all"), 2));
        assert_eq!(run("192.0.2.1"), decided(SpfResult::Fail, Some("-all"), 2));
        assert_eq!(
            run("2001:db8::1"),
            decided(SpfResult::Fail, Some("-all"), 2)
        );
    }

    #[test]
    fn redirect_targets_report_their_own_directives() {
        let kept = Fake::default()
            .record("top.example", "v=spf1 ip4:192.0.2.0/24 redirect=r.example")
            .record("r.example", "v=spf1 ip4:10.0.0.0/8 ?all");
        let run = |ip| kept.run("top.example", ip);
        assert_eq!(
            run("10.9.9.9"),
            decided(SpfResult::Pass, Some("ip4:10.0.0.0/8"), 1)
        );
        assert_eq!(
            run("11.0.0.1"),
            decided(SpfResult::Neutral, Some("?all"), 1)
        );
    }

    #[test]
    fn mx_answers_become_tests_and_missing_families_walk() {
        let mut kept = Fake::default().record("top.example", "v=spf1 mx/24 -all");
        let exchange = |preference, exchange: &str| Mx {
            preference,
            exchange: exchange.to_owned(),
        };
        kept.mx.insert(
            "top.example",
            Arc::new(Answer::Records(vec![
                exchange(20, "mx2.top.example"),
                exchange(10, "mx1.top.example"),
            ])),
        );
        kept.a.insert(
            "mx1.top.example",
            Arc::new(Answer::Records(vec![Ipv4Addr::new(192, 0, 2, 10)])),
        );
        kept.a.insert(
            "mx2.top.example",
            Arc::new(Answer::Records(vec![Ipv4Addr::new(198, 51, 100, 10)])),
        );
        assert_eq!(
            kept.run("top.example", "198.51.100.99"),
            decided(SpfResult::Pass, Some("mx/24"), 1)
        );
        assert_eq!(
            kept.run("top.example", "203.0.113.1"),
            decided(SpfResult::Fail, Some("-all"), 1)
        );
        // Valid until the first answer it was built from runs out.
        let program = Program::build(
            "top.example",
            &kept.records["top.example"],
            1000,
            &kept,
            &Limits::default(),
        );
        assert_eq!(program.expires, 900);
        // No AAAA answers are kept: an IPv6 client needs the walk.
        assert_eq!(kept.run("top.example", "2001:db8::1"), None);
    }

    #[test]
    fn exists_expands_and_asks_the_kept_answers() {
        let mut kept = Fake::default().record(
            "macro.example",
            "v=spf1 exists:%{ir}.%{l1r-}.%{d}._spf.example -all",
        );
        let name = "1.2.0.192.joe.macro.example._spf.example";
        kept.a
            .insert(name, Arc::new(Answer::Records(vec![Ipv4Addr::LOCALHOST])));
        kept.a.insert(
            "2.2.0.192.joe.macro.example._spf.example",
            Arc::new(Answer::NxDomain),
        );
        assert_eq!(
            kept.run("macro.example", "192.0.2.1"),
            decided(
                SpfResult::Pass,
                Some("exists:%{ir}.%{l1r-}.%{d}._spf.example"),
                1
            )
        );
        let mut fail = decided(SpfResult::Fail, Some("-all"), 1);
        if let Some(decision) = &mut fail {
            decision.void_lookups = 1;
        }
        assert_eq!(kept.run("macro.example", "192.0.2.2"), fail);
        // Not kept: the walk asks the DNS.
        assert_eq!(kept.run("macro.example", "192.0.2.3"), None);
    }

    #[test]
    fn programs_stay_small_whatever_the_answers() {
        let mut kept = Fake::default().record("big.example", "v=spf1 a:many.big.example -all");
        let many: Vec<Ipv4Addr> = (0..5000u32)
            .map(|n| Ipv4Addr::from(0x0a00_0000 + n))
            .collect();
        kept.a
            .insert("many.big.example", Arc::new(Answer::Records(many)));
        let program = Program::build(
            "big.example",
            &kept.records["big.example"],
            1000,
            &kept,
            &Limits::default(),
        );
        assert!(program.ops.len() <= MAX_OPS + 2, "{}", program.ops.len());
        // Too many addresses to test: the walk decides.
        assert_eq!(kept.run("big.example", "10.0.0.7"), None);
    }

    #[test]
    fn what_only_the_walk_can_do_is_left_to_it() {
        let kept = Fake::default()
            .record(
                "macro.example",
                "v=spf1 ip4:192.0.2.0/24 exists:%{i}.x.example -all",
            )
            .record(
                "exp.example",
                "v=spf1 ip4:192.0.2.0/24 -all exp=why.exp.example",
            )
            .record("missing.example", "v=spf1 include:nowhere.example -all")
            .record("loop.example", "v=spf1 include:loop.example -all");
        assert_eq!(
            kept.run("macro.example", "192.0.2.1"),
            decided(SpfResult::Pass, Some("ip4:192.0.2.0/24"), 0)
        );
        assert_eq!(kept.run("macro.example", "10.0.0.1"), None);
        // A fail with an explanation to fetch.
        assert_eq!(kept.run("exp.example", "10.0.0.1"), None);
        assert_eq!(kept.run("missing.example", "10.0.0.1"), None);
        // The eleventh DNS term is a permerror the walk gives.
        assert_eq!(kept.run("loop.example", "10.0.0.1"), None);
    }
}
