//! The server side of an SMTP session as a sans-IO state machine: bytes from the client go in,
//! bytes for the client, message data and policy events come out.

mod config;
mod event;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::address::Domain;
use crate::capabilities::Capabilities;
use crate::command::{Body, Command, MAX_AUTH_LINE};
use crate::data::DataReader;
use crate::error::Error;
use crate::line::LineReader;
use crate::reply::{EnhancedCode, Reply};

pub use config::{ServerConfig, TlsMode};
pub use event::{Decision, Envelope, Event, Recipient, Step};

/// One SMTP server session (RFC 5321), from the greeting to QUIT.
///
/// # Call order
///
/// 1. [`ServerSession::new`], then call [`next`](Self::next) in a loop and do what each
///    [`Step`] says:
///    - [`Step::Write`]: send the bytes.
///    - [`Step::NeedInput`]: read; pass what arrives to [`feed`](Self::feed). Wait no later
///      than [`deadline`](Self::deadline); if it passes, call `next` anyway.
///    - [`Step::Event`]: look things up, store the message, then call
///      [`decide`](Self::decide) once.
///    - [`Step::MessageData`] / [`Step::DiscardMessage`]: append to, or throw away, the
///      message being received.
///    - [`Step::StartTls`]: run the TLS handshake, then call
///      [`tls_established`](Self::tls_established) (or drop the connection if it failed).
///    - [`Step::Close`]: close the connection.
/// 2. Replies to pipelined commands (RFC 2920) are held and sent together once the session has
///    read every complete command it was given, so one write answers a whole group.
///
/// ```
/// use std::time::Instant;
/// use mailroom_mta_core::{Decision, Event, ServerConfig, ServerSession, Step};
///
/// let now = Instant::now();
/// let mut session = ServerSession::new(ServerConfig::new("mx.example.org").into(), now);
/// assert_eq!(session.next(now), Step::Event(Event::Connect));
/// session.decide(Decision::Accept)?;
/// assert_eq!(session.next(now), Step::Write(b"220 mx.example.org ESMTP Mailroom\r\n".to_vec()));
/// assert_eq!(session.next(now), Step::NeedInput);
/// session.feed(b"HELO client.example\r\n");
/// assert!(matches!(session.next(now), Step::Event(Event::Ehlo { extended: false, .. })));
/// session.decide(Decision::Accept)?;
/// assert_eq!(session.next(now), Step::Write(b"250 mx.example.org\r\n".to_vec()));
/// # Ok::<(), mailroom_mta_core::Error>(())
/// ```
#[derive(Debug)]
pub struct ServerSession {
    config: Arc<ServerConfig>,
    lines: LineReader,
    out: Vec<u8>,
    queued: VecDeque<Step>,
    phase: Phase,
    pending: Option<Pending>,
    helo: Option<(Domain, bool)>,
    tls: bool,
    authenticated: bool,
    transaction: Option<Envelope>,
    /// BDAT chunks have been received in this transaction.
    chunked: bool,
    errors: usize,
    last_activity: Instant,
    /// A decision or the TLS handshake happened since the last call to `next`.
    refreshed: bool,
    /// The server is going down: close before the next command.
    shutting_down: bool,
}

/// What the session is reading.
#[derive(Debug)]
enum Phase {
    /// Before the connect decision.
    Connecting,
    /// Commands.
    Command,
    /// The client's next SASL message.
    AuthExchange,
    /// Message data after DATA.
    Data(DataReader),
    /// A BDAT chunk's octets.
    Chunk { remaining: u64, then: AfterChunk },
    /// The TLS handshake is the caller's; `asked` once [`Step::StartTls`] was given.
    StartingTls { asked: bool },
    /// The session is over.
    Closed,
}

/// What follows a BDAT chunk's octets.
#[derive(Debug)]
enum AfterChunk {
    /// Reply that the chunk was received.
    Received(u64),
    /// The last chunk: the message is complete.
    Last,
    /// The chunk is skipped and this reply refuses it.
    Refuse(Reply),
}

/// The event waiting for a decision, with what the session needs to act on it.
#[derive(Debug)]
enum Pending {
    Connect,
    Ehlo(Domain, bool),
    Auth,
    Mail(Envelope),
    Rcpt(Recipient),
    Message,
}

impl ServerSession {
    /// A session for a client that has just connected; `now` starts its first timeout.
    pub fn new(config: Arc<ServerConfig>, now: Instant) -> Self {
        let tls = config.tls == TlsMode::Implicit;
        Self {
            config,
            // Every line may be a SASL response, so read up to the AUTH limit; other commands
            // are held to 512 octets when parsed.
            lines: LineReader::with_limit(MAX_AUTH_LINE),
            out: Vec::new(),
            queued: VecDeque::new(),
            phase: Phase::Connecting,
            pending: None,
            helo: None,
            tls,
            authenticated: false,
            transaction: None,
            chunked: false,
            errors: 0,
            last_activity: now,
            refreshed: false,
            shutting_down: false,
        }
    }

    /// Adds bytes read from the client. Bytes that arrive while TLS is being started, or
    /// after the session closed, are dropped.
    pub fn feed(&mut self, bytes: &[u8]) {
        if !matches!(self.phase, Phase::StartingTls { .. } | Phase::Closed) {
            self.lines.push(bytes);
        }
    }

    /// When the session gives up waiting for the client, unless more input arrives.
    pub fn deadline(&self) -> Instant {
        let timeout = match self.phase {
            Phase::Data(_) | Phase::Chunk { .. } => self.config.data_timeout,
            _ => self.config.command_timeout,
        };
        self.last_activity + timeout
    }

    /// The EHLO or HELO name the client gave, and whether it was EHLO.
    pub fn helo(&self) -> Option<(&Domain, bool)> {
        self.helo
            .as_ref()
            .map(|(domain, extended)| (domain, *extended))
    }

    /// Whether the connection is under TLS.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Whether the client has authenticated.
    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    /// The current mail transaction, between an accepted MAIL and the end of its message.
    pub fn transaction(&self) -> Option<&Envelope> {
        self.transaction.as_ref()
    }

    /// The next thing to do.
    pub fn next(&mut self, now: Instant) -> Step {
        if std::mem::take(&mut self.refreshed) {
            self.last_activity = now;
        }
        if let Some(step) = self.queued.pop_front() {
            return step;
        }
        if self.pending.is_some() {
            return Step::Waiting;
        }
        loop {
            match &mut self.phase {
                Phase::Closed => {
                    return self.flush().unwrap_or(Step::Close);
                }
                Phase::StartingTls { asked } => {
                    if !self.out.is_empty() {
                        return self.flush().unwrap_or(Step::Waiting);
                    }
                    return if std::mem::replace(asked, true) {
                        Step::Waiting
                    } else {
                        Step::StartTls
                    };
                }
                Phase::Connecting => {
                    self.pending = Some(Pending::Connect);
                    return Step::Event(Event::Connect);
                }
                Phase::Data(reader) => {
                    let input = self.lines.take_buffered();
                    if input.is_empty() {
                        return self.wait_for_input(now);
                    }
                    self.last_activity = now;
                    let mut chunk = Vec::new();
                    let used = reader.feed(&input, &mut chunk);
                    self.lines.push(&input[used..]);
                    let done = reader.is_done();
                    if !chunk.is_empty() {
                        self.queued.push_back(Step::MessageData(chunk));
                    }
                    if done {
                        self.end_of_data();
                    }
                    if let Some(step) = self.queued.pop_front() {
                        return step;
                    }
                }
                Phase::Chunk { remaining, .. } => {
                    let input = self.lines.take_buffered();
                    if input.is_empty() && *remaining > 0 {
                        return self.wait_for_input(now);
                    }
                    self.last_activity = now;
                    let take = usize::try_from(*remaining)
                        .unwrap_or(usize::MAX)
                        .min(input.len());
                    *remaining -= take as u64;
                    let done = *remaining == 0;
                    self.lines.push(&input[take..]);
                    let refusing = matches!(
                        self.phase,
                        Phase::Chunk {
                            then: AfterChunk::Refuse(_),
                            ..
                        }
                    );
                    if take > 0 && !refusing {
                        if let Some(envelope) = &mut self.transaction {
                            envelope.size += take as u64;
                        }
                        self.queued
                            .push_back(Step::MessageData(input[..take].to_vec()));
                    }
                    if done {
                        self.end_of_chunk();
                    }
                    if let Some(step) = self.queued.pop_front() {
                        return step;
                    }
                }
                Phase::Command | Phase::AuthExchange if self.shutting_down => {
                    // RFC 5321 §3.8: 421 when the service is closing.
                    let text = format!("{} is shutting down", self.config.host);
                    self.write(&Reply::coded(421, (4, 3, 2), &text));
                    self.reset_transaction();
                    self.phase = Phase::Closed;
                }
                Phase::Command | Phase::AuthExchange => {
                    let Some(line) = self.lines.next_line() else {
                        return self.wait_for_input(now);
                    };
                    self.last_activity = now;
                    let event = if matches!(self.phase, Phase::AuthExchange) {
                        self.sasl_response(line)
                    } else {
                        self.command_line(line)
                    };
                    if let Some(event) = event {
                        // RFC 2920 §3.2: hold replies while more commands are buffered.
                        if self.lines.buffered() == 0
                            && let Some(write) = self.flush()
                        {
                            self.queued.push_back(Step::Event(event));
                            return write;
                        }
                        return Step::Event(event);
                    }
                    if let Some(step) = self.queued.pop_front() {
                        return step;
                    }
                }
            }
        }
    }

    /// Answers the event the last [`Step::Event`] gave.
    ///
    /// # Errors
    ///
    /// [`Error::Misuse`] when no event waits for a decision, or the decision does not fit it
    /// (a challenge outside AUTH, a reply code that is neither 2xx, 4xx nor 5xx).
    pub fn decide(&mut self, decision: Decision) -> Result<(), Error> {
        let Some(pending) = self.pending.take() else {
            return Err(Error::Misuse {
                problem: "decide() without an event waiting",
            });
        };
        let decision = match decision {
            Decision::Reply(reply) if !(reply.is_positive() || reply.code >= 400) => {
                self.pending = Some(pending);
                return Err(Error::Misuse {
                    problem: "a decision's reply must be 2xx, 4xx or 5xx",
                });
            }
            Decision::Challenge(_) if !matches!(pending, Pending::Auth) => {
                self.pending = Some(pending);
                return Err(Error::Misuse {
                    problem: "a SASL challenge answers only AUTH",
                });
            }
            decision => decision,
        };
        self.refreshed = true;
        let refusal = match &decision {
            Decision::Reply(reply) if !reply.is_positive() => Some(reply.clone()),
            _ => None,
        };
        let accepted_with = |decision: &Decision, default: Reply| match decision {
            Decision::Reply(reply) => reply.clone(),
            _ => default,
        };
        match (pending, refusal) {
            (Pending::Connect, Some(reply)) => {
                self.write(&reply);
                self.phase = Phase::Closed;
            }
            (Pending::Connect, None) => {
                let greeting = Reply::new(
                    220,
                    None,
                    format!("{} {}", self.config.host, self.config.greeting).trim_end(),
                );
                self.write(&accepted_with(&decision, greeting));
                self.phase = Phase::Command;
            }
            (Pending::Ehlo(..), Some(reply)) => self.reply(&reply),
            (Pending::Ehlo(domain, extended), None) => {
                let reply = if extended {
                    self.capabilities()
                        .ehlo_reply(&self.config.host, "greets you")
                } else {
                    Reply::new(250, None, &self.config.host)
                };
                self.write(&reply);
                self.helo = Some((domain, extended));
            }
            (Pending::Auth, Some(reply)) => {
                self.phase = Phase::Command;
                self.reply(&reply);
            }
            (Pending::Auth, None) => match decision {
                Decision::Challenge(challenge) => {
                    self.write(&Reply::new(334, None, BASE64.encode(challenge)));
                    self.phase = Phase::AuthExchange;
                }
                decision => {
                    let success = Reply::new(
                        235,
                        Some(EnhancedCode::new(2, 7, 0)),
                        "authentication succeeded",
                    );
                    self.write(&accepted_with(&decision, success));
                    self.authenticated = true;
                    self.phase = Phase::Command;
                }
            },
            (Pending::Mail(_), Some(reply)) | (Pending::Rcpt(_), Some(reply)) => {
                self.reply(&reply);
            }
            (Pending::Mail(envelope), None) => {
                let ok = Reply::new(250, Some(EnhancedCode::new(2, 1, 0)), "sender ok");
                self.write(&accepted_with(&decision, ok));
                self.transaction = Some(envelope);
                self.chunked = false;
            }
            (Pending::Rcpt(recipient), None) => {
                let ok = Reply::new(250, Some(EnhancedCode::new(2, 1, 5)), "recipient ok");
                self.write(&accepted_with(&decision, ok));
                if let Some(envelope) = &mut self.transaction {
                    envelope.recipients.push(recipient);
                }
            }
            (Pending::Message, Some(reply)) => self.reply(&reply),
            (Pending::Message, None) => {
                let ok = Reply::new(250, Some(EnhancedCode::new(2, 0, 0)), "message accepted");
                self.write(&accepted_with(&decision, ok));
            }
        }
        Ok(())
    }

    /// The server is going down: the session closes with 421 4.3.2 before reading another
    /// command (RFC 5321 §3.8). A message being received is read to its end and decided
    /// first, so a client in the middle of DATA does not lose its work.
    pub fn shutdown(&mut self) {
        self.shutting_down = true;
    }

    /// The TLS handshake after [`Step::StartTls`] succeeded: the session starts over, as
    /// before EHLO (RFC 3207 §4.2), and anything the client sent before the handshake has
    /// been thrown away.
    ///
    /// # Errors
    ///
    /// [`Error::Misuse`] when no STARTTLS was in progress.
    pub fn tls_established(&mut self) -> Result<(), Error> {
        if !matches!(self.phase, Phase::StartingTls { .. }) {
            return Err(Error::Misuse {
                problem: "tls_established() without STARTTLS",
            });
        }
        self.lines.discard();
        self.phase = Phase::Command;
        self.tls = true;
        self.helo = None;
        self.authenticated = false;
        self.transaction = None;
        self.refreshed = true;
        Ok(())
    }

    /// The extensions offered now: STARTTLS only before TLS, AUTH only under TLS (unless
    /// configured otherwise), REQUIRETLS only under TLS (RFC 8689 §4).
    fn capabilities(&self) -> Capabilities {
        let config = &self.config;
        Capabilities {
            pipelining: true,
            size: Some(config.max_message_size),
            eight_bit_mime: true,
            binary_mime: config.chunking,
            chunking: config.chunking,
            smtputf8: config.smtputf8,
            enhanced_status_codes: true,
            dsn: config.dsn,
            starttls: config.tls == TlsMode::StartTls && !self.tls,
            requiretls: self.tls,
            auth: if self.auth_offered() {
                config.auth_mechanisms.clone()
            } else {
                Vec::new()
            },
        }
    }

    fn auth_offered(&self) -> bool {
        !self.config.auth_mechanisms.is_empty()
            && !self.authenticated
            && (self.tls || self.config.auth_without_tls)
    }

    /// One line while commands are read: the event it raises, if any (replies are queued).
    fn command_line(&mut self, line: Result<String, Error>) -> Option<Event> {
        let line = match line {
            Ok(line) => line,
            Err(Error::BareLineEnd) => {
                self.reply(&Reply::coded(
                    500,
                    (5, 5, 2),
                    "a command line must end with CRLF",
                ));
                return None;
            }
            Err(error) => {
                self.reply(&error.reply());
                return None;
            }
        };
        let utf8 = match &self.transaction {
            Some(envelope) => envelope.params.smtputf8,
            None => self.config.smtputf8,
        };
        match Command::parse(&line, utf8) {
            Ok(command) => self.command(command),
            Err(error) => {
                self.reply(&error.reply());
                None
            }
        }
    }

    fn command(&mut self, command: Command) -> Option<Event> {
        let out_of_order = |text| Some(Reply::coded(503, (5, 5, 1), text));
        let extended = matches!(command, Command::Ehlo(_));
        let refused = match command {
            Command::Helo(domain) | Command::Ehlo(domain) => {
                // RFC 5321 §4.1.4: EHLO in a session resets it as RSET does.
                self.reset_transaction();
                self.pending = Some(Pending::Ehlo(domain.clone(), extended));
                return Some(Event::Ehlo { domain, extended });
            }
            Command::Mail { .. } if self.helo.is_none() => out_of_order("send EHLO or HELO first"),
            Command::Mail { .. } if self.transaction.is_some() => {
                out_of_order("a sender was already given; RSET first")
            }
            Command::Mail { from, params } => match self.check_mail(&params) {
                Some(reply) => Some(reply),
                None => {
                    self.pending = Some(Pending::Mail(Envelope {
                        from: from.clone(),
                        params: params.clone(),
                        recipients: Vec::new(),
                        size: 0,
                    }));
                    return Some(Event::Mail { from, params });
                }
            },
            Command::Rcpt { .. } if self.transaction.is_none() => out_of_order("send MAIL first"),
            Command::Rcpt { to, params } => {
                let count = self.transaction.as_ref().map_or(0, |t| t.recipients.len());
                if count >= self.config.max_recipients {
                    // RFC 5321 §4.5.3.1.10: 452 for too many recipients; the client sends the
                    // rest in another transaction.
                    self.write(&Reply::coded(452, (4, 5, 3), "too many recipients"));
                    return None;
                }
                if !self.config.dsn && (params.notify.is_some() || params.orcpt.is_some()) {
                    Some(Reply::coded(
                        555,
                        (5, 5, 4),
                        "DSN parameters are not offered",
                    ))
                } else {
                    self.pending = Some(Pending::Rcpt(Recipient {
                        to: to.clone(),
                        params: params.clone(),
                    }));
                    return Some(Event::Rcpt { to, params });
                }
            }
            Command::Data => match &self.transaction {
                None => out_of_order("send MAIL first"),
                Some(envelope) if envelope.recipients.is_empty() => {
                    // RFC 5321 §3.3: no valid recipients.
                    Some(Reply::coded(554, (5, 5, 1), "no valid recipients"))
                }
                // RFC 3030 §3: BINARYMIME needs BDAT, and DATA does not follow BDAT.
                Some(envelope) if envelope.params.body == Some(Body::BinaryMime) => {
                    out_of_order("BODY=BINARYMIME needs BDAT")
                }
                Some(_) if self.chunked => out_of_order("DATA cannot follow BDAT"),
                Some(_) => {
                    self.write(&Reply::new(354, None, "end data with <CR><LF>.<CR><LF>"));
                    self.phase = Phase::Data(DataReader::new(self.config.max_message_size));
                    None
                }
            },
            Command::Bdat { size, last } => {
                self.start_chunk(size, last);
                None
            }
            Command::Rset => {
                self.reset_transaction();
                self.write(&Reply::new(250, Some(EnhancedCode::new(2, 0, 0)), "reset"));
                None
            }
            Command::Noop => {
                self.write(&Reply::new(250, Some(EnhancedCode::new(2, 0, 0)), "OK"));
                None
            }
            Command::Quit => {
                let bye = format!("{} closing the connection", self.config.host);
                self.write(&Reply::new(221, Some(EnhancedCode::new(2, 0, 0)), bye));
                self.reset_transaction();
                self.phase = Phase::Closed;
                None
            }
            Command::Vrfy(_) => {
                // RFC 5321 §3.5.3: 252 when the server will not verify but will accept mail.
                let text = "cannot VRFY the user, but will accept mail and attempt delivery";
                self.write(&Reply::new(252, Some(EnhancedCode::new(2, 1, 5)), text));
                None
            }
            Command::Expn(_) => {
                self.write(&Reply::coded(502, (5, 5, 1), "EXPN is not available"));
                None
            }
            Command::Help(_) => {
                let text = "commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP \
                            STARTTLS AUTH (RFC 5321)";
                self.write(&Reply::new(214, Some(EnhancedCode::new(2, 0, 0)), text));
                None
            }
            Command::StartTls if self.tls => out_of_order("TLS is already active"),
            Command::StartTls if self.config.tls != TlsMode::StartTls => {
                Some(Reply::coded(502, (5, 5, 1), "STARTTLS is not offered"))
            }
            Command::StartTls => {
                self.write(&Reply::new(
                    220,
                    Some(EnhancedCode::new(2, 0, 0)),
                    "ready to start TLS",
                ));
                // RFC 3207 §4.2, §6: nothing sent before the handshake may be read after it.
                self.lines.discard();
                self.reset_transaction();
                self.phase = Phase::StartingTls { asked: false };
                None
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => match self.check_auth(&mechanism) {
                Some(reply) => Some(reply),
                None => {
                    let initial_response = match initial_response.as_deref() {
                        None => None,
                        // RFC 4954 §4: `=` is an empty initial response.
                        Some("=") => Some(Vec::new()),
                        Some(text) => match BASE64.decode(text) {
                            Ok(bytes) => Some(bytes),
                            Err(_) => {
                                self.reply(&Reply::coded(
                                    501,
                                    (5, 5, 2),
                                    "the initial response is not base64",
                                ));
                                return None;
                            }
                        },
                    };
                    self.pending = Some(Pending::Auth);
                    return Some(Event::Auth {
                        mechanism,
                        initial_response,
                    });
                }
            },
        };
        if let Some(reply) = refused {
            self.reply(&reply);
        }
        None
    }

    /// Why MAIL's parameters are refused before the caller is asked, if they are.
    fn check_mail(&self, params: &crate::command::MailParameters) -> Option<Reply> {
        let config = &self.config;
        if params
            .size
            .is_some_and(|size| size > config.max_message_size)
        {
            // RFC 1870 §6.2: 552 for a declared size over the fixed maximum.
            return Some(Reply::coded(
                552,
                (5, 3, 4),
                "the message is larger than this server accepts",
            ));
        }
        if params.body == Some(Body::BinaryMime) && !config.chunking {
            return Some(Reply::coded(
                555,
                (5, 5, 4),
                "BODY=BINARYMIME is not offered",
            ));
        }
        if params.requiretls && !self.tls {
            // RFC 8689 §4.1: REQUIRETLS is offered only under TLS.
            return Some(Reply::coded(
                555,
                (5, 5, 4),
                "REQUIRETLS is offered only under TLS",
            ));
        }
        if !config.dsn && (params.ret.is_some() || params.envid.is_some()) {
            return Some(Reply::coded(
                555,
                (5, 5, 4),
                "DSN parameters are not offered",
            ));
        }
        None
    }

    /// Why AUTH is refused before the caller is asked, if it is (RFC 4954 §4, §6).
    fn check_auth(&self, mechanism: &str) -> Option<Reply> {
        if !matches!(self.helo, Some((_, true))) {
            return Some(Reply::coded(503, (5, 5, 1), "send EHLO first"));
        }
        if self.authenticated {
            return Some(Reply::coded(503, (5, 5, 1), "already authenticated"));
        }
        if self.transaction.is_some() {
            return Some(Reply::coded(
                503,
                (5, 5, 1),
                "AUTH is not allowed during a mail transaction",
            ));
        }
        if self.config.auth_mechanisms.is_empty() {
            return Some(Reply::coded(502, (5, 5, 1), "AUTH is not offered"));
        }
        if !self.tls && !self.config.auth_without_tls {
            return Some(Reply::coded(
                538,
                (5, 7, 11),
                "encryption is required to authenticate",
            ));
        }
        if !self.config.auth_mechanisms.iter().any(|m| m == mechanism) {
            return Some(Reply::coded(
                504,
                (5, 5, 4),
                "unrecognized authentication mechanism",
            ));
        }
        None
    }

    /// One line in an AUTH exchange (RFC 4954 §4).
    fn sasl_response(&mut self, line: Result<String, Error>) -> Option<Event> {
        self.phase = Phase::Command;
        let line = match line {
            Ok(line) => line,
            Err(error) => {
                self.reply(&error.reply());
                return None;
            }
        };
        if line == "*" {
            self.reply(&Reply::coded(501, (5, 0, 0), "authentication cancelled"));
            return None;
        }
        match BASE64.decode(line.trim_end()) {
            Ok(bytes) => {
                self.phase = Phase::AuthExchange;
                self.pending = Some(Pending::Auth);
                Some(Event::AuthResponse(bytes))
            }
            Err(_) => {
                self.reply(&Reply::coded(501, (5, 5, 2), "the response is not base64"));
                None
            }
        }
    }

    /// `BDAT size [LAST]` (RFC 3030 §2): the chunk's octets are read in every case, so the
    /// session stays in step with the client even when it refuses the chunk.
    fn start_chunk(&mut self, size: u64, last: bool) {
        let refuse = |reply| Phase::Chunk {
            remaining: size,
            then: AfterChunk::Refuse(reply),
        };
        self.phase = match &self.transaction {
            _ if !self.config.chunking => {
                refuse(Reply::coded(502, (5, 5, 1), "BDAT is not offered"))
            }
            None => refuse(Reply::coded(503, (5, 5, 1), "send MAIL first")),
            Some(envelope) if envelope.recipients.is_empty() => {
                refuse(Reply::coded(554, (5, 5, 1), "no valid recipients"))
            }
            Some(envelope) if envelope.size.saturating_add(size) > self.config.max_message_size => {
                let limit = self.config.max_message_size;
                self.reset_transaction();
                refuse(Error::MessageTooLarge { limit }.reply())
            }
            Some(_) => {
                self.chunked = true;
                Phase::Chunk {
                    remaining: size,
                    then: if last {
                        AfterChunk::Last
                    } else {
                        AfterChunk::Received(size)
                    },
                }
            }
        };
    }

    fn end_of_chunk(&mut self) {
        let Phase::Chunk { then, .. } = std::mem::replace(&mut self.phase, Phase::Command) else {
            return;
        };
        match then {
            AfterChunk::Received(size) => {
                let text = format!("{size} octets received");
                self.write(&Reply::new(250, Some(EnhancedCode::new(2, 0, 0)), text));
            }
            AfterChunk::Last => self.message_complete(),
            AfterChunk::Refuse(reply) => self.reply(&reply),
        }
    }

    /// The end of DATA: the message is complete, or refused for what the reader found.
    fn end_of_data(&mut self) {
        let Phase::Data(reader) = std::mem::replace(&mut self.phase, Phase::Command) else {
            return;
        };
        let size = reader.size();
        match reader.finish() {
            Ok(()) => {
                if let Some(envelope) = &mut self.transaction {
                    envelope.size = size;
                }
                self.message_complete();
            }
            Err(error) => {
                self.reset_transaction();
                self.queued.push_back(Step::DiscardMessage);
                self.reply(&error.reply());
            }
        }
    }

    fn message_complete(&mut self) {
        let Some(envelope) = self.transaction.take() else {
            return;
        };
        self.chunked = false;
        self.pending = Some(Pending::Message);
        // The message data steps already queued go first.
        self.queued.push_back(Step::Event(Event::Message(envelope)));
    }

    fn reset_transaction(&mut self) {
        if self.transaction.take().is_some() && self.chunked {
            self.queued.push_back(Step::DiscardMessage);
        }
        self.chunked = false;
    }

    /// Nothing more to read: send what is held, or wait for input until the deadline.
    fn wait_for_input(&mut self, now: Instant) -> Step {
        if let Some(write) = self.flush() {
            return write;
        }
        if now < self.deadline() {
            return Step::NeedInput;
        }
        // RFC 5321 §4.5.3.2: the server may close a session that has timed out, with 421.
        if matches!(self.phase, Phase::Data(_) | Phase::Chunk { .. }) || self.chunked {
            self.queued.push_back(Step::DiscardMessage);
        }
        let text = format!("{} timeout, closing the connection", self.config.host);
        self.write(&Reply::coded(421, (4, 4, 2), &text));
        self.transaction = None;
        self.phase = Phase::Closed;
        self.queued
            .pop_front()
            .or_else(|| self.flush())
            .unwrap_or(Step::Close)
    }

    /// Queues a reply that may be an error; too many errors end the session.
    fn reply(&mut self, reply: &Reply) {
        self.write(reply);
        let counts = reply.code >= 400 && reply.code != 421 && reply.code != 452;
        if counts {
            self.errors += 1;
            if self.errors >= self.config.max_errors {
                let text = format!(
                    "{} too many errors, closing the connection",
                    self.config.host
                );
                self.write(&Reply::coded(421, (4, 7, 0), &text));
                self.reset_transaction();
                self.phase = Phase::Closed;
            }
        }
    }

    fn write(&mut self, reply: &Reply) {
        self.out.extend_from_slice(reply.to_string().as_bytes());
    }

    fn flush(&mut self) -> Option<Step> {
        (!self.out.is_empty()).then(|| Step::Write(std::mem::take(&mut self.out)))
    }
}
