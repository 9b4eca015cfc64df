//! The tokio driver over 127.0.0.1: our client against our server, Python's smtplib and swaks
//! against our server, and our client against Python's aiosmtpd.
//!
//! `.ci/run` installs the peers and sets `MAILROOM_REQUIRE_PEERS=1`, which makes a missing
//! peer a failure; elsewhere its tests are skipped with a note.

// The tests are the driver's users here: they read files, run processes and start clocks.
#![allow(clippy::disallowed_methods, clippy::print_stderr)]

use std::io::{self, BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use mailroom_mta_core::driver::{Client, ClientTls, Handler, Peer, Server};
use mailroom_mta_core::{
    ClientConfig, Decision, Envelope, ForwardPath, Mailbox, Recipient, Reply, ReversePath,
    ServerConfig, StartTls, TlsMode,
};
use mailroom_sasl::{BearerRequest, PlainCredentials, ScramCredentials};
use mailroom_testkit::peer_available;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A self-signed certificate for `localhost`, as rustls configurations and PEM text.
struct Tls {
    server: Arc<rustls::ServerConfig>,
    client: ClientTls,
    cert_pem: String,
    key_pem: String,
}

fn tls() -> Tls {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = CertificateDer::from(certified.cert.der().to_vec());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)
        .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert).unwrap();
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Tls {
        server: Arc::new(server),
        client: ClientTls {
            config: Arc::new(client),
            server_name: ServerName::try_from("localhost").unwrap(),
        },
        cert_pem: certified.cert.pem(),
        key_pem: certified.signing_key.serialize_pem(),
    }
}

/// A message as the handler received it.
#[derive(Debug, Clone)]
struct Received {
    remote: SocketAddr,
    envelope: Envelope,
    data: Vec<u8>,
    user: Option<String>,
    tls: bool,
}

struct TestHandler {
    received: Arc<Mutex<Vec<Received>>>,
    scram: ScramCredentials,
}

struct Conn {
    remote: SocketAddr,
    data: Vec<u8>,
    user: Option<String>,
    tls: bool,
}

impl Handler for TestHandler {
    type Connection = Conn;

    async fn connect(&self, peer: Peer) -> Result<Conn, Reply> {
        Ok(Conn {
            remote: peer.remote,
            data: Vec::new(),
            user: None,
            tls: false,
        })
    }

    fn tls_established(&self, conn: &mut Conn) {
        conn.tls = true;
    }

    async fn check_password(&self, _conn: &mut Conn, credentials: &PlainCredentials) -> bool {
        credentials.authcid == "tim" && credentials.password == "tanstaaf"
    }

    async fn scram_credentials(
        &self,
        _conn: &mut Conn,
        username: &str,
    ) -> Option<ScramCredentials> {
        (username == "tim").then(|| self.scram.clone())
    }

    async fn check_bearer(&self, _conn: &mut Conn, request: &BearerRequest) -> Option<String> {
        (request.token == "good-token").then(|| "tim".to_owned())
    }

    fn authenticated(&self, conn: &mut Conn, _mechanism: &str, username: &str) {
        conn.user = Some(username.to_owned());
    }

    async fn rcpt(
        &self,
        _conn: &mut Conn,
        to: &ForwardPath,
        _params: &mailroom_mta_core::RcptParameters,
    ) -> Decision {
        if to.to_string().contains("nobody") {
            Decision::Reply(Reply::coded(550, (5, 1, 1), "no such user"))
        } else {
            Decision::Accept
        }
    }

    async fn data(&self, conn: &mut Conn, chunk: &[u8]) -> io::Result<()> {
        conn.data.extend_from_slice(chunk);
        Ok(())
    }

    async fn discard(&self, conn: &mut Conn) {
        conn.data.clear();
    }

    async fn message(&self, conn: &mut Conn, envelope: Envelope) -> Decision {
        self.received.lock().unwrap().push(Received {
            remote: conn.remote,
            envelope,
            data: std::mem::take(&mut conn.data),
            user: conn.user.clone(),
            tls: conn.tls,
        });
        Decision::Accept
    }
}

/// A server running on 127.0.0.1 until `stop`.
struct Running {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<io::Result<()>>,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Running {
    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
    }
}

async fn start(tls_mode: TlsMode, tls: Option<&Tls>) -> Running {
    let config = ServerConfig {
        tls: tls_mode,
        auth_mechanisms: ["PLAIN", "LOGIN", "SCRAM-SHA-256"]
            .map(str::to_owned)
            .to_vec(),
        ..ServerConfig::new("mx.example.org")
    };
    start_with(config, tls).await
}

async fn start_with(config: ServerConfig, tls: Option<&Tls>) -> Running {
    start_server(config, tls, false).await
}

async fn start_server(config: ServerConfig, tls: Option<&Tls>, proxy: bool) -> Running {
    let received = Arc::new(Mutex::new(Vec::new()));
    let handler = TestHandler {
        received: Arc::clone(&received),
        scram: ScramCredentials::derive("tanstaaf", b"salt of tim", 4096).unwrap(),
    };
    let mut server = Server::new(config, handler).with_proxy_protocol(proxy);
    if let Some(tls) = tls {
        server = server.with_tls(Arc::clone(&tls.server));
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(server.serve(listener, async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        stop,
        task,
        received,
    }
}

fn envelope(from: &str, to: &[&str]) -> Envelope {
    Envelope {
        from: ReversePath::Mailbox(Mailbox::parse(from, false).unwrap()),
        params: Default::default(),
        recipients: to
            .iter()
            .map(|to| Recipient {
                to: ForwardPath::Mailbox(Mailbox::parse(to, false).unwrap()),
                params: Default::default(),
            })
            .collect(),
        size: 0,
    }
}

const MESSAGE: &[u8] = b"From: tim@example.org\r\nSubject: hi\r\n\r\n.starts with a dot\r\n";

#[tokio::test]
async fn our_client_and_server_over_starttls_with_scram() {
    let tls = tls();
    let server = start(TlsMode::StartTls, Some(&tls)).await;
    let config = ClientConfig {
        starttls: StartTls::Required,
        ..ClientConfig::new("client.example")
    };
    let mut client = Client::connect(server.addr, config, Some(tls.client.clone()))
        .await
        .unwrap();
    assert!(client.session().is_tls());
    let refused = client.authenticate_scram("tim", "wrong").await.unwrap();
    assert_eq!(refused.code, 535);
    let reply = client.authenticate_scram("tim", "tanstaaf").await.unwrap();
    assert_eq!(reply.code, 235);
    let delivery = client
        .send(
            envelope("tim@example.org", &["b@example.org", "nobody@example.org"]),
            MESSAGE.to_vec(),
        )
        .await
        .unwrap();
    assert_eq!(delivery.accepted().count(), 1);
    assert_eq!(delivery.permanent().count(), 1);
    client.quit().await.unwrap();

    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].data, MESSAGE);
    assert_eq!(received[0].user.as_deref(), Some("tim"));
    assert!(received[0].tls);
    server.stop().await;
}

#[tokio::test]
async fn implicit_tls_with_auth_plain() {
    let tls = tls();
    let server = start(TlsMode::Implicit, Some(&tls)).await;
    let config = ClientConfig {
        implicit_tls: true,
        ..ClientConfig::new("client.example")
    };
    let mut client = Client::connect(server.addr, config, Some(tls.client.clone()))
        .await
        .unwrap();
    assert_eq!(
        client
            .authenticate_plain("tim", "tanstaaf")
            .await
            .unwrap()
            .code,
        235
    );
    let delivery = client
        .send(
            envelope("tim@example.org", &["b@example.org"]),
            MESSAGE.to_vec(),
        )
        .await
        .unwrap();
    assert_eq!(delivery.accepted().count(), 1);
    client.quit().await.unwrap();
    assert_eq!(server.received()[0].user.as_deref(), Some("tim"));
    server.stop().await;
}

#[tokio::test]
async fn shutdown_tells_idle_clients_421_and_waits_for_them() {
    let server = start(TlsMode::None, None).await;
    let mut client = Client::connect(server.addr, ClientConfig::new("client.example"), None)
        .await
        .unwrap();
    let _ = server.stop.send(());
    let delivery = client
        .send(
            envelope("a@example.org", &["b@example.org"]),
            MESSAGE.to_vec(),
        )
        .await
        .unwrap();
    let (_, reply) = &delivery.recipients[0];
    assert_eq!(
        (reply.code, reply.text()),
        (421, "mx.example.org is shutting down".to_owned())
    );
    server.task.await.unwrap().unwrap();
}

#[tokio::test]
async fn silent_clients_are_timed_out_even_before_the_tls_handshake() {
    use tokio::io::AsyncReadExt;
    let tls = tls();
    for mode in [TlsMode::None, TlsMode::Implicit] {
        let config = ServerConfig {
            tls: mode,
            command_timeout: std::time::Duration::from_millis(200),
            ..ServerConfig::new("mx.example.org")
        };
        let server = start_with(config, Some(&tls)).await;
        let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
        let mut seen = Vec::new();
        let read = tcp.read_to_end(&mut seen);
        tokio::time::timeout(std::time::Duration::from_secs(5), read)
            .await
            .expect("the server closes a silent connection")
            .unwrap();
        let text = String::from_utf8_lossy(&seen);
        if mode == TlsMode::None {
            assert!(
                text.starts_with("220 ")
                    && text
                        .ends_with("421 4.4.2 mx.example.org timeout, closing the connection\r\n"),
                "{text}"
            );
        } else {
            assert!(text.is_empty(), "{text}");
        }
        server.stop().await;
    }
}

#[tokio::test]
async fn oauthbearer_tokens_go_to_the_handler() {
    use base64::Engine as _;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let config = ServerConfig {
        auth_mechanisms: vec!["OAUTHBEARER".to_owned()],
        auth_without_tls: true,
        ..ServerConfig::new("mx.example.org")
    };
    let server = start_with(config, None).await;
    let tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let (read, mut write) = tcp.into_split();
    let mut lines = tokio::io::BufReader::new(read).lines();
    let mut reply = async || loop {
        let line = lines.next_line().await.unwrap().unwrap();
        if line.as_bytes().get(3) != Some(&b'-') {
            return line;
        }
    };
    assert!(reply().await.starts_with("220"));
    let bearer = |token: &str| {
        let message = format!("n,a=tim@example.org,\x01auth=Bearer {token}\x01\x01");
        base64::engine::general_purpose::STANDARD.encode(message)
    };
    let command = format!("EHLO c\r\nAUTH OAUTHBEARER {}\r\n", bearer("bad-token"));
    write.write_all(command.as_bytes()).await.unwrap();
    assert!(reply().await.ends_with("AUTH OAUTHBEARER"));
    let challenge = reply().await;
    assert_eq!(
        challenge,
        format!(
            "334 {}",
            base64::engine::general_purpose::STANDARD.encode("{\"status\":\"invalid_token\"}")
        )
    );
    write.write_all(b"AQ==\r\n").await.unwrap();
    assert_eq!(
        reply().await,
        "535 5.7.8 authentication credentials invalid"
    );
    let command = format!("AUTH OAUTHBEARER {}\r\n", bearer("good-token"));
    write.write_all(command.as_bytes()).await.unwrap();
    assert_eq!(reply().await, "235 2.7.0 authentication succeeded");
    write.write_all(b"QUIT\r\n").await.unwrap();
    assert!(reply().await.starts_with("221"));
    server.stop().await;
}

#[tokio::test]
async fn behind_a_proxy_the_handler_sees_the_client_address() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = start_server(ServerConfig::new("mx.example.org"), None, true).await;
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    tcp.write_all(b"PROXY TCP4 192.0.2.9 198.51.100.1 40000 25\r\n")
        .await
        .unwrap();
    tcp.write_all(b"EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n")
        .await
        .unwrap();
    let mut seen = vec![0; 4096];
    let mut text = String::new();
    while !text.contains("354") {
        let n = tcp.read(&mut seen).await.unwrap();
        assert!(n > 0, "{text}");
        text.push_str(&String::from_utf8_lossy(&seen[..n]));
    }
    tcp.write_all(b"Subject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n")
        .await
        .unwrap();
    let mut rest = Vec::new();
    tcp.read_to_end(&mut rest).await.unwrap();
    assert!(String::from_utf8_lossy(&rest).contains("250 2.0.0"));
    assert_eq!(server.received()[0].remote.to_string(), "192.0.2.9:40000");

    // Without the header, the connection is closed before any greeting.
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    tcp.write_all(b"EHLO c\r\n").await.unwrap();
    let mut nothing = Vec::new();
    let _ = tcp.read_to_end(&mut nothing).await;
    assert!(nothing.is_empty(), "{nothing:?}");
    server.stop().await;
}

fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

/// Runs a peer program to completion off the runtime's threads; panics with its output
/// unless it succeeds.
async fn run_peer(program: &'static str, args: Vec<String>) {
    let output = tokio::task::spawn_blocking(move || Command::new(program).args(&args).output())
        .await
        .unwrap()
        .unwrap();
    assert!(
        output.status.success(),
        "{program} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_smtplib_against_our_server() {
    if !peer_available("python3", &["-c", "import smtplib, ssl"], "Python 3") {
        return;
    }
    let tls = tls();
    let server = start(TlsMode::StartTls, Some(&tls)).await;
    let script = peers_dir().join("smtplib_client.py");
    for case in [
        "plain",
        "starttls-plain",
        "starttls-login",
        "pipelined",
        "smuggling",
    ] {
        let args = vec![
            script.display().to_string(),
            server.addr.port().to_string(),
            case.to_owned(),
        ];
        run_peer("python3", args).await;
    }
    let received = server.received();
    let subjects: Vec<String> = received
        .iter()
        .map(|r| {
            let text = String::from_utf8_lossy(&r.data).into_owned();
            text.lines()
                .find_map(|l| l.strip_prefix("Subject: ").map(str::to_owned))
                .unwrap()
        })
        .collect();
    // The smuggled message never arrives: the smuggling attempt gives no message at all.
    assert_eq!(subjects, ["plain", "auth PLAIN", "auth LOGIN", "pipelined"]);
    assert!(received[0].data.ends_with(b"\r\n.a dot line\r\nbody\r\n"));
    assert_eq!(received[1].user.as_deref(), Some("tim"));
    assert!(received[1].tls && !received[0].tls);
    assert_eq!(received[3].envelope.recipients.len(), 2);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swaks_against_our_server() {
    if !peer_available(
        "swaks",
        &["--version"],
        "apt-get install swaks libnet-ssleay-perl",
    ) {
        return;
    }
    let tls = tls();
    let server = start(TlsMode::StartTls, Some(&tls)).await;
    let port = server.addr.port().to_string();
    let base = [
        "--server",
        "127.0.0.1",
        "--port",
        &port,
        "--from",
        "a@example.org",
        "--to",
        "b@example.org",
        "--helo",
        "client.example",
        "--silent",
        "2",
    ]
    .map(str::to_owned)
    .to_vec();
    let mut pipelined = base.clone();
    pipelined.extend([
        "--pipeline".to_owned(),
        "--header".to_owned(),
        "Subject: swaks pipelined".to_owned(),
    ]);
    run_peer("swaks", pipelined).await;
    let mut authenticated = base.clone();
    authenticated.extend(
        [
            "--tls",
            "--auth",
            "LOGIN",
            "--auth-user",
            "tim",
            "--auth-password",
            "tanstaaf",
        ]
        .map(str::to_owned),
    );
    run_peer("swaks", authenticated).await;
    let mut pipelined_tls = base;
    pipelined_tls.extend(
        [
            "--tls",
            "--auth",
            "PLAIN",
            "--auth-user",
            "tim",
            "--auth-password",
            "tanstaaf",
            "--pipeline",
        ]
        .map(str::to_owned),
    );
    run_peer("swaks", pipelined_tls).await;
    let received = server.received();
    assert_eq!(received.len(), 3);
    assert!(!received[0].tls && received[1].tls && received[2].tls);
    assert_eq!(received[1].user.as_deref(), Some("tim"));
    assert!(String::from_utf8_lossy(&received[0].data).contains("Subject: swaks pipelined"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_against_python_aiosmtpd() {
    if !peer_available(
        "python3",
        &["-c", "import aiosmtpd"],
        "pip install aiosmtpd",
    ) {
        return;
    }
    let tls = tls();
    let dir = mailroom_testkit::TempDir::new("aiosmtpd");
    let cert = dir.file("cert.pem", &tls.cert_pem);
    let key = dir.file("key.pem", &tls.key_pem);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut peer = Command::new("python3")
        .arg(peers_dir().join("aiosmtpd_server.py"))
        .args([
            port.to_string(),
            cert.display().to_string(),
            key.display().to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut output = BufReader::new(peer.stdout.take().unwrap());
    let mut line = String::new();
    output.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready");

    let config = ClientConfig {
        starttls: StartTls::Required,
        ..ClientConfig::new("client.example")
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut client = Client::connect(addr, config, Some(tls.client.clone()))
        .await
        .unwrap();
    assert!(client.session().is_tls());
    let delivery = client
        .send(
            envelope(
                "a@example.org",
                &[
                    "b@example.org",
                    "nobody@example.org",
                    "full@example.org",
                    "c@example.org",
                ],
            ),
            MESSAGE.to_vec(),
        )
        .await
        .unwrap();
    let codes: Vec<u16> = delivery.recipients.iter().map(|(_, r)| r.code).collect();
    assert_eq!(codes, [250, 550, 452, 250]);
    assert_eq!(delivery.transient().count(), 1);
    client.quit().await.unwrap();

    // Closing its input stops the peer, which then prints what it received.
    drop(peer.stdin.take());
    let mut rest = String::new();
    output.read_to_string(&mut rest).unwrap();
    let _ = peer.wait();
    let expected = format!(
        "MESSAGE a@example.org b@example.org,c@example.org {} tls\n{}END\n",
        MESSAGE.len(),
        String::from_utf8_lossy(MESSAGE)
    );
    assert_eq!(rest.replace("\r\n", "\n"), expected.replace("\r\n", "\n"));
}
