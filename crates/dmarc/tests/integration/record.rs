//! Records (RFC 9989 §4.7, RFC 7489 §6.3): every tag, defaults, and problems named by tag.

use mailroom_dmarc::{Alignment, Error, Policy, Record, TagProblem};

#[test]
fn every_tag() {
    let r = Record::parse(
        "v=DMARC1; p=reject; sp=quarantine; np=none; psd=n; t=y; adkim=s; aspf=s; \
         rua=mailto:a@example.org,mailto:b@example.net; ruf=mailto:f@example.org; fo=1:d; \
         pct=20; rf=afrf; ri=3600",
    )
    .unwrap();
    assert_eq!(r.policy, Some(Policy::Reject));
    assert_eq!(r.subdomain_policy, Some(Policy::Quarantine));
    assert_eq!(r.nonexistent_policy, Some(Policy::None));
    assert_eq!(r.psd, Some(false));
    assert!(r.testing);
    assert_eq!(
        (r.dkim_alignment, r.spf_alignment),
        (Alignment::Strict, Alignment::Strict)
    );
    assert_eq!(
        r.aggregate_uris,
        ["mailto:a@example.org", "mailto:b@example.net"]
    );
    assert_eq!(r.failure_uris, ["mailto:f@example.org"]);
    assert_eq!(r.failure_options, ["1", "d"]);
    assert_eq!(r.percent, Some(20));
    assert_eq!(r.report_format.as_deref(), Some("afrf"));
    assert_eq!(r.report_interval, Some(3600));
    assert!(r.problems.is_empty(), "{:?}", r.problems);
}

#[test]
fn defaults() {
    let r = Record::parse("v=DMARC1; p=none").unwrap();
    assert_eq!(
        (r.dkim_alignment, r.spf_alignment),
        (Alignment::Relaxed, Alignment::Relaxed)
    );
    assert_eq!(
        (r.subdomain_policy, r.nonexistent_policy, r.psd, r.percent),
        (None, None, None, None)
    );
    assert!(!r.testing);
}

#[test]
fn selection() {
    assert!(Record::is_dmarc(b"v=DMARC1"));
    assert!(Record::is_dmarc(b"v = DMARC1;p=none"));
    assert!(!Record::is_dmarc(b"v=DMARC10; p=none"));
    assert!(
        !Record::is_dmarc(b"v=dmarc1; p=none"),
        "the version is case-sensitive (RFC 9989 §4.7)"
    );
    assert!(!Record::is_dmarc(b"p=none; v=DMARC1"), "v= must come first");
    assert_eq!(Record::parse("v=spf1 -all"), Err(Error::NotDmarc));
}

#[test]
fn problems_are_named_and_the_rest_is_used() {
    let r = Record::parse("v=DMARC1; p=bogus; sp=reject; adkim=x; pct=101; rua=nowhere; nonsense; 9x=1; p=none; ext=ignored").unwrap();
    assert_eq!(
        r.policy, None,
        "an invalid p is no policy; the evaluator applies RFC 9989's rule"
    );
    assert_eq!(r.subdomain_policy, Some(Policy::Reject));
    assert_eq!(r.dkim_alignment, Alignment::Relaxed);
    assert_eq!(r.percent, None);
    assert!(r.aggregate_uris.is_empty());
    let tags: Vec<String> = r
        .problems
        .iter()
        .map(|e| match e {
            Error::InvalidTag { tag, .. } => (*tag).to_owned(),
            Error::TagSyntax {
                problem: TagProblem::MissingEquals,
                ..
            } => "no=".to_owned(),
            Error::TagSyntax {
                problem: TagProblem::BadName,
                ..
            } => "name".to_owned(),
            Error::DuplicateTag { tag } => format!("dup {tag}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(tags, ["p", "adkim", "pct", "rua", "no=", "name", "dup p"]);
    assert_eq!(
        r.problems[0].to_string(),
        "tag `p=` has an invalid value `bogus`"
    );
}

#[test]
fn display_reads_back() {
    let text = "v=DMARC1; p=quarantine; sp=reject; np=reject; psd=y; t=y; adkim=s; rua=mailto:a@example.org; fo=s; pct=5; ri=86400";
    let r = Record::parse(text).unwrap();
    assert_eq!(r.to_string(), text);
    assert_eq!(Record::parse(&r.to_string()).unwrap(), r);
}
