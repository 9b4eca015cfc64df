//! The tokio client: one connection to one server, running a [`ClientSession`].

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use mailroom_sasl::{PlainCredentials, ScramClient};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::stream::{Stream, now, within};
use crate::client::{ClientConfig, ClientSession, ClientStep, Delivery, MessageInfo, StartTls};
use crate::data::DotStuffer;
use crate::reply::Reply;
use crate::server::Envelope;

/// What the client needs for TLS: the rustls configuration (trust roots) and the name the
/// server's certificate must carry.
#[derive(Debug, Clone)]
pub struct ClientTls {
    /// The rustls client configuration.
    pub config: Arc<rustls::ClientConfig>,
    /// The server's name, checked against its certificate.
    pub server_name: ServerName<'static>,
}

/// An SMTP connection for sending mail.
///
/// ```no_run
/// use mailroom_mta_core::driver::Client;
/// use mailroom_mta_core::{ClientConfig, Envelope, ForwardPath, Mailbox, Recipient, ReversePath};
///
/// # async fn run() -> std::io::Result<()> {
/// let mut client = Client::connect("127.0.0.1:2525".parse().unwrap(), ClientConfig::new("me.example"), None).await?;
/// let to = Mailbox::parse("b@example.org", false).unwrap();
/// let envelope = Envelope {
///     from: ReversePath::Null,
///     params: Default::default(),
///     recipients: vec![Recipient { to: ForwardPath::Mailbox(to), params: Default::default() }],
///     size: 0,
/// };
/// let delivery = client.send(envelope, b"Subject: hi\r\n\r\nhello\r\n".to_vec()).await?;
/// println!("{} accepted", delivery.accepted().count());
/// client.quit().await
/// # }
/// ```
#[derive(Debug)]
pub struct Client {
    session: ClientSession,
    stream: Stream,
    tls: Option<ClientTls>,
    buffer: Vec<u8>,
    failure: Option<Reply>,
    /// How long a write or a TLS handshake may take.
    limit: std::time::Duration,
}

impl Client {
    /// Connects, reads the greeting, says EHLO (or HELO) and runs STARTTLS as `config` asks.
    /// Without `tls`, STARTTLS is not tried. A server that refuses the session does not make
    /// this fail: [`Client::failure`] says why, and each send reports it per recipient.
    ///
    /// # Errors
    ///
    /// Connecting, TLS, or the connection closing early; STARTTLS required without `tls`.
    pub async fn connect(
        addr: SocketAddr,
        mut config: ClientConfig,
        tls: Option<ClientTls>,
    ) -> io::Result<Self> {
        if tls.is_none() {
            if config.starttls == StartTls::Required || config.implicit_tls {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "TLS is required but no TLS configuration was given",
                ));
            }
            config.starttls = StartTls::Never;
        }
        let connect = TcpStream::connect(addr);
        let tcp = tokio::time::timeout(config.command_timeout, connect)
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connecting timed out"))??;
        let _ = tcp.set_nodelay(true);
        let stream = match &tls {
            Some(tls) if config.implicit_tls => Stream::Client(Box::new(
                within(
                    config.command_timeout,
                    TlsConnector::from(Arc::clone(&tls.config))
                        .connect(tls.server_name.clone(), tcp),
                )
                .await?,
            )),
            _ => Stream::Plain(tcp),
        };
        let mut client = Self {
            limit: config.command_timeout,
            session: ClientSession::new(config, now()),
            stream,
            tls,
            buffer: vec![0; 16 * 1024],
            failure: None,
        };
        match client.drive().await? {
            ClientStep::Ready | ClientStep::Failed(_) => Ok(client),
            step => Err(client.unexpected(step)),
        }
    }

    /// Why the server refused or ended the session, if it did.
    pub fn failure(&self) -> Option<&Reply> {
        self.failure.as_ref()
    }

    /// The session: the server's extensions, whether TLS is up.
    pub fn session(&self) -> &ClientSession {
        &self.session
    }

    /// AUTH PLAIN (RFC 4616): the server's final reply, 235 on success.
    ///
    /// # Errors
    ///
    /// The connection failing, or the session not being ready.
    pub async fn authenticate_plain(
        &mut self,
        username: &str,
        password: &str,
    ) -> io::Result<Reply> {
        let credentials = PlainCredentials {
            authzid: None,
            authcid: username.to_owned(),
            password: password.to_owned(),
        };
        self.session
            .authenticate("PLAIN", Some(&credentials.encode()))
            .map_err(io::Error::other)?;
        loop {
            match self.drive().await? {
                ClientStep::AuthResult(reply) => return Ok(reply),
                // PLAIN has no challenges.
                ClientStep::AuthChallenge(_) => {
                    self.session.auth_cancel().map_err(io::Error::other)?;
                }
                step => return Err(self.unexpected(step)),
            }
        }
    }

    /// AUTH SCRAM-SHA-256 (RFC 7677): the server's final reply, 235 on success. The server's
    /// signature is checked, so a server that does not know the password cannot pass.
    ///
    /// # Errors
    ///
    /// The connection failing, the session not being ready, or a server whose signature is
    /// wrong.
    pub async fn authenticate_scram(
        &mut self,
        username: &str,
        password: &str,
    ) -> io::Result<Reply> {
        let mut nonce = [0_u8; 18];
        getrandom::fill(&mut nonce).map_err(io::Error::other)?;
        let mut scram = ScramClient::new(username, password, None, &BASE64.encode(nonce))
            .map_err(io::Error::other)?;
        self.session
            .authenticate("SCRAM-SHA-256", Some(scram.client_first().as_bytes()))
            .map_err(io::Error::other)?;
        let mut sent_final = false;
        let mut verified = false;
        loop {
            match self.drive().await? {
                ClientStep::AuthResult(reply) if reply.is_positive() && !verified => {
                    return Err(io::Error::other(
                        "the server did not prove it knows the password",
                    ));
                }
                ClientStep::AuthResult(reply) => return Ok(reply),
                ClientStep::AuthChallenge(challenge) if !verified => {
                    // The server-first message comes first, then the server-final one.
                    let answer = if sent_final {
                        scram.server_final(&challenge).map_err(io::Error::other)?;
                        verified = true;
                        Vec::new()
                    } else {
                        sent_final = true;
                        scram
                            .server_first(&challenge)
                            .map_err(io::Error::other)?
                            .into_bytes()
                    };
                    self.session
                        .auth_respond(&answer)
                        .map_err(io::Error::other)?;
                }
                ClientStep::AuthChallenge(_) => {
                    self.session.auth_cancel().map_err(io::Error::other)?;
                }
                step => return Err(self.unexpected(step)),
            }
        }
    }

    /// Sends one message; see [`ClientSession::send`].
    ///
    /// # Errors
    ///
    /// The connection failing or closing mid-way (the message may or may not have been
    /// taken: treat it as a temporary failure), or an envelope without recipients.
    pub async fn send(&mut self, envelope: Envelope, message: Vec<u8>) -> io::Result<Delivery> {
        let info = MessageInfo::of(&message);
        self.send_from(envelope, info, message.as_slice()).await
    }

    /// Sends one message read from `message` in pieces, so a large message is never held
    /// whole; `info` is its size and whether it has 8-bit octets. See
    /// [`ClientSession::send_in_pieces`].
    ///
    /// # Errors
    ///
    /// As [`Client::send`], and reading `message` failing (the connection is then unusable:
    /// the server has part of a message).
    pub async fn send_from(
        &mut self,
        envelope: Envelope,
        info: MessageInfo,
        mut message: impl AsyncRead + Unpin,
    ) -> io::Result<Delivery> {
        if let Some(failure) = &self.failure {
            return Ok(every_recipient(envelope, failure));
        }
        let recipients = envelope.clone();
        self.session
            .send_in_pieces(envelope, info)
            .map_err(io::Error::other)?;
        loop {
            match self.drive().await? {
                ClientStep::SendData => {
                    self.write_message(&mut message).await?;
                    self.session.data_sent(now()).map_err(io::Error::other)?;
                }
                ClientStep::Sent(delivery) => return Ok(delivery),
                ClientStep::Failed(reply) => {
                    let delivery = every_recipient(recipients, &reply);
                    self.failure = Some(reply);
                    return Ok(delivery);
                }
                step => return Err(self.unexpected(step)),
            }
        }
    }

    /// Writes a message read in pieces, dot-stuffed, with its end.
    async fn write_message(&mut self, message: &mut (impl AsyncRead + Unpin)) -> io::Result<()> {
        let mut stuffer = DotStuffer::new();
        let mut piece = vec![0; 64 * 1024];
        let mut out = Vec::with_capacity(66 * 1024);
        loop {
            let n = message.read(&mut piece).await?;
            if n == 0 {
                break;
            }
            stuffer.push(&piece[..n], &mut out);
            within(self.limit, self.stream.write_all(&out)).await?;
            out.clear();
        }
        stuffer.finish(&mut out);
        within(self.limit, self.stream.write_all(&out)).await
    }

    /// Says QUIT and closes the connection.
    ///
    /// # Errors
    ///
    /// The connection failing.
    pub async fn quit(mut self) -> io::Result<()> {
        if self.failure.is_none() {
            self.session.quit();
            while !matches!(self.drive().await?, ClientStep::Close) {}
        }
        self.stream.shutdown().await
    }

    /// Runs the session until it has something for the caller.
    async fn drive(&mut self) -> io::Result<ClientStep> {
        loop {
            match self.session.next(now()) {
                ClientStep::Write(bytes) => {
                    within(self.limit, self.stream.write_all(&bytes)).await?;
                }
                ClientStep::NeedInput => {
                    let deadline = tokio::time::Instant::from_std(self.session.deadline());
                    match tokio::time::timeout_at(deadline, self.stream.read(&mut self.buffer))
                        .await
                    {
                        Ok(Ok(0)) => {
                            return Err(io::Error::new(
                                io::ErrorKind::UnexpectedEof,
                                "the server closed the connection",
                            ));
                        }
                        Ok(Ok(n)) => self.session.feed(&self.buffer[..n]),
                        Ok(Err(error)) => return Err(error),
                        // The session sees the deadline has passed and fails.
                        Err(_) => {}
                    }
                }
                ClientStep::StartTls => {
                    let Some(tls) = &self.tls else {
                        return Err(io::Error::other("STARTTLS without a TLS configuration"));
                    };
                    let tcp = self.stream.take_plain()?;
                    let connector = TlsConnector::from(Arc::clone(&tls.config));
                    let handshake = connector.connect(tls.server_name.clone(), tcp);
                    let tls_stream = within(self.limit, handshake).await?;
                    self.stream = Stream::Client(Box::new(tls_stream));
                    self.session.tls_established().map_err(io::Error::other)?;
                }
                ClientStep::Failed(reply) => {
                    self.failure = Some(reply.clone());
                    // The session says QUIT; send it and go on to Close.
                    if let ClientStep::Write(bytes) = self.session.next(now()) {
                        let _ = self.stream.write_all(&bytes).await;
                    }
                    return Ok(ClientStep::Failed(reply));
                }
                step => return Ok(step),
            }
        }
    }

    fn unexpected(&self, step: ClientStep) -> io::Error {
        match (&self.failure, step) {
            (Some(failure), _) => io::Error::other(format!(
                "the server ended the session: {}",
                failure.to_string().trim_end()
            )),
            (None, step) => io::Error::other(format!("unexpected SMTP client step {step:?}")),
        }
    }
}

fn every_recipient(envelope: Envelope, reply: &Reply) -> Delivery {
    Delivery {
        recipients: envelope
            .recipients
            .into_iter()
            .map(|recipient| (recipient.to, reply.clone()))
            .collect(),
    }
}
