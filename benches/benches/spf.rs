//! SPF evaluation of realistic records from memory: Mailroom, mail-auth and viaspf on the same
//! records and clients. mail-auth is handed its caches filled with parsed records (as in its
//! own production use); viaspf gets a lookup over prepared answers; Mailroom asks its in-memory
//! zone and, given the time, keeps the records and answers it used for their TTLs, and the
//! programs it flattens from them.
#![allow(clippy::unwrap_used, clippy::expect_used)] // rust-clippy#11119

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use futures::executor::block_on;
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::spf::{Spf, verify::SpfParameters};
use mail_auth::{
    DnssecStatus, MX, MessageAuthenticator, Parameters, RecordSet, ResolverCache, Txt,
};
use mailroom_benches::MailAuthCache;
use mailroom_dns::{Resolver, Zone};
use mailroom_spf::{Evaluator, SpfResult};
use viaspf::lookup::{Lookup, LookupError, LookupResult, Name};

/// The records every implementation evaluates.
const ZONE: &str = r#"
chain.example.         TXT "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8:100::/48 include:_s1.chain.example -all"
_s1.chain.example.     TXT "v=spf1 ip4:203.0.113.0/26 ip4:203.0.113.64/26 ip6:2001:db8:200::/48 include:_s2.chain.example ~all"
_s2.chain.example.     TXT "v=spf1 ip4:192.0.2.0/28 ip4:192.0.2.16/28 ip4:192.0.2.32/28 ip6:2001:db8:300::/48 include:_s3.chain.example ?all"
_s3.chain.example.     TXT "v=spf1 ip4:10.1.0.0/16 ip4:10.2.0.0/16 ip4:10.3.0.0/16 ip4:10.4.0.0/16 ip6:2001:db8:400::/48 ip6:2001:db8:500::/48 -all"
mx.example.            TXT "v=spf1 mx -all"
mx.example.            MX  10 mx1.mx.example.
mx.example.            MX  20 mx2.mx.example.
mx1.mx.example.        A   192.0.2.10
mx2.mx.example.        A   192.0.2.20
mx2.mx.example.        A   192.0.2.21
macro.example.         TXT "v=spf1 exists:%{ir}.%{l1r-}.%{d}._spf.macro.example -all"
21.2.0.192.joe.macro.example._spf.macro.example. A 127.0.0.2
"#;

/// The checks: (name, client, sender, result).
const CASES: &[(&str, &str, &str, SpfResult)] = &[
    (
        "include-chain-3",
        "10.4.7.7",
        "alice@chain.example",
        SpfResult::Pass,
    ),
    ("mx", "192.0.2.21", "bob@mx.example", SpfResult::Pass),
    (
        "macro-exists",
        "192.0.2.21",
        "joe-sales@macro.example",
        SpfResult::Pass,
    ),
];

type Cache<K, V> = MailAuthCache<K, V>;

fn empty<K, V>() -> Cache<K, V> {
    Cache::default()
}

/// Everything in the zone, as mail-auth's caches hold it.
struct MailAuthCaches {
    txt: Cache<Box<str>, Txt>,
    mx: Cache<Box<str>, RecordSet<MX>>,
    ipv4: Cache<Box<str>, RecordSet<Ipv4Addr>>,
    ipv6: Cache<Box<str>, RecordSet<Ipv6Addr>>,
    ptr: Cache<IpAddr, RecordSet<Box<str>>>,
}

fn set<T>(records: Vec<T>) -> RecordSet<T> {
    RecordSet {
        rrset: Arc::from(records),
        dnssec_status: DnssecStatus::Indeterminate,
    }
}

fn mail_auth_caches(zone: &Zone) -> MailAuthCaches {
    let caches = MailAuthCaches {
        txt: empty(),
        mx: empty(),
        ipv4: empty(),
        ipv6: empty(),
        ptr: empty(),
    };
    let mut names: Vec<&str> = zone.records().map(|r| r.name).collect();
    names.dedup();
    for name in names {
        let fqdn: Box<str> = format!("{name}.").into();
        if let Ok(answer) = block_on(zone.txt(name))
            && let Some(txt) = answer.records().first()
        {
            caches.txt.insert(
                fqdn.clone(),
                Txt::from(Spf::parse(&txt.concat())),
                Instant::now(),
            );
        }
        if let Ok(answer) = block_on(zone.mx(name)) {
            let mx: Vec<MX> = answer
                .records()
                .iter()
                .map(|mx| MX {
                    exchanges: vec![Box::from(format!("{}.", mx.exchange))].into(),
                    preference: mx.preference,
                })
                .collect();
            if !mx.is_empty() {
                caches.mx.insert(fqdn.clone(), set(mx), Instant::now());
            }
        }
        if let Ok(answer) = block_on(zone.a(name)) {
            caches
                .ipv4
                .insert(fqdn.clone(), set(answer.records().to_vec()), Instant::now());
        }
        if let Ok(answer) = block_on(zone.aaaa(name)) {
            caches
                .ipv6
                .insert(fqdn, set(answer.records().to_vec()), Instant::now());
        }
    }
    caches
}

/// viaspf's lookup over the same zone.
struct ZoneLookup<'z>(&'z Zone);

fn via<T>(answer: mailroom_dns::Lookup<T>) -> LookupResult<Vec<T>> {
    match answer {
        Ok(mailroom_dns::Answer::NxDomain) => Err(LookupError::NoRecords),
        Ok(answer) => Ok(answer.into_records()),
        Err(_) => Err(LookupError::Timeout),
    }
}

#[async_trait::async_trait]
impl Lookup for ZoneLookup<'_> {
    async fn lookup_a<'l, 'a>(&'l self, name: &'a Name) -> LookupResult<Vec<Ipv4Addr>> {
        via(self.0.a(name.as_str()).await)
    }
    async fn lookup_aaaa<'l, 'a>(&'l self, name: &'a Name) -> LookupResult<Vec<Ipv6Addr>> {
        via(self.0.aaaa(name.as_str()).await)
    }
    async fn lookup_mx<'l, 'a>(&'l self, name: &'a Name) -> LookupResult<Vec<Name>> {
        via(self.0.mx(name.as_str()).await).map(|mx| {
            mx.into_iter()
                .map(|mx| Name::new(&mx.exchange).unwrap())
                .collect()
        })
    }
    async fn lookup_txt<'l, 'a>(&'l self, name: &'a Name) -> LookupResult<Vec<String>> {
        via(self.0.txt(name.as_str()).await)
            .map(|t| t.iter().map(mailroom_dns::Txt::to_string_lossy).collect())
    }
    async fn lookup_ptr<'l>(&'l self, ip: IpAddr) -> LookupResult<Vec<Name>> {
        via(self.0.ptr(ip).await).map(|n| n.iter().map(|n| Name::new(n).unwrap()).collect())
    }
}

fn spf(c: &mut Criterion) {
    let zone = Zone::from_text(ZONE).unwrap();
    let caches = mail_auth_caches(&zone);
    let authenticator = MessageAuthenticator::new_cloudflare().unwrap();
    // Given the time, the evaluator keeps each name's record for its TTL, as mail-auth's caches do.
    let evaluator = Evaluator::new(&zone).now(1_700_000_000);
    let lookup = ZoneLookup(&zone);
    let config = viaspf::Config::default();
    for &(name, ip, sender, expected) in CASES {
        let ip: IpAddr = ip.parse().unwrap();
        let mut group = c.benchmark_group(format!("spf/{name}"));
        assert_eq!(
            block_on(evaluator.check_mail_from(ip, "helo.example", sender)).result,
            expected
        );
        group.bench_function("mailroom", |b| {
            b.iter(|| block_on(evaluator.check_mail_from(black_box(ip), "helo.example", sender)));
        });
        let mail_auth = || {
            block_on(
                authenticator.verify_spf(
                    Parameters::new(SpfParameters::verify_mail_from(
                        ip,
                        "helo.example",
                        "receiver.example",
                        sender,
                    ))
                    .with_txt_cache(&caches.txt)
                    .with_mx_cache(&caches.mx)
                    .with_ipv4_cache(&caches.ipv4)
                    .with_ipv6_cache(&caches.ipv6)
                    .with_ptr_cache(&caches.ptr),
                ),
            )
        };
        assert_eq!(
            format!("{:?}", mail_auth().result()).to_ascii_lowercase(),
            expected.as_str()
        );
        group.bench_function("mail-auth", |b| b.iter(|| black_box(mail_auth())));
        let via_sender = viaspf::Sender::new(sender).unwrap();
        let viaspf_run = || {
            block_on(viaspf::evaluate_sender(
                &lookup,
                &config,
                ip,
                &via_sender,
                None,
            ))
        };
        assert_eq!(viaspf_run().spf_result.to_string(), expected.as_str());
        group.bench_function("viaspf", |b| b.iter(|| black_box(viaspf_run())));
        group.finish();
    }
}

criterion_group! { name = benches; config = mailroom_benches::criterion_config(); targets = spf }
criterion_main!(benches);
