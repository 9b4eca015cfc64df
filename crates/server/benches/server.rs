//! The whole server: messages accepted per second over loopback, with 16 clients sending at
//! once, 4 KiB each, each acknowledged only once it is committed to the queue (data synced,
//! renamed in, the queue directory synced).
#![allow(clippy::unwrap_used, clippy::expect_used)] // rust-clippy#11119

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mailroom_mta_core::driver::Client;
use mailroom_mta_core::{
    ClientConfig, Envelope, ForwardPath, Mailbox, Recipient, ReversePath, StartTls,
};
use mailroom_server::config::Role;
use mailroom_server::directory::{FileStore, Store};
use mailroom_server::{Config, Mailserver};

const CLIENTS: usize = 16;
const MESSAGES_PER_CLIENT: usize = 4;

fn envelope() -> Envelope {
    let mailbox = |text: &str| Mailbox::parse(text, false).unwrap();
    Envelope {
        from: ReversePath::Mailbox(mailbox("app@example.org")),
        params: Default::default(),
        recipients: vec![Recipient {
            to: ForwardPath::Mailbox(mailbox("bench@example.org")),
            params: Default::default(),
        }],
        size: 0,
    }
}

fn message() -> Vec<u8> {
    let mut body =
        b"From: app@example.org\r\nTo: bench@example.org\r\nSubject: bench\r\n\r\n".to_vec();
    while body.len() < 4096 {
        body.extend_from_slice(format!("{:<76}\r\n", "a line of the message").as_bytes());
    }
    body
}

/// One client sending its messages over one connection.
async fn client(address: SocketAddr, message: Vec<u8>) {
    let config = ClientConfig {
        starttls: StartTls::Never,
        ..ClientConfig::new("app.example.org")
    };
    let mut client = Client::connect(address, config, None).await.unwrap();
    for _ in 0..MESSAGES_PER_CLIENT {
        let delivery = client.send(envelope(), message.clone()).await.unwrap();
        assert_eq!(delivery.accepted().count(), 1, "{delivery:?}");
    }
    client.quit().await.unwrap();
}

fn server(c: &mut Criterion) {
    let data_dir = std::env::temp_dir().join(format!("mailroom-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    FileStore::new(&data_dir)
        .update(&mut |d| d.set_user("bench@example.org", "bench password"))
        .unwrap();
    let mut config = Config::load(None, Vec::new()).unwrap();
    config.hostname = "mx.example.org".to_owned();
    config.data_dir = data_dir.clone();
    for listener in &mut config.listeners {
        listener.address.set_port(0);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(Mailserver::bind(config)).unwrap();
    let inbound = server
        .addresses()
        .into_iter()
        .find(|(role, _)| *role == Role::Inbound)
        .map(|(_, address)| address)
        .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = runtime.spawn(server.run(async {
        let _ = stopped.await;
    }));
    let message = message();

    let mut group = c.benchmark_group("server");
    group.throughput(Throughput::Elements((CLIENTS * MESSAGES_PER_CLIENT) as u64));
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("accept-16-clients-4KiB-durable", |b| {
        b.iter_custom(|iterations| {
            let start = Instant::now();
            for _ in 0..iterations {
                runtime.block_on(async {
                    let clients: Vec<_> = (0..CLIENTS)
                        .map(|_| tokio::spawn(client(inbound, message.clone())))
                        .collect();
                    for client in clients {
                        client.await.unwrap();
                    }
                });
            }
            start.elapsed()
        });
    });
    group.finish();
    let _ = stop.send(());
    runtime.block_on(running).unwrap().unwrap();
    let _ = std::fs::remove_dir_all(&data_dir);
}

// Kept here rather than in mailroom-benches: the server turns on mailroom-dkim's aws-lc-rs
// backend, which would otherwise also change what the DKIM bench's ring runs measure.
criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = server
}
criterion_main!(benches);
