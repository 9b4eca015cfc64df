//! Memory: a 50 MB message relayed and delivered to a Maildir costs the server no more than
//! 16 MiB above what it had in use before, because it goes from the socket to the spool file
//! and from the spool file to the next server and the mailbox in pieces.

#![allow(clippy::print_stderr)] // the figure is printed for the log

use std::time::{Duration, Instant};

use crate::TempDir;
use crate::crash::{Sender, counting_sink};
use crate::serve::{serve, users};

/// A figure of the process's memory from /proc (`VmHWM`, the peak resident set, or `VmRSS`),
/// in KiB.
fn memory_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn a_50_mb_message_is_relayed_and_delivered_in_pieces() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("skipped: no /proc to read the peak resident set from");
        return;
    }
    let dir = TempDir::new("memory");
    users(dir.path());
    let (sink, tally) = counting_sink();
    let relay = format!("127.0.0.1:{sink}");
    let server = serve(
        dir.path(),
        None,
        &[
            ("MAILROOM_DELIVERY_RELAY_HOST", relay.as_str()),
            ("MAILROOM_LIMITS_MAX_MESSAGE_SIZE", "60000000"),
        ],
    );
    let to = "bob@example.org,friend@example.com";
    let mut sender = Sender::connect(server.ports[0]).unwrap();
    // A small message first, so the idle figure includes what every message uses.
    sender.send_with(to, 1, 10).unwrap();
    let delivered = |token: u64| {
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            let relayed = tally.lock().unwrap().contains(&token);
            let queue = dir.path().join("spool/queue");
            if relayed && std::fs::read_dir(&queue).unwrap().next().is_none() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("message {token} was not delivered");
    };
    delivered(1);
    let idle = memory_kib(server.child.id(), "VmHWM");
    // 45 octets a line: 1.2 million lines are 53 MB.
    sender.send_with(to, 2, 1_200_000).unwrap();
    delivered(2);
    let peak = memory_kib(server.child.id(), "VmHWM");
    let mailbox = dir.path().join("mail/example.org/bob/new");
    let sizes: Vec<u64> = std::fs::read_dir(&mailbox)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .collect();
    assert_eq!(sizes.len(), 2);
    assert!(sizes.iter().any(|&size| size > 50_000_000), "{sizes:?}");
    eprintln!(
        "peak resident set: {idle} KiB idle, {peak} KiB after a 53 MB message: +{} KiB",
        peak - idle
    );
    assert!(
        peak - idle <= 16 * 1024,
        "a 53 MB message took {} KiB",
        peak - idle
    );
}

#[test]
fn ten_thousand_idle_connections_cost_under_20_kib_each() {
    const CONNECTIONS: u64 = 10_000;
    if !mailroom_testkit::peer_available("python3", &["-c", "import resource"], "Python 3") {
        return;
    }
    let dir = TempDir::new("idle");
    let mut command = std::process::Command::new("sh");
    command.args([
        "-c",
        "ulimit -n 12000 2>/dev/null || exit 3; exec \"$0\" serve",
        env!("CARGO_BIN_EXE_mailroom"),
    ]);
    let Some(server) = crate::serve::try_serve_as(command, dir.path(), None, &[], false) else {
        eprintln!("skipped: the server cannot have 12,000 descriptors here (ulimit -Hn)");
        return;
    };
    // A first session, so what every session shares is counted before.
    let mut sender = Sender::connect(server.ports[0]).unwrap();
    let _ = sender.send_with("postmaster@mx.example.org", 0, 1);
    drop(sender);
    std::thread::sleep(Duration::from_millis(200));
    let before = memory_kib(server.child.id(), "VmRSS");
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/hold_connections.py");
    let mut holder = std::process::Command::new("python3")
        .arg(script)
        .arg(server.ports[0].to_string())
        .arg(CONNECTIONS.to_string())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(holder.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    if line.starts_with("limit") {
        eprintln!("skipped: this process may hold too few connections ({line})");
        let _ = holder.wait();
        return;
    }
    assert_eq!(line.trim(), "ready");
    let after = memory_kib(server.child.id(), "VmRSS");
    let each = (after.saturating_sub(before)) as f64 / CONNECTIONS as f64;
    eprintln!(
        "{CONNECTIONS} idle connections: {before} KiB before, {after} KiB with them: {each:.1} KiB each"
    );
    drop(holder.stdin.take());
    let _ = holder.wait();
    assert!(each < 20.0, "{each:.1} KiB per idle connection");
}
