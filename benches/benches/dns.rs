//! The in-memory zone that every SPF, DKIM and DMARC test and bench answers from: loading zone
//! text, and the lookups a check makes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // rust-clippy#11119

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::executor::block_on;
use mailroom_dns::{Resolver, Zone};

const ZONE: &str = include_str!("../data/mail-domains.zone");

fn zone_text(c: &mut Criterion) {
    let mut group = c.benchmark_group("zone_text");
    group.throughput(Throughput::Bytes(ZONE.len() as u64));
    group.bench_function("parse", |b| {
        b.iter(|| Zone::from_text(black_box(ZONE)).unwrap());
    });
    group.finish();
}

fn lookups(c: &mut Criterion) {
    let zone = Zone::from_text(ZONE).unwrap();
    let mut group = c.benchmark_group("zone_lookup");
    group.bench_function("txt", |b| {
        b.iter(|| block_on(zone.txt(black_box("_spf.example.com"))).unwrap());
    });
    group.bench_function("txt_via_cname", |b| {
        b.iter(|| block_on(zone.txt(black_box("selector1._domainkey.example.net"))).unwrap());
    });
    group.bench_function("nxdomain", |b| {
        b.iter(|| block_on(zone.a(black_box("nothing-here.example.com"))).unwrap());
    });
    group.bench_function("ptr", |b| {
        let ip = "192.0.2.25".parse().unwrap();
        b.iter(|| block_on(zone.ptr(black_box(ip))).unwrap());
    });
    group.bench_function("idn_name", |b| {
        b.iter(|| block_on(zone.mx(black_box("bücher.example"))).unwrap());
    });
    group.finish();
}

criterion_group! { name = benches; config = mailroom_benches::criterion_config(); targets = zone_text, lookups }
criterion_main!(benches);
