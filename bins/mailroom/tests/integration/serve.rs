//! `mailroom serve` end to end: the real binary on 127.0.0.1, driven by Python's smtplib and
//! swaks, checked in its Maildirs and spool.
//!
//! `.ci/run` installs the peers and sets `MAILROOM_REQUIRE_PEERS=1`, which makes a missing
//! peer a failure; elsewhere these tests are skipped with a note.

#![allow(clippy::print_stderr)] // skipped tests say so

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mailroom_testkit::peer_available;

use crate::{TempDir, mailroom, ok};

/// A running `mailroom serve`, killed when dropped.
pub(crate) struct Running {
    pub(crate) child: Child,
    pub(crate) ports: [u16; 3],
    /// Its standard output, kept open for as long as it runs.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port held by this test until the listener is dropped, so no other test takes it.
pub(crate) fn reserved_port() -> (std::net::TcpListener, u16) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    (listener, port)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the server on free ports (or the given ones) with these extra settings and waits
/// until it listens. Free ports are picked again if another test took one meanwhile.
pub(crate) fn serve(data_dir: &Path, ports: Option<[u16; 3]>, env: &[(&str, &str)]) -> Running {
    serve_with(data_dir, ports, env, false)
}

/// As [`serve`], with the inbound listener behind the PROXY protocol when `proxy` is set.
fn serve_with(
    data_dir: &Path,
    ports: Option<[u16; 3]>,
    env: &[(&str, &str)],
    proxy: bool,
) -> Running {
    for _ in 0..5 {
        if let Some(running) = try_serve(data_dir, ports, env, proxy) {
            return running;
        }
        assert!(ports.is_none(), "the server did not start on {ports:?}");
    }
    panic!("the server did not start");
}

pub(crate) fn try_serve(
    data_dir: &Path,
    ports: Option<[u16; 3]>,
    env: &[(&str, &str)],
    proxy: bool,
) -> Option<Running> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mailroom"));
    command.arg("serve");
    try_serve_as(command, data_dir, ports, env, proxy)
}

/// As [`try_serve`], running `command` (which runs `mailroom serve` in some way).
pub(crate) fn try_serve_as(
    mut command: Command,
    data_dir: &Path,
    ports: Option<[u16; 3]>,
    env: &[(&str, &str)],
    proxy: bool,
) -> Option<Running> {
    let ports = ports.unwrap_or_else(|| [free_port(), free_port(), free_port()]);
    let listeners = format!(
        "inbound=127.0.0.1:{}{},submission=127.0.0.1:{},submissions=127.0.0.1:{}",
        ports[0],
        if proxy { "+proxy" } else { "" },
        ports[1],
        ports[2]
    );
    let mut child = command
        .env("MAILROOM_DATA_DIR", data_dir)
        .env("MAILROOM_HOSTNAME", "mx.example.org")
        .env("MAILROOM_LISTENERS", listeners)
        .env(
            "MAILROOM_DNS_ZONE",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/e2e.zone"),
        )
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    let running = Running {
        child,
        ports,
        _stdout: stdout,
    };
    if !first.starts_with("mailroom ") {
        return None;
    }
    for port in ports {
        assert!(
            TcpStream::connect(("127.0.0.1", port)).is_ok(),
            "port {port} is not open"
        );
    }
    Some(running)
}

/// A Python peer (a relay or LMTP server) printing what it receives; stopped when dropped.
struct Peer {
    child: Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Peer {
    /// Runs `python3` with these arguments, reading its output on a thread so that a line
    /// that never comes fails the test in time rather than hanging it.
    fn start(args: &[std::ffi::OsString]) -> Self {
        let mut child = Command::new("python3")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let (sender, lines) = std::sync::mpsc::channel();
        let output = BufReader::new(child.stdout.take().unwrap());
        std::thread::spawn(move || {
            for line in output.lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        Self { child, lines }
    }

    /// aiosmtpd as a relay host on `port`, with the server's certificate (made when the
    /// server first started) for STARTTLS.
    fn relay_host(data_dir: &Path, port: u16) -> Self {
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../crates/mta-core/tests/peers/aiosmtpd_server.py");
        let tls = data_dir.join("tls");
        Self::start(&[
            script.into(),
            port.to_string().into(),
            tls.join("cert.pem").into(),
            tls.join("key.pem").into(),
        ])
    }

    /// The next line it prints, or an empty one after ten seconds.
    fn next_line(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_default()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn e2e(case: &str, server: &Running) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/e2e.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(case)
        .args(server.ports.map(|p| p.to_string()))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{case}:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The users of the tests: alice (password alice-pw) with the alias sales, and bob.
pub(crate) fn users(data_dir: &Path) {
    ok(&mailroom(
        data_dir,
        &["user", "add", "alice@example.org"],
        "alice-pw\n",
    ));
    ok(&mailroom(
        data_dir,
        &["user", "add", "bob@example.org"],
        "bob-pw\n",
    ));
    ok(&mailroom(
        data_dir,
        &["alias", "add", "sales@example.org", "alice@example.org"],
        "",
    ));
}

/// The messages in a user's Maildir `new/`, waiting up to five seconds for `count`.
fn mailbox(data_dir: &Path, local: &str, count: usize) -> Vec<String> {
    let dir: PathBuf = data_dir.join("mail/example.org").join(local).join("new");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut messages: Vec<String> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| std::fs::read_to_string(e.path()).unwrap())
                    .collect()
            })
            .unwrap_or_default();
        if messages.len() >= count || Instant::now() > deadline {
            messages.sort();
            return messages;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn subjects(messages: &[String]) -> Vec<String> {
    let mut subjects: Vec<String> = messages
        .iter()
        .filter_map(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("Subject: "))
                .map(str::to_owned)
        })
        .collect();
    subjects.sort();
    subjects
}

#[test]
fn inbound_mail_is_delivered_to_local_users_only() {
    if !peer_available("python3", &["-c", "import smtplib"], "Python 3") {
        return;
    }
    let dir = TempDir::new("inbound");
    users(dir.path());
    // Not trusted: loopback is the default trusted network, so the test leaves it out.
    let server = serve(
        dir.path(),
        None,
        &[("MAILROOM_TRUSTED_NETWORKS", "192.0.2.0/24")],
    );
    e2e("inbound", &server);
    let alice = mailbox(dir.path(), "alice", 3);
    assert_eq!(subjects(&alice), ["alias", "inbound", "tagged"]);
    let first = alice
        .iter()
        .find(|m| m.contains("Subject: inbound"))
        .unwrap();
    assert!(first.starts_with("Received: from mx.sender.example ([127.0.0.1])\r\n\tby mx.example.org (Mailroom) with ESMTPS id "), "{first}");
    assert!(mailbox(dir.path(), "bob", 0).is_empty());
}

#[test]
fn submission_needs_tls_and_auth_and_refuses_spoofed_senders() {
    if !peer_available("python3", &["-c", "import smtplib"], "Python 3") {
        return;
    }
    let dir = TempDir::new("submission");
    users(dir.path());
    let server = serve(
        dir.path(),
        None,
        &[("MAILROOM_TRUSTED_NETWORKS", "192.0.2.0/24")],
    );
    e2e("submission", &server);
    let bob = mailbox(dir.path(), "bob", 3);
    assert_eq!(subjects(&bob), ["as alias", "implicit tls", "submitted"]);
    assert!(bob.iter().all(|m| m.contains("with ESMTPSA id")));
    assert!(
        mailbox(dir.path(), "alice", 0).is_empty(),
        "a spoofed message was delivered"
    );
}

#[test]
fn swaks_submits_through_the_readme_steps() {
    if !peer_available(
        "swaks",
        &["--version"],
        "apt-get install swaks libnet-ssleay-perl",
    ) {
        return;
    }
    let dir = TempDir::new("swaks");
    let server = serve(dir.path(), None, &[]);
    // Users added while the server runs are known at once.
    users(dir.path());
    let port = server.ports[1].to_string();
    let output = Command::new("swaks")
        .args([
            "--server",
            "127.0.0.1",
            "--port",
            &port,
            "--tls",
            "--auth-user",
            "alice@example.org",
        ])
        .args([
            "--auth-password",
            "alice-pw",
            "--from",
            "alice@example.org",
            "--to",
            "bob@example.org",
        ])
        .args(["--header", "Subject: from swaks", "--silent", "2"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert_eq!(subjects(&mailbox(dir.path(), "bob", 1)), ["from swaks"]);
}

#[test]
fn a_queued_message_survives_kill_9_and_is_delivered_after_restart() {
    if !peer_available(
        "python3",
        &["-c", "import aiosmtpd"],
        "pip install aiosmtpd",
    ) {
        return;
    }
    let dir = TempDir::new("durable");
    users(dir.path());
    // The relay host's port is held, answering nothing, until the relay host starts.
    let (held, relay_port) = reserved_port();
    let relay = format!("127.0.0.1:{relay_port}");
    let settings = [("MAILROOM_DELIVERY_RELAY_HOST", relay.as_str())];
    let mut server = serve(dir.path(), None, &settings);
    // No relay host answers yet: the message is acknowledged and waits.
    e2e("relay", &server);
    let queue = dir.path().join("spool/queue");
    let queued = std::fs::read_dir(&queue).unwrap().count();
    assert_eq!(queued, 1, "the message, with its record, is in the queue");
    let ports = server.ports;
    server.child.kill().unwrap(); // SIGKILL: no chance to tidy up
    let _ = server.child.wait();
    drop(server);

    // The relay host comes up (aiosmtpd, which prints what it receives), then the server.
    drop(held);
    let peer = Peer::relay_host(dir.path(), relay_port);
    let next_line = || peer.next_line();
    assert_eq!(next_line().trim(), "ready");
    let _server = serve(dir.path(), Some(ports), &settings);
    let line = next_line();
    assert!(
        line.starts_with("MESSAGE alice@example.org friend@example.com "),
        "{line}"
    );
    // The relay host's 250 takes the message out of the queue.
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::read_dir(&queue).unwrap().count() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(peer);
    assert_eq!(
        std::fs::read_dir(&queue).unwrap().count(),
        0,
        "delivered messages leave the queue"
    );
}

/// Whether dkimpy and the Python modules the relay host peer needs are here.
fn dkimpy_available() -> bool {
    peer_available(
        "python3",
        &["-c", "import dkim, nacl, aiosmtpd"],
        "pip install dkimpy pynacl aiosmtpd",
    )
}

/// Sends the `trusted` case through a server whose relay host is a peer, and has dkimpy verify
/// every DKIM-Signature of the message the relay host received, with the key records in
/// `records` (zone lines, `name. IN TXT "..."`). Returns dkimpy's line per signature.
fn relay_and_verify_with_dkimpy(data_dir: &Path, records: &str) -> String {
    let records_file = data_dir.join("records.zone");
    std::fs::write(&records_file, records).unwrap();
    let (held, relay_port) = reserved_port();
    let relay = format!("127.0.0.1:{relay_port}");
    let server = serve(
        data_dir,
        None,
        &[("MAILROOM_DELIVERY_RELAY_HOST", relay.as_str())],
    );
    drop(held);
    let peer = Peer::relay_host(data_dir, relay_port);
    let next_line = || peer.next_line();
    assert_eq!(next_line().trim(), "ready");
    e2e("trusted", &server);
    let header = next_line();
    assert!(
        header.starts_with("MESSAGE alice@example.org friend@example.com "),
        "{header}"
    );
    let mut message = String::new();
    loop {
        let line = next_line();
        if line == "END" || line.is_empty() && message.len() > 100_000 {
            break;
        }
        message.push_str(&line);
        message.push_str("\r\n");
    }
    drop(peer);
    let message_file = data_dir.join("relayed.eml");
    std::fs::write(&message_file, &message).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/dkim_verify.py");
    let verified = Command::new("python3")
        .arg(script)
        .arg(&message_file)
        .arg(&records_file)
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "{}\n{}\n{message}",
        String::from_utf8_lossy(&verified.stdout),
        String::from_utf8_lossy(&verified.stderr)
    );
    String::from_utf8_lossy(&verified.stdout).into_owned()
}

#[test]
fn trusted_relay_mail_is_dkim_signed_with_every_key_and_dkimpy_verifies_it() {
    if !dkimpy_available() {
        return;
    }
    let dir = TempDir::new("dkim");
    users(dir.path());
    let records = ok(&mailroom(
        dir.path(),
        &["dkim", "keygen", "example.org"],
        "",
    ));
    let verified = relay_and_verify_with_dkimpy(dir.path(), &records);
    assert_eq!(verified.lines().count(), 2, "{verified}");
    assert!(verified.lines().all(|l| l.starts_with("example.org ")));
}

/// The character-strings of a TXT record in zone-file text, joined: what it publishes.
fn txt_content(zone_text: &str) -> String {
    zone_text.split('"').skip(1).step_by(2).collect()
}

/// What follows `p=` in a key record.
fn key_of(record: &str) -> &str {
    record
        .split(';')
        .find_map(|tag| tag.trim().strip_prefix("p="))
        .unwrap_or_default()
}

/// An operator moving from OpenDKIM or dkimpy keeps their keys and the records published for
/// them: `mailroom dkim import` takes the files as those tools wrote them, says which record
/// each needs (the one already published), and relayed mail is signed with both keys so that
/// dkimpy verifies it against the tools' own records.
#[test]
fn keys_other_tools_made_are_imported_and_sign_as_published() {
    let install = "apt-get install opendkim-tools";
    if !dkimpy_available() || !peer_available("opendkim-genkey", &["--version"], install) {
        return;
    }
    let dir = TempDir::new("dkim-import");
    users(dir.path());
    let keys = dir.path().join("opendkim");
    std::fs::create_dir(&keys).unwrap();
    let made = Command::new("opendkim-genkey")
        .args(["-d", "example.org", "-s", "legacy", "-D"])
        .arg(&keys)
        .status()
        .unwrap();
    assert!(made.success());
    let opendkim_key = keys.join("legacy.private");
    let dkimpy_key = mailroom_testkit::testdata_dir().join("dkim/dkimpy/ed25519test.key");
    let import = |file: &Path, selector: &str| {
        mailroom(
            dir.path(),
            &[
                "dkim",
                "import",
                "example.org",
                file.to_str().unwrap(),
                "--selector",
                selector,
            ],
            "",
        )
    };
    let opendkim_record = txt_content(&std::fs::read_to_string(keys.join("legacy.txt")).unwrap());
    let dkimpy_record = mailroom_testkit::read_text("dkim/dkimpy/ed25519test.dns");
    for (file, selector, published) in [
        (&opendkim_key, "legacy", &opendkim_record),
        (&dkimpy_key, "ed", &dkimpy_record),
    ] {
        let printed = ok(&import(file, selector));
        assert!(
            printed.contains(&format!("{selector}._domainkey.example.org. IN TXT ")),
            "{printed}"
        );
        assert_eq!(
            key_of(&txt_content(&printed)),
            key_of(published),
            "{printed}"
        );
    }
    let stored = dir.path().join("dkim/example.org/legacy.pem");
    assert!(
        std::fs::read_to_string(&stored)
            .unwrap()
            .starts_with("-----BEGIN PRIVATE KEY-----\n")
    );
    // Keys are never replaced, and a file with no key in it is named.
    assert!(crate::error(&import(&dkimpy_key, "legacy")).contains("never replaced"));
    let not_a_key = keys.join("legacy.txt");
    assert!(crate::error(&import(&not_a_key, "other")).contains("legacy.txt"));

    let records = format!(
        "legacy._domainkey.example.org. IN TXT \"{opendkim_record}\"\n\
         ed._domainkey.example.org. IN TXT \"{}\"\n",
        dkimpy_record.trim()
    );
    let verified = relay_and_verify_with_dkimpy(dir.path(), &records);
    let mut signers: Vec<&str> = verified.lines().collect();
    signers.sort_unstable();
    assert_eq!(signers, ["example.org ed", "example.org legacy"]);
}

#[test]
fn inbound_mail_is_checked_and_dmarc_policies_are_enforced() {
    if !peer_available("python3", &["-c", "import smtplib"], "Python 3") {
        return;
    }
    let dir = TempDir::new("dmarc");
    users(dir.path());
    let server = serve(
        dir.path(),
        None,
        &[("MAILROOM_TRUSTED_NETWORKS", "192.0.2.0/24")],
    );
    e2e("dmarc", &server);
    let inbox = mailbox(dir.path(), "alice", 1);
    assert_eq!(subjects(&inbox), ["aligned"]);
    let message = &inbox[0];
    assert!(message.contains("Received-SPF: pass (mx.example.org: domain of someone@good.example designates 127.0.0.1 as permitted sender)"), "{message}");
    assert!(
        message.contains("Authentication-Results: mx.example.org;"),
        "{message}"
    );
    assert!(
        message.contains("spf=pass") && message.contains("dmarc=pass"),
        "{message}"
    );
    assert!(
        !message.contains("forged"),
        "our own Authentication-Results were not removed:\n{message}"
    );
    let junk_dir = dir.path().join("mail/example.org/alice/.Junk/new");
    let junk: Vec<_> = std::fs::read_dir(&junk_dir).unwrap().flatten().collect();
    assert_eq!(junk.len(), 1, "one message in Junk");
    let junk = std::fs::read_to_string(junk[0].path()).unwrap();
    assert!(
        junk.contains("Subject: quarantined") && junk.contains("dmarc=fail"),
        "{junk}"
    );
}

#[test]
fn behind_a_proxy_the_real_client_address_decides_who_may_relay() {
    if !peer_available("python3", &["-c", "import smtplib"], "Python 3") {
        return;
    }
    let dir = TempDir::new("proxy");
    users(dir.path());
    // The proxy connects from loopback, which is trusted; the client it speaks for is not.
    let server = serve_with(
        dir.path(),
        None,
        &[("MAILROOM_DELIVERY_RELAY_HOST", "127.0.0.1:9")],
        true,
    );
    e2e("proxy", &server);
    let inbox = mailbox(dir.path(), "alice", 1);
    assert!(
        inbox[0].contains("Received: from client.example ([203.0.113.5])"),
        "{}",
        inbox[0]
    );
}

#[test]
fn lmtp_delivery_takes_each_recipients_own_answer() {
    if !peer_available("python3", &["-c", "import smtplib"], "Python 3") {
        return;
    }
    let dir = TempDir::new("lmtp");
    users(dir.path());
    let (held, lmtp_port) = reserved_port();
    let lmtp = format!("127.0.0.1:{lmtp_port}");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/lmtp_server.py");
    drop(held);
    let peer = Peer::start(&[script.into(), lmtp_port.to_string().into()]);
    let next_line = || peer.next_line();
    assert_eq!(next_line(), "ready");
    let settings = [
        ("MAILROOM_DELIVERY_MODE", "lmtp"),
        ("MAILROOM_DELIVERY_LMTP_ADDRESS", lmtp.as_str()),
    ];
    let server = serve(dir.path(), None, &settings);
    e2e("lmtp", &server);
    let line = next_line();
    assert!(
        line.starts_with("MESSAGE app@example.org alice@example.org,bob@example.org "),
        "{line}"
    );
    // alice's copy is done; bob's waits in the queue for another try.
    let queue = dir.path().join("spool/queue");
    let envelope = std::fs::read_dir(&queue)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "msg"))
        .expect("the message is queued");
    // The record of the try: alice's copy is delivered, bob's deferred.
    let state = envelope.with_extension("state");
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut text = String::new();
    while Instant::now() < deadline {
        text = std::fs::read_to_string(&state).unwrap_or_default();
        if text.contains("deferred") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let states: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("user = ") || l.starts_with("state = "))
        .collect();
    assert_eq!(
        states,
        [
            "state = \"delivered\"",
            "user = \"alice@example.org\"",
            "state = \"deferred\"",
            "user = \"bob@example.org\""
        ],
        "{text}"
    );
    assert!(
        mailbox(dir.path(), "alice", 0).is_empty(),
        "LMTP mode writes no Maildir"
    );
    drop(peer);
}

#[test]
fn the_server_keeps_serving_when_file_descriptors_run_out() {
    let dir = TempDir::new("emfile");
    // Few descriptors: the connections below use them all up.
    let mut command = Command::new("sh");
    command.args([
        "-c",
        "ulimit -n 64 && exec \"$0\" serve",
        env!("CARGO_BIN_EXE_mailroom"),
    ]);
    let mut server = None;
    for _ in 0..5 {
        server = try_serve_as(command, dir.path(), None, &[], false);
        if server.is_some() {
            break;
        }
        command = Command::new("sh");
        command.args([
            "-c",
            "ulimit -n 64 && exec \"$0\" serve",
            env!("CARGO_BIN_EXE_mailroom"),
        ]);
    }
    let mut server = server.expect("the server starts with 64 descriptors");
    let port = server.ports[0];
    let held: Vec<TcpStream> = (0..120)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", port)).ok())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server died"
    );
    drop(held);
    // Once descriptors are free again, new clients are greeted.
    let deadline = Instant::now() + Duration::from_secs(10);
    let greeting = loop {
        let attempt = TcpStream::connect(("127.0.0.1", port)).and_then(|stream| {
            stream.set_read_timeout(Some(Duration::from_secs(2)))?;
            let mut line = String::new();
            BufReader::new(stream).read_line(&mut line)?;
            Ok(line)
        });
        match attempt {
            Ok(line) if line.starts_with("220") => break line,
            _ if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            other => panic!("no greeting after the descriptors came back: {other:?}"),
        }
    };
    assert!(greeting.starts_with("220 mx.example.org"), "{greeting}");
}

#[test]
fn a_second_server_on_the_same_data_directory_refuses_to_start() {
    let dir = TempDir::new("locked");
    let server = serve(dir.path(), None, &[]);
    let listeners = format!(
        "inbound=127.0.0.1:{},submission=127.0.0.1:{},submissions=127.0.0.1:{}",
        free_port(),
        free_port(),
        free_port()
    );
    let mut command = Command::new(env!("CARGO_BIN_EXE_mailroom"));
    command
        .arg("serve")
        .env("MAILROOM_DATA_DIR", dir.path())
        .env("MAILROOM_LISTENERS", listeners);
    let output = mailroom_testkit::run_with_input(&mut command, b"");
    let stderr = crate::error(&output);
    let pid = server.child.id();
    assert!(
        stderr.contains(&format!("in use by process {pid}")),
        "{stderr}"
    );
}
