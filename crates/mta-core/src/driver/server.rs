//! The tokio server: accepts TCP connections, runs a [`ServerSession`] on each, and asks a
//! [`Handler`] at every policy point.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use mailroom_sasl::{BearerRequest, PlainCredentials, ScramCredentials};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use super::auth::Exchange;
use super::stream::{Stream, now, within};
use crate::address::{Domain, ForwardPath, ReversePath};
use crate::command::{MailParameters, RcptParameters};
use crate::proxy::{ProxyHeader, parse_proxy_header};
use crate::reply::Reply;
use crate::server::{Decision, Envelope, Event, ServerConfig, ServerSession, Step, TlsMode};

/// Who is on the other end of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer {
    /// The client's address.
    pub remote: SocketAddr,
    /// The address it connected to.
    pub local: SocketAddr,
}

/// The server's decisions, one async hook per policy point. Every hook but `connect`, `data`
/// and `message` has a default: accept, or refuse AUTH.
///
/// Each connection gets its own [`Handler::Connection`] value from `connect`, handed to every
/// later hook, for what the server learns along the way (the EHLO name, the user, the spool
/// file of the message being received).
pub trait Handler: Send + Sync + 'static {
    /// State kept per connection.
    type Connection: Send;

    /// A client connected: its state, or the reply that refuses it (554 in RFC 5321 §3.1).
    fn connect(&self, peer: Peer) -> impl Future<Output = Result<Self::Connection, Reply>> + Send;

    /// EHLO or HELO.
    fn ehlo(
        &self,
        conn: &mut Self::Connection,
        domain: &Domain,
        extended: bool,
    ) -> impl Future<Output = Decision> + Send {
        let _ = (conn, domain, extended);
        async { Decision::Accept }
    }

    /// The TLS handshake finished (after STARTTLS, or at once for implicit TLS).
    fn tls_established(&self, conn: &mut Self::Connection) {
        let _ = conn;
    }

    /// PLAIN or LOGIN: whether the password is right for the user (and the user may act as
    /// `authzid`, when given). Refuses everyone by default.
    fn check_password(
        &self,
        conn: &mut Self::Connection,
        credentials: &PlainCredentials,
    ) -> impl Future<Output = bool> + Send {
        let _ = (conn, credentials);
        async { false }
    }

    /// SCRAM-SHA-256: the user's stored keys, or `None` for an unknown user.
    fn scram_credentials(
        &self,
        conn: &mut Self::Connection,
        username: &str,
    ) -> impl Future<Output = Option<ScramCredentials>> + Send {
        let _ = (conn, username);
        async { None }
    }

    /// OAUTHBEARER (RFC 7628): the user a bearer token stands for, or `None` to refuse it.
    /// Refuses every token by default.
    fn check_bearer(
        &self,
        conn: &mut Self::Connection,
        request: &BearerRequest,
    ) -> impl Future<Output = Option<String>> + Send {
        let _ = (conn, request);
        async { None }
    }

    /// The credentials given for `username` were wrong (a password, or a SCRAM proof): for
    /// counting failed attempts.
    fn auth_failed(&self, conn: &mut Self::Connection, mechanism: &str, username: &str) {
        let _ = (conn, mechanism, username);
    }

    /// AUTH succeeded for `username`.
    fn authenticated(&self, conn: &mut Self::Connection, mechanism: &str, username: &str) {
        let _ = (conn, mechanism, username);
    }

    /// MAIL FROM.
    fn mail(
        &self,
        conn: &mut Self::Connection,
        from: &ReversePath,
        params: &MailParameters,
    ) -> impl Future<Output = Decision> + Send {
        let _ = (conn, from, params);
        async { Decision::Accept }
    }

    /// RCPT TO.
    fn rcpt(
        &self,
        conn: &mut Self::Connection,
        to: &ForwardPath,
        params: &RcptParameters,
    ) -> impl Future<Output = Decision> + Send {
        let _ = (conn, to, params);
        async { Decision::Accept }
    }

    /// The next piece of the message being received, unstuffed. An error makes the end of
    /// the message get 451 instead of a call to `message`.
    fn data(
        &self,
        conn: &mut Self::Connection,
        chunk: &[u8],
    ) -> impl Future<Output = io::Result<()>> + Send;

    /// Throw away the message data received so far (the message was refused or abandoned).
    fn discard(&self, conn: &mut Self::Connection) -> impl Future<Output = ()> + Send {
        let _ = conn;
        async {}
    }

    /// The message is complete: store it durably, then accept (RFC 5321 §6.1: the server
    /// takes responsibility with its 250).
    fn message(
        &self,
        conn: &mut Self::Connection,
        envelope: Envelope,
    ) -> impl Future<Output = Decision> + Send;
}

/// An SMTP server on one listener.
///
/// ```no_run
/// use std::io;
/// use mailroom_mta_core::driver::{Handler, Peer, Server};
/// use mailroom_mta_core::{Decision, Envelope, Reply, ServerConfig};
///
/// struct Sink;
/// impl Handler for Sink {
///     type Connection = Vec<u8>;
///     async fn connect(&self, _peer: Peer) -> Result<Vec<u8>, Reply> { Ok(Vec::new()) }
///     async fn data(&self, message: &mut Vec<u8>, chunk: &[u8]) -> io::Result<()> {
///         message.extend_from_slice(chunk);
///         Ok(())
///     }
///     async fn message(&self, message: &mut Vec<u8>, _envelope: Envelope) -> Decision {
///         println!("{} octets", message.len());
///         message.clear();
///         Decision::Accept
///     }
/// }
///
/// # async fn run() -> io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:2525").await?;
/// let server = Server::new(ServerConfig::new("mx.example.org"), Sink);
/// server.serve(listener, std::future::pending()).await
/// # }
/// ```
pub struct Server<H> {
    config: Arc<ServerConfig>,
    tls: Option<TlsAcceptor>,
    handler: Arc<H>,
    proxy_protocol: bool,
}

impl<H> std::fmt::Debug for Server<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("config", &self.config)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl<H: Handler> Server<H> {
    /// A server with these settings and this handler. Give it a TLS configuration with
    /// [`Server::with_tls`] when `config.tls` is not [`TlsMode::None`].
    pub fn new(config: ServerConfig, handler: H) -> Self {
        Self {
            config: Arc::new(config),
            tls: None,
            handler: Arc::new(handler),
            proxy_protocol: false,
        }
    }

    /// Reads a PROXY protocol header (v1 or v2) before anything else on each connection, so
    /// the handler sees the client's own address. Only for listeners behind a proxy: a
    /// connection without the header is closed.
    #[must_use]
    pub fn with_proxy_protocol(mut self, on: bool) -> Self {
        self.proxy_protocol = on;
        self
    }

    /// The certificate and key for STARTTLS or implicit TLS.
    #[must_use]
    pub fn with_tls(mut self, tls: Arc<rustls::ServerConfig>) -> Self {
        self.tls = Some(TlsAcceptor::from(tls));
        self
    }

    /// Accepts connections until `shutdown` completes, then tells each client waiting for a
    /// command that the service is closing (421 4.3.2), lets messages being received finish
    /// within their timeouts, and returns once every session is over.
    ///
    /// # Errors
    ///
    /// A TLS mode without [`Server::with_tls`], or an error from accepting connections.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> io::Result<()> {
        if self.config.tls != TlsMode::None && self.tls.is_none() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a TLS mode needs a TLS configuration (Server::with_tls)",
            ));
        }
        let (stop, stopping) = watch::channel(false);
        let mut sessions = JoinSet::new();
        let mut backoff = AcceptBackoff::default();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                () = backoff.wait() => {}
                accepted = listener.accept(), if !backoff.is_waiting() => {
                    let (tcp, remote) = match accepted {
                        Ok(accepted) => accepted,
                        // A connection that failed before it was accepted concerns only itself.
                        Err(error) if is_per_connection(&error) => continue,
                        // Out of file descriptors or memory: the listener stays; sessions that
                        // end give the resources back, so wait a little and accept again.
                        Err(error) => {
                            backoff.failed(&error);
                            continue;
                        }
                    };
                    backoff.accepted();
                    let Ok(local) = tcp.local_addr() else { continue };
                    let peer = Peer { remote, local };
                    let connection = Connection {
                        proxy_protocol: self.proxy_protocol,
                        config: Arc::clone(&self.config),
                        tls: self.tls.clone(),
                        handler: Arc::clone(&self.handler),
                        stopping: stopping.clone(),
                    };
                    sessions.spawn(async move {
                        if let Err(error) = connection.run(tcp, peer).await {
                            tracing::debug!(%remote, %error, "SMTP session ended with an error");
                        }
                    });
                }
                Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
            }
        }
        drop(listener);
        let _ = stop.send(true);
        while sessions.join_next().await.is_some() {}
        Ok(())
    }
}

/// Reads a PROXY header octet by octet (v1) or by its length (v2), so that nothing after it
/// (the TLS handshake, the first command) is taken from the connection.
async fn read_proxy_header(tcp: &mut TcpStream) -> io::Result<ProxyHeader> {
    let mut header = Vec::with_capacity(64);
    loop {
        match parse_proxy_header(&header)
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))?
        {
            Some((parsed, _)) => return Ok(parsed),
            None if header.len() >= 16 && header[0] == b'\r' => {
                let length = usize::from(u16::from_be_bytes([header[14], header[15]]));
                let mut rest = vec![0; 16 + length - header.len()];
                tcp.read_exact(&mut rest).await?;
                header.extend_from_slice(&rest);
            }
            None => {
                let mut octet = [0_u8; 1];
                tcp.read_exact(&mut octet).await?;
                header.push(octet[0]);
            }
        }
    }
}

/// The read buffer of a session waiting for commands, and of one taking message data.
const SMALL_READ: usize = 4 * 1024;
const LARGE_READ: usize = 64 * 1024;

/// The pause after accepting failed for a reason that is not the connection's own (EMFILE,
/// ENFILE, ENOBUFS, ENOMEM): from 10 ms, doubling up to one second while it lasts.
#[derive(Debug, Default)]
struct AcceptBackoff {
    pause: Option<std::time::Duration>,
    until: Option<tokio::time::Instant>,
}

impl AcceptBackoff {
    const FIRST: std::time::Duration = std::time::Duration::from_millis(10);
    const LONGEST: std::time::Duration = std::time::Duration::from_secs(1);

    fn is_waiting(&self) -> bool {
        self.until.is_some()
    }

    /// Completes when the pause is over (never when there is none).
    async fn wait(&mut self) {
        match self.until {
            Some(until) => {
                tokio::time::sleep_until(until).await;
                self.until = None;
            }
            None => std::future::pending().await,
        }
    }

    fn failed(&mut self, error: &io::Error) {
        let pause = self
            .pause
            .map_or(Self::FIRST, |pause| (pause * 2).min(Self::LONGEST));
        tracing::warn!(%error, pause_ms = pause.as_millis(), "cannot accept connections; pausing");
        self.pause = Some(pause);
        self.until = Some(tokio::time::Instant::now() + pause);
    }

    fn accepted(&mut self) {
        self.pause = None;
    }
}

fn is_per_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
    )
}

/// One connection's share of the server.
struct Connection<H> {
    proxy_protocol: bool,
    config: Arc<ServerConfig>,
    tls: Option<TlsAcceptor>,
    handler: Arc<H>,
    stopping: watch::Receiver<bool>,
}

impl<H: Handler> Connection<H> {
    async fn run(mut self, mut tcp: TcpStream, mut peer: Peer) -> io::Result<()> {
        let _ = tcp.set_nodelay(true);
        let handler = Arc::clone(&self.handler);
        // TLS handshakes and writes get the command timeout too (RFC 5321 §4.5.3.2).
        let limit = self.config.command_timeout;
        if self.proxy_protocol
            && let ProxyHeader::Proxied {
                source,
                destination,
            } = within(limit, read_proxy_header(&mut tcp)).await?
        {
            peer = Peer {
                remote: source,
                local: destination,
            };
        }
        let mut session = ServerSession::new(Arc::clone(&self.config), now());
        let mut stream = match (&self.tls, self.config.tls) {
            (Some(acceptor), TlsMode::Implicit) => {
                Stream::Server(Box::new(within(limit, acceptor.accept(tcp)).await?))
            }
            _ => Stream::Plain(tcp),
        };
        let connected = handler.connect(peer).await;
        let mut conn = match connected {
            Ok(conn) => conn,
            Err(reply) => {
                // The session's first step is the connect event; refuse it and say why.
                if let Step::Event(Event::Connect) = session.next(now()) {
                    let _ = session.decide(Decision::Reply(reply));
                }
                while let Step::Write(bytes) = session.next(now()) {
                    within(limit, stream.write_all(&bytes)).await?;
                }
                return stream.shutdown().await;
            }
        };
        if matches!(stream, Stream::Server(_)) {
            handler.tls_established(&mut conn);
        }
        let mut exchange = Exchange::Idle;
        let mut store_failed = false;
        // Commands are short: an idle session holds a small buffer, and a large one only
        // while a message streams in.
        let mut buffer = vec![0; SMALL_READ];
        loop {
            match session.next(now()) {
                Step::Write(bytes) => within(limit, stream.write_all(&bytes)).await?,
                Step::NeedInput => {
                    let deadline = tokio::time::Instant::from_std(session.deadline());
                    tokio::select! {
                        read = tokio::time::timeout_at(deadline, stream.read(&mut buffer)) => match read {
                            Ok(Ok(0)) => break,
                            Ok(Ok(n)) => {
                                session.feed(&buffer[..n]);
                                if n == buffer.len() && n < LARGE_READ {
                                    buffer = vec![0; LARGE_READ];
                                }
                            }
                            Ok(Err(error)) => return Err(error),
                            // The session sees the deadline has passed and says 421.
                            Err(_) => {}
                        },
                        Ok(()) = self.stopping.changed() => session.shutdown(),
                    }
                }
                Step::Event(event) => {
                    let message_ended = matches!(event, Event::Message(_));
                    let decision = match event {
                        Event::Connect => Decision::Accept,
                        Event::Ehlo { domain, extended } => {
                            handler.ehlo(&mut conn, &domain, extended).await
                        }
                        Event::Auth {
                            mechanism,
                            initial_response,
                        } => {
                            exchange
                                .start(&*handler, &mut conn, &mechanism, initial_response)
                                .await
                        }
                        Event::AuthResponse(response) => {
                            exchange.respond(&*handler, &mut conn, response).await
                        }
                        Event::Mail { from, params } => {
                            handler.mail(&mut conn, &from, &params).await
                        }
                        Event::Rcpt { to, params } => handler.rcpt(&mut conn, &to, &params).await,
                        Event::Message(envelope) if std::mem::take(&mut store_failed) => {
                            let _ = envelope;
                            handler.discard(&mut conn).await;
                            Decision::Reply(Reply::coded(
                                451,
                                (4, 3, 0),
                                "the message could not be stored; try again later",
                            ))
                        }
                        Event::Message(envelope) => handler.message(&mut conn, envelope).await,
                    };
                    if message_ended && buffer.len() > SMALL_READ {
                        buffer = vec![0; SMALL_READ];
                    }
                    session.decide(decision).map_err(io::Error::other)?;
                }
                Step::MessageData(chunk) => {
                    if !store_failed && handler.data(&mut conn, &chunk).await.is_err() {
                        store_failed = true;
                    }
                }
                Step::DiscardMessage => {
                    store_failed = false;
                    handler.discard(&mut conn).await;
                }
                Step::StartTls => {
                    let Some(acceptor) = &self.tls else {
                        return Err(io::Error::other("STARTTLS without a TLS configuration"));
                    };
                    let tcp = stream.take_plain()?;
                    stream = Stream::Server(Box::new(within(limit, acceptor.accept(tcp)).await?));
                    session.tls_established().map_err(io::Error::other)?;
                    handler.tls_established(&mut conn);
                }
                Step::Close => break,
                step => {
                    return Err(io::Error::other(format!("the session stalled at {step:?}")));
                }
            }
        }
        if session.transaction().is_some() {
            handler.discard(&mut conn).await;
        }
        stream.shutdown().await
    }
}
