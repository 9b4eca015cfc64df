//! The result and the disposition (RFC 9989 §4.7-§4.8, RFC 7489 §6.6.4 for pct): one named test
//! per row.

use mailroom_dmarc::{
    Disposition, DmarcResult, Identifiers, PolicyInForce, PublicSuffixList, Record, evaluate,
};
use mailroom_testkit as kit;

struct Case {
    record: &'static str,
    published_at: &'static str,
    from: &'static str,
    spf: Option<&'static str>,
    dkim: &'static [&'static str],
    from_exists: bool,
    draw: u8,
}

fn run(case: &Case) -> (DmarcResult, Disposition) {
    let psl = PublicSuffixList::from_text(&kit::read_text("psl/public_suffix_list.dat")).unwrap();
    let record = Record::parse(case.record).unwrap();
    let policy = PolicyInForce {
        domain: case.published_at,
        record: &record,
    };
    let ids = Identifiers {
        spf_pass: case.spf,
        dkim_pass: case.dkim,
    };
    let out = evaluate(
        Some(policy),
        case.from,
        ids,
        |d| psl.organizational_domain(d),
        case.from_exists,
        case.draw,
    );
    (out.result, out.disposition)
}

const BASE: Case = Case {
    record: "v=DMARC1; p=reject",
    published_at: "example.com",
    from: "example.com",
    spf: None,
    dkim: &[],
    from_exists: true,
    draw: 0,
};

macro_rules! policy_cases {
    ($($name:ident: { $($field:ident: $value:expr),* } => $result:ident, $disposition:ident;)*) => {$(
        #[test]
        fn $name() {
            let case = Case { $($field: $value,)* ..BASE };
            assert_eq!(run(&case), (DmarcResult::$result, Disposition::$disposition));
        }
    )*};
}

policy_cases! {
    fail_reject: {} => Fail, Reject;
    dkim_relaxed_subdomain_passes: { dkim: &["mail.example.com"] } => Pass, None;
    dkim_strict_subdomain_fails: { record: "v=DMARC1; p=reject; adkim=s", dkim: &["mail.example.com"] } => Fail, Reject;
    dkim_strict_exact_passes: { record: "v=DMARC1; p=reject; adkim=s", dkim: &["example.com"] } => Pass, None;
    dkim_other_domain_fails: { dkim: &["example.net"] } => Fail, Reject;
    one_aligned_signature_of_several: { dkim: &["esp.example.net", "example.com"] } => Pass, None;
    spf_relaxed_passes: { spf: Some("bounces.example.com") } => Pass, None;
    spf_strict_subdomain_fails: { record: "v=DMARC1; p=reject; aspf=s", spf: Some("bounces.example.com") } => Fail, Reject;
    spf_psl_boundary_fails: { from: "a.example.co.uk", published_at: "example.co.uk", record: "v=DMARC1; p=reject", spf: Some("other.co.uk") } => Fail, Reject;
    subdomain_uses_sp: { record: "v=DMARC1; p=reject; sp=quarantine", from: "news.example.com" } => Fail, Quarantine;
    subdomain_without_sp_uses_p: { from: "news.example.com" } => Fail, Reject;
    nonexistent_subdomain_uses_np: { record: "v=DMARC1; p=none; sp=quarantine; np=reject", from: "nx.example.com", from_exists: false } => Fail, Reject;
    existing_subdomain_ignores_np: { record: "v=DMARC1; p=none; sp=quarantine; np=reject", from: "news.example.com" } => Fail, Quarantine;
    testing_is_one_step_milder: { record: "v=DMARC1; p=reject; t=y" } => Fail, Quarantine;
    testing_quarantine_becomes_none: { record: "v=DMARC1; p=quarantine; t=y" } => Fail, None;
    pct_sampled_applies: { record: "v=DMARC1; p=reject; pct=30", draw: 29 } => Fail, Reject;
    pct_not_sampled_is_milder: { record: "v=DMARC1; p=reject; pct=30", draw: 30 } => Fail, Quarantine;
    invalid_p_with_rua_is_none_policy: { record: "v=DMARC1; p=bogus; rua=mailto:d@example.com" } => Fail, None;
    invalid_p_without_rua_is_no_policy: { record: "v=DMARC1; p=bogus" } => None, None;
    idn_from_aligns_with_a_label_d: { from: "bücher.de", published_at: "xn--bcher-kva.de", dkim: &["mail.xn--bcher-kva.de"] } => Pass, None;
}

#[test]
fn no_record_is_none() {
    let out = evaluate(
        None,
        "example.com",
        Identifiers::default(),
        |_| None,
        true,
        0,
    );
    assert_eq!(
        (out.result, out.disposition),
        (DmarcResult::None, Disposition::None)
    );
}

#[test]
fn the_reason_says_what_aligned_or_what_applied() {
    let record = Record::parse("v=DMARC1; p=reject; sp=quarantine; t=y").unwrap();
    let policy = PolicyInForce {
        domain: "example.com",
        record: &record,
    };
    let org = |d: &str| Some(d.trim_start_matches("news.").to_owned());
    let fail = evaluate(
        Some(policy),
        "news.example.com",
        Identifiers::default(),
        org,
        true,
        0,
    );
    assert_eq!(
        fail.reason(),
        "no aligned identifier passed; sp=quarantine; t=y: one step milder"
    );
    let pass = evaluate(
        Some(policy),
        "news.example.com",
        Identifiers {
            spf_pass: None,
            dkim_pass: &["example.com"],
        },
        org,
        true,
        0,
    );
    assert_eq!(pass.reason(), "DKIM d=example.com aligned");
}
