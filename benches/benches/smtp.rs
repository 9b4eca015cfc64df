//! SMTP: command parsing, the DATA reader, and whole sessions (EHLO, MAIL, 10 RCPT, 4 KiB of
//! DATA, QUIT), in memory and over loopback TCP with the tokio driver.
#![allow(clippy::unwrap_used, clippy::expect_used)] // rust-clippy#11119

use std::hint::black_box;
use std::io;
use std::sync::Arc;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mailroom_mta_core::driver::{Client, Handler, Peer, Server};
use mailroom_mta_core::{
    ClientConfig, ClientSession, ClientStep, Command, DataReader, Decision, Envelope, ForwardPath,
    Mailbox, Recipient, Reply, ReversePath, ServerConfig, ServerSession, StartTls, Step,
};

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

/// The envelope and message of the session benches: 10 recipients, 4 KiB.
fn message() -> (Envelope, Vec<u8>) {
    let mailbox = |text: &str| Mailbox::parse(text, false).unwrap();
    let envelope = Envelope {
        from: ReversePath::Mailbox(mailbox("sender@client.example")),
        params: Default::default(),
        recipients: (0..10)
            .map(|n| Recipient {
                to: ForwardPath::Mailbox(mailbox(&format!("user{n}@example.org"))),
                params: Default::default(),
            })
            .collect(),
        size: 0,
    };
    let mut body = b"From: sender@client.example\r\nSubject: bench\r\n\r\n".to_vec();
    while body.len() < 4096 {
        body.extend_from_slice(format!("{:<76}\r\n", "a line of the message").as_bytes());
    }
    (envelope, body)
}

/// Counts what it receives and accepts everything.
struct Sink;

impl Handler for Sink {
    type Connection = usize;

    async fn connect(&self, _peer: Peer) -> Result<usize, Reply> {
        Ok(0)
    }

    async fn data(&self, octets: &mut usize, chunk: &[u8]) -> io::Result<()> {
        *octets += chunk.len();
        Ok(())
    }

    async fn message(&self, octets: &mut usize, _envelope: Envelope) -> Decision {
        black_box(std::mem::take(octets));
        Decision::Accept
    }
}

/// One whole session between the two sans-IO state machines, no sockets.
fn in_memory_session(server_config: &Arc<ServerConfig>, envelope: &Envelope, body: &[u8]) {
    let now = Instant::now();
    let config = ClientConfig {
        starttls: StartTls::Never,
        ..ClientConfig::new("client.example")
    };
    let mut client = ClientSession::new(config, now);
    let mut server = ServerSession::new(Arc::clone(server_config), now);
    let mut sent = false;
    loop {
        loop {
            match server.next(now) {
                Step::Write(bytes) => client.feed(&bytes),
                Step::Event(_) => server.decide(Decision::Accept).unwrap(),
                Step::MessageData(chunk) => {
                    black_box(chunk);
                }
                _ => break,
            }
        }
        match client.next(now) {
            ClientStep::Write(bytes) => server.feed(&bytes),
            ClientStep::Ready if !sent => {
                sent = true;
                client.send(envelope.clone(), body.to_vec()).unwrap();
            }
            ClientStep::Sent(delivery) => {
                assert_eq!(delivery.accepted().count(), 10);
                client.quit();
            }
            ClientStep::Close => return,
            ClientStep::NeedInput => {}
            step => panic!("{step:?}"),
        }
    }
}

fn session(c: &mut Criterion) {
    let (envelope, body) = message();
    let mut group = c.benchmark_group("smtp-session");
    group.throughput(Throughput::Elements(1));
    let server_config = Arc::new(ServerConfig::new("mx.example.org"));
    group.bench_function("in-memory-10-rcpt-4KiB", |b| {
        b.iter(|| in_memory_session(&server_config, &envelope, &body));
    });

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let server = Server::new(ServerConfig::new("mx.example.org"), Sink);
    runtime.spawn(server.serve(listener, std::future::pending()));
    group.bench_function("loopback-10-rcpt-4KiB", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let config = ClientConfig::new("client.example");
                let mut client = Client::connect(addr, config, None).await.unwrap();
                let delivery = client.send(envelope.clone(), body.clone()).await.unwrap();
                assert_eq!(delivery.accepted().count(), 10);
                client.quit().await.unwrap();
            });
        });
    });
    group.finish();
}

criterion_group! { name = benches; config = mailroom_benches::criterion_config(); targets = smtp, session }
criterion_main!(benches);
