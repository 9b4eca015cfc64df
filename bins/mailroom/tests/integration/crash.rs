//! Crash tests: `mailroom serve` is killed with SIGKILL at random moments while clients send
//! through it, and restarted; every message it acknowledged with 250 must arrive. One test
//! relays to a counting SMTP sink, the other delivers into a Maildir, where a message must
//! also never arrive twice and `tmp/` must be left clean.
//!
//! Each prints `acknowledged / delivered / lost / duplicated`; lost must be 0.

#![allow(clippy::print_stderr)] // the tallies are printed for the log

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use crate::TempDir;
use crate::serve::{Running, try_serve, users};

/// Clients sending at once, and messages each sends.
const CLIENTS: u64 = 4;
const PER_CLIENT: u64 = 400;
/// The fewest kills a run makes.
const KILLS: u32 = 20;

/// A small pseudo-random sequence (xorshift), seeded from the clock: each run kills at other
/// moments, and the seed is printed so a failure can be replayed.
struct Random(u64);

impl Random {
    fn new() -> Self {
        let seed = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(1, |d| d.as_secs() ^ u64::from(d.subsec_nanos()) << 20)
            | 1;
        eprintln!("crash test seed {seed}");
        Self(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// The tokens messages carry (`X-Token: N`), as received.
pub(crate) type Tally = Arc<Mutex<Vec<u64>>>;

fn token_of(line: &str) -> Option<u64> {
    line.strip_prefix("X-Token: ")?.trim().parse().ok()
}

/// An SMTP server that takes every message and notes its token; runs until the test ends.
pub(crate) fn counting_sink() -> (u16, Tally) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let tally: Tally = Arc::default();
    let received = Arc::clone(&tally);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let received = Arc::clone(&received);
            std::thread::spawn(move || sink_session(stream, &received));
        }
    });
    (port, tally)
}

fn sink_session(stream: TcpStream, received: &Mutex<Vec<u64>>) {
    let mut out = stream.try_clone().unwrap();
    let mut lines = BufReader::new(stream);
    let _ = out.write_all(b"220 sink ESMTP\r\n");
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
            "DATA" => {
                let _ = out.write_all(b"354 go on\r\n");
                let mut token = None;
                loop {
                    line.clear();
                    if lines.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    token = token.or_else(|| token_of(&line));
                }
                if let Some(token) = token {
                    received.lock().unwrap().push(token);
                }
                b"250 2.0.0 taken\r\n"
            }
            "QUIT" => {
                let _ = out.write_all(b"221 bye\r\n");
                return;
            }
            _ => b"250 ok\r\n",
        };
        if out.write_all(reply).is_err() {
            return;
        }
    }
}

/// One SMTP client connection, sending message after message.
pub(crate) struct Sender {
    lines: BufReader<TcpStream>,
    out: TcpStream,
}

impl Sender {
    pub(crate) fn connect(port: u16) -> Option<Self> {
        let stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .ok()?;
        let mut sender = Self {
            out: stream.try_clone().ok()?,
            lines: BufReader::new(stream),
        };
        sender.reply_is("220")?;
        sender.command("EHLO client.example\r\n", "250")?;
        Some(sender)
    }

    /// Reads a reply (all its lines); `Some` when its code is `code`.
    fn reply_is(&mut self, code: &str) -> Option<()> {
        let mut line = String::new();
        loop {
            line.clear();
            if self.lines.read_line(&mut line).ok()? == 0 {
                return None;
            }
            if line.as_bytes().get(3) != Some(&b'-') {
                return line.starts_with(code).then_some(());
            }
        }
    }

    fn command(&mut self, text: &str, code: &str) -> Option<()> {
        self.out.write_all(text.as_bytes()).ok()?;
        self.reply_is(code)
    }

    /// Sends one message carrying `token`; `Some` only when it was answered 250.
    pub(crate) fn send(&mut self, to: &str, token: u64) -> Option<()> {
        self.send_with(to, token, 90)
    }

    /// Sends a message of `lines` body lines carrying `token` to `to` (addresses separated by
    /// commas); `Some` only when answered 250.
    pub(crate) fn send_with(&mut self, to: &str, token: u64, lines: usize) -> Option<()> {
        self.command("MAIL FROM:<app@example.org>\r\n", "250")?;
        for to in to.split(',') {
            self.command(&format!("RCPT TO:<{to}>\r\n"), "250")?;
        }
        self.command("DATA\r\n", "354")?;
        let body = "All work and no play makes a dull message.\r\n".repeat(lines);
        let message = format!(
            "From: app@example.org\r\nTo: {to}\r\nSubject: crash {token}\r\nX-Token: {token}\r\n\r\n{body}.\r\n"
        );
        self.command(&message, "250")
    }
}

/// Sends `PER_CLIENT` messages from each of `CLIENTS` threads to `to`, reconnecting whenever the
/// server is gone; returns the tokens that were answered 250.
fn send_all(port: u16, to: &'static str, done: &AtomicBool) -> BTreeSet<u64> {
    let threads: Vec<_> = (0..CLIENTS)
        .map(|client| {
            std::thread::spawn(move || {
                let mut acknowledged = Vec::new();
                let mut sender = None;
                for n in 0..PER_CLIENT {
                    let token = client * PER_CLIENT + n;
                    let deadline = Instant::now() + Duration::from_secs(60);
                    // A message that got no answer is not sent again: it was not acknowledged.
                    while sender.is_none() && Instant::now() < deadline {
                        sender = Sender::connect(port);
                        if sender.is_none() {
                            std::thread::sleep(Duration::from_millis(10));
                        }
                    }
                    match sender.as_mut().and_then(|s| s.send(to, token)) {
                        Some(()) => acknowledged.push(token),
                        None => sender = None,
                    }
                }
                acknowledged
            })
        })
        .collect();
    let acknowledged = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    done.store(true, Ordering::Relaxed);
    acknowledged
}

/// Restarts the server on its ports after a kill (a port may take a moment to be free).
fn restart(dir: &Path, ports: [u16; 3], env: &[(&str, &str)]) -> Running {
    for _ in 0..50 {
        if let Some(running) = try_serve(dir, Some(ports), env, false) {
            return running;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the server did not start again on {ports:?}");
}

/// Runs the clients against the server while killing it at random moments, at least `KILLS`
/// times and until the clients are done; returns the acknowledged tokens and the server, left
/// running to finish delivery.
fn send_while_killing(
    dir: &Path,
    to: &'static str,
    env: &[(&str, &str)],
) -> (BTreeSet<u64>, Running) {
    let mut server = restart_fresh(dir, env);
    let ports = server.ports;
    let done = Arc::new(AtomicBool::new(false));
    let clients = {
        let done = Arc::clone(&done);
        let port = ports[0];
        std::thread::spawn(move || send_all(port, to, &done))
    };
    let mut random = Random::new();
    let mut kills = 0;
    while kills < KILLS || !done.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(30 + random.below(250)));
        server.child.kill().unwrap(); // SIGKILL
        let _ = server.child.wait();
        kills += 1;
        drop(server);
        std::thread::sleep(Duration::from_millis(random.below(30)));
        server = restart(dir, ports, env);
    }
    let acknowledged = clients.join().unwrap();
    eprintln!("killed {kills} times");
    (acknowledged, server)
}

fn restart_fresh(dir: &Path, env: &[(&str, &str)]) -> Running {
    loop {
        if let Some(running) = try_serve(dir, None, env, false) {
            return running;
        }
    }
}

/// Prints and checks the tally: every acknowledged token delivered.
fn report(acknowledged: &BTreeSet<u64>, delivered: &[u64]) -> (usize, usize) {
    let mut counts = BTreeMap::new();
    for token in delivered {
        *counts.entry(*token).or_insert(0_usize) += 1;
    }
    let lost: Vec<&u64> = acknowledged
        .iter()
        .filter(|t| !counts.contains_key(t))
        .collect();
    let duplicated = counts.values().filter(|&&n| n > 1).count();
    eprintln!(
        "acknowledged {} / delivered {} / lost {} / duplicated {}",
        acknowledged.len(),
        counts.len(),
        lost.len(),
        duplicated
    );
    assert!(lost.is_empty(), "acknowledged and lost: {lost:?}");
    assert!(
        acknowledged.len() as u64 > CLIENTS * PER_CLIENT / 2,
        "too few messages were acknowledged to prove anything"
    );
    (lost.len(), duplicated)
}

/// Waits until `count()` reaches `want` or a minute passes.
fn wait_for(want: usize, count: impl Fn() -> usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while count() < want && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn relayed_mail_acknowledged_before_a_kill_is_never_lost() {
    let dir = TempDir::new("crash-relay");
    let (sink, tally) = counting_sink();
    let relay = format!("127.0.0.1:{sink}");
    let env = [
        ("MAILROOM_DELIVERY_RELAY_HOST", relay.as_str()),
        ("MAILROOM_QUEUE_RETRY_FIRST_SECS", "1"),
        ("MAILROOM_QUEUE_RETRY_MAX_SECS", "1"),
    ];
    let (acknowledged, server) = send_while_killing(dir.path(), "friend@example.com", &env);
    wait_for(acknowledged.len(), || {
        let tally = tally.lock().unwrap();
        acknowledged.iter().filter(|t| tally.contains(t)).count()
    });
    let delivered = tally.lock().unwrap().clone();
    report(&acknowledged, &delivered);
    drop(server);
}

#[test]
fn maildir_delivery_survives_kills_without_copies_twice_or_debris() {
    let dir = TempDir::new("crash-maildir");
    users(dir.path());
    let (acknowledged, server) = send_while_killing(dir.path(), "bob@example.org", &[]);
    let mailbox = dir.path().join("mail/example.org/bob");
    let tokens = || -> Vec<u64> {
        std::fs::read_dir(mailbox.join("new"))
            .map(|entries| {
                entries
                    .flatten()
                    .filter_map(|e| {
                        let text = std::fs::read_to_string(e.path()).ok()?;
                        text.lines().find_map(token_of)
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    wait_for(acknowledged.len(), || {
        let delivered = tokens();
        acknowledged
            .iter()
            .filter(|t| delivered.contains(t))
            .count()
    });
    // Let delivery settle: nothing more may come in.
    let queue = dir.path().join("spool/queue");
    wait_for(1, || {
        usize::from(std::fs::read_dir(&queue).unwrap().next().is_none())
    });
    let (_, duplicated) = report(&acknowledged, &tokens());
    assert_eq!(duplicated, 0, "a message was delivered twice into new/");
    let debris: Vec<_> = std::fs::read_dir(mailbox.join("tmp"))
        .unwrap()
        .flatten()
        .collect();
    assert!(debris.is_empty(), "left in tmp/: {debris:?}");
    drop(server);
}
