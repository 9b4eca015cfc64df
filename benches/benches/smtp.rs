//! SMTP command parsing: the lines of a typical inbound transaction, parsed as the server does.
#![allow(clippy::unwrap_used, clippy::expect_used)] // rust-clippy#11119

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mailroom_mta_core::{Command, DataReader, Reply};

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
    // A 10 MB message of 78-octet lines, some starting with a dot, read in 64 KiB pieces.
    let mut message = Vec::new();
    let mut n = 0;
    while message.len() < 10 * 1024 * 1024 {
        let line = if n % 50 == 0 {
            "..a stuffed line"
        } else {
            "text of the message"
        };
        message.extend_from_slice(format!("{line:<76}\r\n").as_bytes());
        n += 1;
    }
    message.extend_from_slice(b".\r\n");
    group.throughput(Throughput::Bytes(message.len() as u64));
    let mut out = Vec::with_capacity(message.len());
    group.bench_function("data-reader-10MB", |b| {
        b.iter(|| {
            out.clear();
            let mut reader = DataReader::new(1 << 30);
            for piece in message.chunks(64 * 1024) {
                reader.feed(black_box(piece), &mut out);
            }
            reader.finish().unwrap();
        });
    });
    group.finish();
}

criterion_group! { name = benches; config = mailroom_benches::criterion_config(); targets = smtp }
criterion_main!(benches);
