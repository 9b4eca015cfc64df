//! A full DMARC evaluation of a message from memory: Mailroom and mail-auth on the same records,
//! From fields and SPF/DKIM outcomes. mail-auth gets its TXT cache filled with parsed records
//! and NXDOMAIN answers for every name its tree walk asks (as in its own production use);
//! Mailroom asks its in-memory zone and, given the time, keeps each name's answer for its TTL.
//! Both are handed the SPF and DKIM results, so only DMARC
//! is measured: discovery by the RFC 9989 tree walk, organizational domains, alignment and the
//! policy. The From domain is read outside the measured loop for both (mail-auth reads it in
//! `AuthenticatedMessage::parse`); Mailroom's `+from-header` row also reads it with mail-parser
//! out of the header section, as `Checker::check_message` does in the server.
#![allow(clippy::unwrap_used, clippy::expect_used)] // rust-clippy#11119

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use futures::executor::block_on;
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::dmarc::{Dmarc, verify::DmarcParameters};
use mail_auth::hickory_resolver::proto::op::ResponseCode;
use mail_auth::{
    AuthenticatedMessage, DkimOutput, DnsError, Error, MessageAuthenticator, Parameters,
    ResolverCache, SpfOutput, Txt,
};
use mailroom_benches::MailAuthCache;
use mailroom_dmarc::{Checker, DmarcResult, Identifiers, tree_walk_targets};
use mailroom_dns::{Resolver, Zone};

/// The records both implementations evaluate.
const ZONE: &str = r#"
_dmarc.example.com.   TXT "v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@example.com; adkim=r; aspf=r"
_dmarc.example.net.   TXT "v=DMARC1; p=quarantine; rua=mailto:d@example.net"
"#;

/// One message: (name, From field, MAIL FROM domain, SPF passed, DKIM d= that passed, result).
struct Case {
    name: &'static str,
    from: &'static str,
    mail_from: &'static str,
    spf_pass: bool,
    dkim_pass: &'static [&'static str],
    expected: DmarcResult,
}

const CASES: &[Case] = &[
    // A newsletter subdomain signed by the organizational domain: a three-query walk.
    Case {
        name: "dkim-org-domain",
        from: "news@news.example.com",
        mail_from: "bounces.example.net",
        spf_pass: true,
        dkim_pass: &["example.com"],
        expected: DmarcResult::Pass,
    },
    // SPF for a bounce subdomain, aligned relaxed: the identifier's own walk as well.
    Case {
        name: "spf-subdomain",
        from: "ann@example.com",
        mail_from: "bounce.example.com",
        spf_pass: true,
        dkim_pass: &[],
        expected: DmarcResult::Pass,
    },
    // A forgery: a third party's SPF and DKIM pass, nothing aligns, p=reject.
    Case {
        name: "fail-reject",
        from: "ceo@example.com",
        mail_from: "mailer.example.org",
        spf_pass: true,
        dkim_pass: &["mailer.example.org"],
        expected: DmarcResult::Fail,
    },
];

/// mail-auth's TXT cache: every `_dmarc` name a walk from `domains` asks, parsed, or NXDOMAIN.
fn mail_auth_cache(zone: &Zone, domains: &[&str]) -> MailAuthCache<Box<str>, Txt> {
    let cache = MailAuthCache::default();
    for domain in domains {
        for target in tree_walk_targets(domain) {
            let name = format!("_dmarc.{target}");
            let value = match block_on(zone.txt(&name)).unwrap().records().first() {
                Some(txt) => Txt::from(Dmarc::parse(&txt.concat())),
                None => Txt::Error(Error::Dns(DnsError::RecordNotFound(ResponseCode::NXDomain))),
            };
            cache.insert(format!("{name}.").into(), value, Instant::now());
        }
    }
    cache
}

fn dmarc(c: &mut Criterion) {
    let zone = Zone::from_text(ZONE).unwrap();
    let authenticator = MessageAuthenticator::new_cloudflare().unwrap();
    // Given the time, the checker keeps what each name held for its TTL, as mail-auth's
    // caches do.
    let checker = Checker::new(&zone).now(1_700_000_000);
    for case in CASES {
        let mut group = c.benchmark_group(format!("dmarc/{}", case.name));
        let header = format!("From: Someone <{}>\r\nSubject: hello\r\n\r\n", case.from);
        let from_domain = case.from.rsplit_once('@').unwrap().1;

        let ids = Identifiers {
            spf_pass: case.spf_pass.then_some(case.mail_from),
            dkim_pass: case.dkim_pass,
        };
        let ours = || block_on(checker.check_domain(black_box(from_domain), ids, 0));
        assert_eq!(ours().output.result, case.expected, "{}", case.name);
        group.bench_function("mailroom", |b| b.iter(|| black_box(ours())));
        let with_header = || block_on(checker.check_message(black_box(header.as_bytes()), ids, 0));
        assert_eq!(with_header(), ours(), "{}", case.name);
        group.bench_function("mailroom+from-header", |b| {
            b.iter(|| black_box(with_header()));
        });
        let mut walked = vec![from_domain, case.mail_from];
        walked.extend(case.dkim_pass);
        let cache = mail_auth_cache(&zone, &walked);
        let message = AuthenticatedMessage::parse(header.as_bytes()).unwrap();
        let signatures: Vec<mail_auth::dkim::Signature> = case
            .dkim_pass
            .iter()
            .map(|d| mail_auth::dkim::Signature {
                d: (*d).to_owned(),
                s: "sel".to_owned(),
                ..Default::default()
            })
            .collect();
        let dkim: Vec<DkimOutput<'_>> = signatures
            .iter()
            .map(|s| DkimOutput::pass().with_signature(s))
            .collect();
        let spf = SpfOutput::new(case.mail_from.to_owned()).with_result(if case.spf_pass {
            mail_auth::SpfResult::Pass
        } else {
            mail_auth::SpfResult::Fail
        });
        let theirs = || {
            block_on(
                authenticator.verify_dmarc(
                    Parameters::new(DmarcParameters::new(
                        black_box(&message),
                        &dkim,
                        case.mail_from,
                        &spf,
                    ))
                    .with_txt_cache(&cache),
                ),
            )
        };
        let out = theirs();
        let passed = matches!(out.dkim_result(), mail_auth::DmarcResult::Pass)
            || matches!(out.spf_result(), mail_auth::DmarcResult::Pass);
        assert_eq!(
            passed,
            case.expected == DmarcResult::Pass,
            "{}: {out:?}",
            case.name
        );
        group.bench_function("mail-auth", |b| b.iter(|| black_box(theirs())));
        group.finish();
    }
}

criterion_group! { name = benches; config = mailroom_benches::criterion_config(); targets = dmarc }
criterion_main!(benches);
