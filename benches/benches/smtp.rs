//! SMTP command parsing: the lines of a typical inbound transaction, parsed as the server does.
#![allow(clippy::unwrap_used, clippy::expect_used)] // rust-clippy#11119

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mailroom_mta_core::{Command, Reply};

/// EHLO, MAIL with parameters, ten RCPTs, DATA, QUIT.
fn transaction() -> Vec<String> {
    let mut lines = vec![
        "EHLO mail-wr1-f54.example.com".to_owned(),
        "MAIL FROM:<bounce-4711-joe=example.org@lists.example.com> SIZE=48213 BODY=8BITMIME"
            .to_owned(),
    ];
    for n in 0..10 {
        lines.push(format!("RCPT TO:<user{n}+tag@example.org>"));
    }
    lines.extend(["DATA".to_owned(), "QUIT".to_owned()]);
    lines
}

fn smtp(c: &mut Criterion) {
    let lines = transaction();
    let mut group = c.benchmark_group("smtp");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("parse-transaction-commands", |b| {
        b.iter(|| {
            for line in &lines {
                black_box(Command::parse(black_box(line), true).unwrap());
            }
        });
    });
    let ehlo = "250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-CHUNKING\r\n250 2.0.0 ENHANCEDSTATUSCODES\r\n";
    group.throughput(Throughput::Elements(1));
    group.bench_function("parse-ehlo-reply", |b| {
        b.iter(|| black_box(Reply::parse(black_box(ehlo)).unwrap()));
    });
    group.finish();
}

criterion_group! { name = benches; config = mailroom_benches::criterion_config(); targets = smtp }
criterion_main!(benches);
