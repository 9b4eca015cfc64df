//! The whole check of a message (RFC 9989 §4.8): discovery, organizational domains for the
//! identifiers, `np=` existence, temperror and permerror. One named test per rule.

use futures::executor::block_on;
use mailroom_dmarc::{
    Checker, Disposition, DmarcCheck, DmarcResult, Identifiers, MethodResult,
    OrganizationalDomains, Policy, PublicSuffixList,
};
use mailroom_dns::Zone;
use mailroom_testkit as kit;

const ZONE: &str = r#"
_dmarc.example.com.        TXT "v=DMARC1; p=reject; sp=quarantine; np=reject"
_dmarc.strict.example.      TXT "v=DMARC1; p=reject; adkim=s; aspf=s"
_dmarc.shop.example.net.   TXT "v=DMARC1; p=none; psd=n"
_dmarc.example.net.        TXT "v=DMARC1; p=reject; psd=y"
_dmarc.org.                TXT "v=DMARC1; p=reject; sp=none; np=quarantine; psd=y"
exists.org.                TXT "present"
mail.exists.org.           A   192.0.2.2
mail.example.com.          A   192.0.2.1
_dmarc.slow.example.       TIMEOUT
_dmarc.xn--bcher-kva.example. TXT "v=DMARC1; p=quarantine"
"#;

fn check(from: &str, spf: Option<&str>, dkim: &[&str]) -> DmarcCheck {
    let zone = Zone::from_text(ZONE).unwrap();
    let ids = Identifiers {
        spf_pass: spf,
        dkim_pass: dkim,
    };
    block_on(Checker::new(&zone).check_domain(from, ids, 0))
}

fn verdict(check: &DmarcCheck) -> (DmarcResult, Disposition) {
    (check.output.result, check.output.disposition)
}

#[test]
fn a_dkim_signature_of_the_organizational_domain_aligns_relaxed() {
    let c = check("news.mail.example.com", None, &["example.com"]);
    assert_eq!(verdict(&c), (DmarcResult::Pass, Disposition::None));
    assert_eq!(c.output.dkim_aligned.as_deref(), Some("example.com"));
    assert_eq!(c.policy_domain(), Some("example.com"));
    assert_eq!(c.organizational_domain(), Some("example.com"));
}

#[test]
fn a_sibling_subdomain_aligns_through_its_own_tree_walk() {
    let c = check("mail.example.com", Some("bounces.example.com"), &[]);
    assert!(c.output.spf_aligned);
    assert_eq!(c.output.result, DmarcResult::Pass);
}

#[test]
fn strict_alignment_needs_the_same_name() {
    let c = check("strict.example", None, &["mail.strict.example"]);
    assert_eq!(verdict(&c), (DmarcResult::Fail, Disposition::Reject));
    let c = check("strict.example", Some("strict.example"), &[]);
    assert_eq!(c.output.result, DmarcResult::Pass);
}

#[test]
fn an_unrelated_domain_does_not_align() {
    let c = check("example.com", Some("example.org"), &["mail.example.org"]);
    assert_eq!(verdict(&c), (DmarcResult::Fail, Disposition::Reject));
    assert_eq!(c.output.policy, Some(Policy::Reject));
}

#[test]
fn an_existing_subdomain_gets_sp_and_a_missing_one_np() {
    let c = check("mail.example.com", None, &[]);
    assert_eq!(verdict(&c), (DmarcResult::Fail, Disposition::Quarantine));
    let c = check("nowhere.example.com", None, &[]);
    assert_eq!(verdict(&c), (DmarcResult::Fail, Disposition::Reject));
    assert!(c.output.reason().contains("np="), "{}", c.output.reason());
}

#[test]
fn psd_n_stops_the_walk_and_makes_that_domain_organizational() {
    let c = check("a.shop.example.net", None, &["shop.example.net"]);
    assert_eq!(c.organizational_domain(), Some("shop.example.net"));
    assert_eq!(c.output.result, DmarcResult::Pass);
    // example.net is a public suffix here: a signature of it does not align with shop's mail.
    let c = check("a.shop.example.net", None, &["example.net"]);
    assert_eq!(c.output.result, DmarcResult::Fail);
    assert_eq!(c.output.disposition, Disposition::None);
}

#[test]
fn under_a_psd_record_the_organizational_domain_gets_p_and_its_subdomains_sp() {
    // RFC 9989 §4.10.2: with psd=y at org., exists.org is the organizational domain.
    let c = check("exists.org", None, &[]);
    assert_eq!(c.organizational_domain(), Some("exists.org"));
    assert_eq!(verdict(&c), (DmarcResult::Fail, Disposition::Reject));
    let c = check("mail.exists.org", None, &[]);
    assert_eq!(verdict(&c), (DmarcResult::Fail, Disposition::None));
    // A name under the PSD that does not exist gets np.
    let c = check("missing.org", None, &[]);
    assert_eq!(verdict(&c), (DmarcResult::Fail, Disposition::Quarantine));
}

#[test]
fn no_record_anywhere_is_none() {
    let c = check("example.invalid", None, &[]);
    assert_eq!(verdict(&c), (DmarcResult::None, Disposition::None));
    assert_eq!(c.record, None);
}

#[test]
fn a_dns_timeout_is_temperror() {
    let c = check("slow.example", None, &[]);
    assert_eq!(c.output.result, DmarcResult::TempError);
    assert!(
        c.output.reason().contains("_dmarc.slow.example"),
        "{}",
        c.output.reason()
    );
}

#[test]
fn internationalized_from_domains_are_looked_up_as_a_labels() {
    let c = check("bücher.example", None, &["xn--bcher-kva.example"]);
    assert_eq!(c.from_domain.as_deref(), Some("xn--bcher-kva.example"));
    assert_eq!(c.output.result, DmarcResult::Pass);
    let c = check("BÜCHER.example", None, &[]);
    assert_eq!(verdict(&c), (DmarcResult::Fail, Disposition::Quarantine));
}

#[test]
fn messages_without_one_from_domain_are_permerror() {
    let zone = Zone::from_text(ZONE).unwrap();
    for message in [
        &b"To: a@example.com\r\n\r\nbody\r\n"[..],
        b"From: a@example.com\r\nFrom: b@example.com\r\n\r\n",
        b"From: Undisclosed\r\n\r\n",
    ] {
        let c = block_on(Checker::new(&zone).check_message(message, Identifiers::default(), 0));
        assert_eq!(
            c.output.result,
            DmarcResult::PermError,
            "{}",
            String::from_utf8_lossy(message)
        );
        assert_eq!(c.from_domain, None);
    }
}

#[test]
fn several_author_domains_are_each_checked_and_the_strictest_wins() {
    let zone = Zone::from_text(ZONE).unwrap();
    let checker = Checker::new(&zone);
    let message = b"From: a@mail.example.com, b@strict.example, c@example.invalid\r\n\r\n";
    let ids = Identifiers {
        spf_pass: None,
        dkim_pass: &["example.com"],
    };
    let c = block_on(checker.check_message(message, ids, 0));
    assert_eq!(verdict(&c), (DmarcResult::Fail, Disposition::Reject));
    assert_eq!(c.from_domain.as_deref(), Some("strict.example"));
    let ids = Identifiers {
        spf_pass: None,
        dkim_pass: &["example.com", "strict.example"],
    };
    let c = block_on(checker.check_message(message, ids, 0));
    assert_eq!(c.output.result, DmarcResult::Pass);
}

#[test]
fn public_suffix_list_mode_uses_the_list_for_organizational_domains() {
    let psl = PublicSuffixList::from_text(&kit::read_text("psl/public_suffix_list.dat")).unwrap();
    let zone = Zone::from_text(
        "_dmarc.example.co.uk. TXT \"v=DMARC1; p=reject\"\n_dmarc.co.uk. TXT \"v=DMARC1; p=none; psd=y\"",
    )
    .unwrap();
    let checker =
        Checker::new(&zone).organizational_domains(OrganizationalDomains::PublicSuffixList(&psl));
    let ids = Identifiers {
        spf_pass: None,
        dkim_pass: &["mail.example.co.uk"],
    };
    let c = block_on(checker.check_domain("news.example.co.uk", ids, 0));
    assert_eq!(c.output.result, DmarcResult::Pass);
    assert_eq!(
        c.queried().collect::<Vec<_>>(),
        ["news.example.co.uk", "example.co.uk"]
    );
    assert_eq!(c.organizational_domain(), Some("example.co.uk"));
    // RFC 7489 never looks at the suffix's own record.
    let c = block_on(checker.check_domain("other.co.uk", Identifiers::default(), 0));
    assert_eq!(c.output.result, DmarcResult::None);
}

#[test]
fn pct_draws_outside_the_percentage_are_one_step_milder() {
    let zone = Zone::from_text("_dmarc.example.com. TXT \"v=DMARC1; p=reject; pct=20\"").unwrap();
    let checker = Checker::new(&zone);
    let sampled = block_on(checker.check_domain("example.com", Identifiers::default(), 19));
    let spared = block_on(checker.check_domain("example.com", Identifiers::default(), 20));
    assert_eq!(sampled.output.disposition, Disposition::Reject);
    assert_eq!(spared.output.disposition, Disposition::Quarantine);
}

#[test]
fn the_dmarc_method_result_names_the_from_domain_and_policy() {
    let c = check("mail.example.com", None, &[]);
    let r = MethodResult::dmarc(&c);
    assert_eq!(r.result, "fail");
    assert_eq!(r.get("header", "from"), Some("mail.example.com"));
    assert_eq!(r.get("polrec", "p"), Some("reject"));
    assert_eq!(r.get("polrec", "domain"), Some("example.com"));
    assert_eq!(r.get("policy", "dmarc"), Some("quarantine"));
}

#[test]
fn with_the_time_given_answers_are_kept_for_their_ttl() {
    let counting = kit::CountingZone::new(
        Zone::from_text("_dmarc.example.com. 300 TXT \"v=DMARC1; p=reject\"").unwrap(),
    );
    let check = |checker: &Checker<'_, kit::CountingZone>| {
        block_on(checker.check_domain("mail.example.com", Identifiers::default(), 0))
    };
    // Without the time, every check asks: _dmarc.mail.example.com, example.com, com.
    let checker = Checker::new(&counting);
    check(&checker);
    check(&checker);
    assert_eq!(counting.take_count(), 6);
    // With it, a record is kept for its 300 s and "no record" for the zone's default TTL.
    let first = check(&checker.clone().now(1_000));
    assert_eq!(counting.take_count(), 3);
    let again = check(&checker.clone().now(1_299));
    assert_eq!(counting.take_count(), 0);
    assert_eq!(first, again);
    check(&checker.clone().now(1_300));
    assert_eq!(
        counting.take_count(),
        1,
        "only the expired record is asked for again"
    );
}

#[test]
fn checkers_given_one_cache_share_what_they_keep() {
    let counting = kit::CountingZone::new(
        Zone::from_text("_dmarc.example.com. 300 TXT \"v=DMARC1; p=reject\"").unwrap(),
    );
    let cache = mailroom_dmarc::Cache::default();
    let check = |now| {
        let checker = Checker::new(&counting).cache(&cache).now(now);
        block_on(checker.check_domain("mail.example.com", Identifiers::default(), 0))
    };
    let first = check(1_000);
    assert_eq!(counting.take_count(), 3);
    // A new checker, the same cache: nothing is asked while the TTLs last.
    assert_eq!(check(1_100), first);
    assert_eq!(counting.take_count(), 0);
    // Checkers with caches of their own ask again.
    block_on(Checker::new(&counting).now(1_100).check_domain(
        "mail.example.com",
        Identifiers::default(),
        0,
    ));
    assert_eq!(counting.take_count(), 3);
}
