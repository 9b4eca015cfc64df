//! The other published SPF cases: mail-auth's case files (every file, every case) and pyspf's
//! own test.yml, with its Received-SPF expectations where its scenario gives them.

use futures::executor::block_on;
use mailroom_spf::Evaluator;
use mailroom_testkit::spf::{mail_auth_cases, pyspf_suite};

/// mail-auth cases we decide differently: (case, our result, the RFC section that decides).
const MAIL_AUTH_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "all.yml/All test/test.org/10.0.0.1",
        "permerror",
        "RFC 7208 §4.6: a syntax error anywhere (the unknown `ip:`) is permerror, even after -all",
    ),
    (
        "basic.yml/DNS Lookup Limits/ok.test.org/172.168.0.1",
        "permerror",
        "RFC 7208 §4.6.4: ten a: lookups of names that do not exist exceed the two void lookups",
    ),
    (
        "exists.yml/Exists/ip6.test.org/167.1.2.3",
        "fail",
        "RFC 7208 §5.7: exists asks for A records only; ip6.test.org has only AAAA",
    ),
    (
        "macro.yml/Macro expansion 2/mx.example.org/2001:db8::cb01",
        "fail",
        "RFC 7208 §5.7: exists asks for A records even for an IPv6 client; the name has only AAAA",
    ),
    (
        "ip.yml/IPv6 match/test.org/10.1.2.3",
        "fail",
        "RFC 7208 §5.6: ip6 networks match IPv6 clients; an IPv4 client is not ::ffff:10.1.2.3",
    ),
];

#[test]
fn mail_auth_case_files() {
    let files = mailroom_testkit::files("spf/mail-auth", ".yml");
    assert_eq!(files.len(), 12, "{files:?}");
    let mut passed = 0;
    let mut problems = Vec::new();
    for file in &files {
        for scenario in mail_auth_cases(file) {
            let spf = Evaluator::new(&scenario.zone).receiver("receiver.example");
            for case in &scenario.tests {
                let ip = case
                    .ip
                    .parse()
                    .unwrap_or_else(|_| panic!("{file}: bad ip {}", case.ip));
                // mail-auth's harness passes `domain` as the HELO name and checks as RFC 7208
                // §2.3 suggests: HELO first, whose fail (or an empty sender) decides; else the
                // MAIL FROM identity.
                let sender = &case.sender;
                let helo = block_on(spf.check_helo(ip, &case.domain));
                let out = if sender.is_empty() || helo.result == mailroom_spf::SpfResult::Fail {
                    helo
                } else {
                    block_on(spf.check_mail_from(ip, &case.domain, sender))
                };
                let id = format!("{file}/{}/{}/{}", scenario.name, case.domain, case.ip);
                let expected: &str = MAIL_AUTH_DIFFERENCES
                    .iter()
                    .find(|(name, _, _)| *name == id)
                    .map_or(case.result.as_str(), |(_, result, _)| result);
                let explanation_ok = case.explanation.is_none()
                    || out.result.as_str() != "fail"
                    || out.explanation == case.explanation;
                if out.result.as_str() == expected && explanation_ok {
                    passed += 1;
                } else {
                    problems.push(format!(
                        "{id} (sender {sender}): expected {expected} {:?}, got {} {:?} ({:?})",
                        case.explanation,
                        out.result,
                        out.explanation,
                        out.error.as_ref().map(ToString::to_string)
                    ));
                }
            }
        }
    }
    eprintln!("mail-auth SPF cases: {passed} pass");
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// pyspf cases that test pyspf's own extensions, not RFC 7208: (name, why).
const PYSPF_EXTENSIONS: &[(&str, &str)] = &[
    (
        "default-modifier",
        "default= is a pre-RFC 4408 modifier pyspf still honours; RFC 7208 §6 ignores unknown modifiers, so neutral",
    ),
    (
        "default-modifier-harsh",
        "\"ambiguous\" is pyspf's own result name; RFC 7208 §6 ignores default=, so neutral",
    ),
];

#[test]
fn pyspf_test_yml() {
    let mut passed = 0;
    let mut problems = Vec::new();
    for scenario in pyspf_suite() {
        let spf = Evaluator::new(&scenario.zone).receiver("receiver.com");
        for case in scenario.tests {
            let ip = case.host.parse().unwrap();
            let out = block_on(spf.check_mail_from(ip, &case.helo, &case.mailfrom));
            if PYSPF_EXTENSIONS.iter().any(|(name, _)| *name == case.name) {
                assert_eq!(out.result.as_str(), "neutral", "{}", case.name);
                continue;
            }
            if case.results.iter().any(|r| r == out.result.as_str()) {
                passed += 1;
            } else {
                problems.push(format!(
                    "{}: expected {:?}, got {} ({:?})",
                    case.name,
                    case.results,
                    out.result,
                    out.error.as_ref().map(ToString::to_string)
                ));
            }
        }
    }
    eprintln!("pyspf test.yml: {passed} cases pass");
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn with_the_time_given_records_are_kept_for_their_ttl() {
    use mailroom_spf::{Evaluator, SpfResult};
    let counting = mailroom_testkit::CountingZone::new(
        mailroom_dns::Zone::from_text(
            "example.org. 60 TXT \"v=spf1 include:_spf.example.org -all\"\n_spf.example.org. 600 TXT \"v=spf1 ip4:192.0.2.0/24 -all\"",
        )
        .unwrap(),
    );
    let ip = "192.0.2.9".parse().unwrap();
    let check = |evaluator: &Evaluator<'_, _>| {
        block_on(evaluator.check_mail_from(ip, "mx.example.org", "a@example.org"))
    };
    let evaluator = Evaluator::new(&counting);
    assert_eq!(check(&evaluator).result, SpfResult::Pass);
    assert_eq!(check(&evaluator).result, SpfResult::Pass);
    assert_eq!(counting.take_count(), 4, "without the time nothing is kept");
    let first = check(&evaluator.clone().now(1_000));
    assert_eq!(counting.take_count(), 2);
    let again = check(&evaluator.clone().now(1_059));
    assert_eq!(counting.take_count(), 0);
    assert_eq!(first, again);
    check(&evaluator.clone().now(1_060));
    assert_eq!(
        counting.take_count(),
        1,
        "only example.org's 60 s TTL ran out"
    );
}

#[test]
fn with_the_time_given_address_and_mx_answers_are_kept_too() {
    use mailroom_spf::{Evaluator, SpfResult};
    let counting = mailroom_testkit::CountingZone::new(
        mailroom_dns::Zone::from_text(
            "example.org. 300 TXT \"v=spf1 mx a:relay.example.org exists:%{i}.ok.example.org -all\"\n\
             example.org. 300 MX 10 mx.example.org.\n\
             mx.example.org. 300 A 192.0.2.1\n\
             relay.example.org. 300 A 192.0.2.2\n\
             192.0.2.9.ok.example.org. 300 A 127.0.0.2",
        )
        .unwrap(),
    );
    let ip = "192.0.2.9".parse().unwrap();
    let evaluator = Evaluator::new(&counting).now(5_000);
    let check = || block_on(evaluator.check_mail_from(ip, "mx.example.org", "a@example.org"));
    assert_eq!(check().result, SpfResult::Pass);
    // TXT, MX, A of the exchange, A of the relay, A for exists.
    assert_eq!(counting.take_count(), 5);
    assert_eq!(check().result, SpfResult::Pass);
    assert_eq!(counting.take_count(), 0);
}

#[test]
fn evaluators_given_one_cache_share_what_they_keep() {
    use mailroom_spf::{Cache, Evaluator, SpfResult};
    let counting = mailroom_testkit::CountingZone::new(
        mailroom_dns::Zone::from_text(
            "example.org. 300 TXT \"v=spf1 include:_spf.example.org -all\"\n\
             _spf.example.org. 300 TXT \"v=spf1 a:relay.example.org exists:%{i}.ok.example.org ~all\"\n\
             relay.example.org. 300 A 192.0.2.2\n\
             192.0.2.9.ok.example.org. 300 A 127.0.0.2",
        )
        .unwrap(),
    );
    let cache = Cache::default();
    let check = |ip: &str, now| {
        let evaluator = Evaluator::new(&counting).cache(&cache).now(now);
        block_on(evaluator.check_mail_from(ip.parse().unwrap(), "h.example.org", "a@example.org"))
    };
    assert_eq!(check("192.0.2.9", 5_000).result, SpfResult::Pass);
    // TXT twice, A of the relay, A for exists.
    assert_eq!(counting.take_count(), 4);
    // Another evaluator, the same cache: nothing is asked again while the TTLs last.
    let again = check("192.0.2.9", 5_100);
    assert_eq!(
        (again.result, again.mechanism.as_deref()),
        (SpfResult::Pass, Some("include:_spf.example.org"))
    );
    assert_eq!(again.dns_terms, 3);
    assert_eq!(counting.take_count(), 0);
    // A client whose exists: name was never asked for is asked for once.
    assert_eq!(check("192.0.2.2", 5_100).result, SpfResult::Pass);
    assert_eq!(check("192.0.2.77", 5_100).result, SpfResult::Fail);
    assert_eq!(counting.take_count(), 1);
    // Past the TTL, everything is asked for again.
    assert_eq!(check("192.0.2.9", 5_300).result, SpfResult::Pass);
    assert_eq!(counting.take_count(), 4);
}
