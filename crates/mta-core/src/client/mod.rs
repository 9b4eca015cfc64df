//! The client side of an SMTP session as a sans-IO state machine, for delivering mail: EHLO
//! with HELO fallback, STARTTLS, AUTH, pipelined transactions, and a reply per recipient.

mod config;
mod replies;

use std::collections::VecDeque;
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::address::{ForwardPath, ReversePath};
use crate::capabilities::Capabilities;
use crate::command::{Body, Command, MailParameters, RcptParameters};
use crate::data::dot_stuff;
use crate::error::Error;
use crate::reply::Reply;
use crate::server::{Envelope, Recipient};

pub use config::{ClientConfig, StartTls};
use replies::ReplyReader;

/// What the caller does next for a [`ClientSession`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientStep {
    /// Send these bytes to the server, then call `next` again.
    Write(Vec<u8>),
    /// Read from the server, `feed` what arrives, then call `next`; if nothing arrives by
    /// `deadline()`, call `next` anyway and the session fails with a timeout.
    NeedInput,
    /// Run the TLS handshake, then call `tls_established` (or drop the connection).
    StartTls,
    /// The server's SASL challenge, base64-decoded: answer with `auth_respond` or
    /// `auth_cancel`.
    AuthChallenge(Vec<u8>),
    /// The outcome of `authenticate`: a 235 reply, or the refusal.
    AuthResult(Reply),
    /// The session is set up and idle: call `send`, `authenticate` or `quit`.
    Ready,
    /// The outcome of `send`, per recipient.
    Sent(Delivery),
    /// The server waits for the message of [`ClientSession::send_in_pieces`]: write it,
    /// through a [`DotStuffer`](crate::DotStuffer) and ending with its `finish`, then call
    /// [`ClientSession::data_sent`].
    SendData,
    /// The session failed (the server refused or closed it, timed out, broke the protocol, or
    /// would not do TLS when it was required); a message being sent was not delivered. Close
    /// comes next.
    Failed(Reply),
    /// The session waits for `tls_established` or `auth_respond`; `next` was called too early.
    Waiting,
    /// Close the connection; the session is over.
    Close,
}

/// The outcome of one message: the reply that decided each recipient, in the envelope's
/// order. A 2xx reply means delivered, a 4xx means try again later, a 5xx means never.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Each recipient with its reply.
    pub recipients: Vec<(ForwardPath, Reply)>,
}

impl Delivery {
    /// The recipients the server accepted the message for.
    pub fn accepted(&self) -> impl Iterator<Item = &ForwardPath> {
        self.with(Reply::is_positive)
    }

    /// The recipients refused for now (4xx), to retry later.
    pub fn transient(&self) -> impl Iterator<Item = &ForwardPath> {
        self.with(Reply::is_transient)
    }

    /// The recipients refused for good (5xx), to bounce.
    pub fn permanent(&self) -> impl Iterator<Item = &ForwardPath> {
        self.with(Reply::is_permanent)
    }

    fn with(&self, test: fn(&Reply) -> bool) -> impl Iterator<Item = &ForwardPath> {
        self.recipients
            .iter()
            .filter(move |(_, reply)| test(reply))
            .map(|(to, _)| to)
    }
}

/// A reply the session waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Greeting,
    Ehlo,
    Helo,
    StartTls,
    Auth,
    Mail,
    Rcpt(usize),
    Data,
    DataEnd,
    Rset,
    Quit,
}

/// What is known of a message before it is sent, when it is sent in pieces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageInfo {
    /// Its size in octets, for SIZE (RFC 1870).
    pub size: u64,
    /// Whether it has octets above 127, for BODY=8BITMIME (RFC 6152).
    pub eight_bit: bool,
}

impl MessageInfo {
    /// What a whole message tells of itself.
    pub fn of(message: &[u8]) -> Self {
        Self {
            size: message.len() as u64,
            eight_bit: !message.is_ascii(),
        }
    }
}

/// A message being sent.
#[derive(Debug)]
struct Transaction {
    envelope: Envelope,
    /// The whole message, or `None` when the caller sends it in pieces.
    message: Option<Vec<u8>>,
    pipelined: bool,
    mail: Option<Reply>,
    rcpt: Vec<Option<Reply>>,
    /// The reply that decides the accepted recipients (to DATA or to the end of data).
    last: Option<Reply>,
    /// LMTP: the replies to the end of data so far, one per accepted recipient in order
    /// (RFC 2033 §4.2).
    per_recipient: Vec<Reply>,
}

/// One SMTP client session (RFC 5321) over one connection.
///
/// # Call order
///
/// 1. [`ClientSession::new`] right after connecting, then call [`next`](Self::next) in a loop
///    and do what each [`ClientStep`] says (write, read and [`feed`](Self::feed), run the TLS
///    handshake and call [`tls_established`](Self::tls_established)).
/// 2. At [`ClientStep::Ready`] the greeting, EHLO (or HELO) and STARTTLS are done. Call
///    [`authenticate`](Self::authenticate) if needed, then [`send`](Self::send) for each
///    message, each ending in [`ClientStep::Sent`], and [`quit`](Self::quit).
///
/// With PIPELINING offered, MAIL, every RCPT and DATA go out in one write (RFC 2920).
///
/// ```
/// use std::time::Instant;
/// use mailroom_mta_core::{ClientConfig, ClientSession, ClientStep, StartTls};
///
/// let now = Instant::now();
/// let config = ClientConfig { starttls: StartTls::Never, ..ClientConfig::new("client.example") };
/// let mut client = ClientSession::new(config, now);
/// assert_eq!(client.next(now), ClientStep::NeedInput);
/// client.feed(b"220 mx.example.org ESMTP\r\n");
/// assert_eq!(client.next(now), ClientStep::Write(b"EHLO client.example\r\n".to_vec()));
/// assert_eq!(client.next(now), ClientStep::NeedInput);
/// client.feed(b"250-mx.example.org\r\n250 PIPELINING\r\n");
/// assert_eq!(client.next(now), ClientStep::Ready);
/// assert!(client.capabilities().pipelining);
/// ```
#[derive(Debug)]
pub struct ClientSession {
    config: ClientConfig,
    replies: ReplyReader,
    out: Vec<u8>,
    expected: VecDeque<Expect>,
    steps: VecDeque<ClientStep>,
    capabilities: Capabilities,
    tls: bool,
    /// Waiting for the caller: the TLS handshake (`Some(asked)`) or a SASL response.
    tls_pending: Option<bool>,
    auth_pending: bool,
    /// Waiting for the caller to send a message in pieces.
    data_pending: bool,
    authenticated: bool,
    transaction: Option<Transaction>,
    waiting_since: Instant,
    closed: bool,
}

impl ClientSession {
    /// A session on a connection just opened; the greeting is awaited from `now`.
    pub fn new(config: ClientConfig, now: Instant) -> Self {
        let tls = config.implicit_tls;
        Self {
            config,
            replies: ReplyReader::new(),
            out: Vec::new(),
            expected: VecDeque::from([Expect::Greeting]),
            steps: VecDeque::new(),
            capabilities: Capabilities::default(),
            tls,
            tls_pending: None,
            auth_pending: false,
            data_pending: false,
            authenticated: false,
            transaction: None,
            waiting_since: now,
            closed: false,
        }
    }

    /// Adds bytes read from the server.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.tls_pending.is_none() && !self.closed {
            self.replies.push(bytes);
        }
    }

    /// When the session gives up waiting for the server.
    pub fn deadline(&self) -> Instant {
        let timeout = if self.expected.front() == Some(&Expect::DataEnd) {
            self.config.data_end_timeout
        } else {
            self.config.command_timeout
        };
        self.waiting_since + timeout
    }

    /// The extensions the server offered in its EHLO reply.
    pub fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    /// Whether the connection is under TLS.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Whether AUTH succeeded.
    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    /// The next thing to do.
    pub fn next(&mut self, now: Instant) -> ClientStep {
        loop {
            if let Some(step) = self.steps.pop_front() {
                return step;
            }
            if self.closed {
                return self.flush(now).unwrap_or(ClientStep::Close);
            }
            if self.data_pending {
                return self.flush(now).unwrap_or(ClientStep::Waiting);
            }
            if let Some(asked) = &mut self.tls_pending {
                if std::mem::replace(asked, true) {
                    return ClientStep::Waiting;
                }
                return ClientStep::StartTls;
            }
            if self.expected.is_empty() {
                if let Some(write) = self.flush(now) {
                    return write;
                }
                return if self.auth_pending {
                    ClientStep::Waiting
                } else {
                    ClientStep::Ready
                };
            }
            match self.replies.next_reply() {
                None => {
                    if let Some(write) = self.flush(now) {
                        return write;
                    }
                    if now < self.deadline() {
                        return ClientStep::NeedInput;
                    }
                    self.fail(Reply::coded(
                        421,
                        (4, 4, 2),
                        "timed out waiting for the server",
                    ));
                }
                Some(Err(error)) => {
                    self.fail(Reply::coded(
                        421,
                        (4, 5, 0),
                        &format!("the server broke SMTP: {error}"),
                    ));
                }
                Some(Ok(reply)) => {
                    self.waiting_since = now;
                    if let Some(expect) = self.expected.pop_front() {
                        self.on_reply(expect, reply);
                    }
                }
            }
        }
    }

    /// The TLS handshake after [`ClientStep::StartTls`] succeeded: EHLO is sent again
    /// (RFC 3207 §4.2) and what the server sent before the handshake is forgotten.
    ///
    /// # Errors
    ///
    /// [`Error::Misuse`] when no STARTTLS was in progress.
    pub fn tls_established(&mut self) -> Result<(), Error> {
        if self.tls_pending.take().is_none() {
            return Err(Error::Misuse {
                problem: "tls_established() without STARTTLS",
            });
        }
        self.tls = true;
        self.capabilities = Capabilities::default();
        self.hello(Expect::Ehlo);
        Ok(())
    }

    /// Starts AUTH with `mechanism` (RFC 4954 §4), with an initial response if the mechanism
    /// has one. Challenges come as [`ClientStep::AuthChallenge`], the end as
    /// [`ClientStep::AuthResult`].
    ///
    /// # Errors
    ///
    /// [`Error::Misuse`] unless the session is [ready](ClientStep::Ready) after EHLO.
    pub fn authenticate(
        &mut self,
        mechanism: &str,
        initial_response: Option<&[u8]>,
    ) -> Result<(), Error> {
        self.check_ready()?;
        let mut line = format!("AUTH {mechanism}");
        match initial_response {
            // RFC 4954 §4: an empty initial response is sent as `=`.
            Some([]) => line.push_str(" ="),
            Some(bytes) => {
                line.push(' ');
                line.push_str(&BASE64.encode(bytes));
            }
            None => {}
        }
        self.command(&line, Expect::Auth);
        Ok(())
    }

    /// Answers a [`ClientStep::AuthChallenge`].
    ///
    /// # Errors
    ///
    /// [`Error::Misuse`] when no challenge waits for an answer.
    pub fn auth_respond(&mut self, response: &[u8]) -> Result<(), Error> {
        self.answer_challenge(&BASE64.encode(response))
    }

    /// Cancels the AUTH exchange (`*`); the server answers 501.
    ///
    /// # Errors
    ///
    /// [`Error::Misuse`] when no challenge waits for an answer.
    pub fn auth_cancel(&mut self) -> Result<(), Error> {
        self.answer_challenge("*")
    }

    /// Sends one message to the envelope's recipients. `message` is the whole message with
    /// CRLF line ends; it is dot-stuffed here. The outcome comes as [`ClientStep::Sent`].
    ///
    /// Checked first, without asking the server: the size against its SIZE (RFC 1870 §6),
    /// UTF-8 addresses against SMTPUTF8 (RFC 6531 §3.2) and REQUIRETLS against TLS and its
    /// offer (RFC 8689 §4.1); a message that fails is refused for every recipient with the
    /// reply a server would give.
    ///
    /// # Errors
    ///
    /// [`Error::Misuse`] unless the session is [ready](ClientStep::Ready), or when the
    /// envelope has no recipients.
    pub fn send(&mut self, envelope: Envelope, message: Vec<u8>) -> Result<(), Error> {
        let info = MessageInfo::of(&message);
        self.start(envelope, Some(message), info)
    }

    /// As [`send`](Self::send), for a message the caller sends in pieces, so it need not be
    /// held whole: when the server is ready for it, [`ClientStep::SendData`] comes, and the
    /// caller writes the message through a [`DotStuffer`](crate::DotStuffer), then calls
    /// [`data_sent`](Self::data_sent). `info` gives what the checks before sending need.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn send_in_pieces(&mut self, envelope: Envelope, info: MessageInfo) -> Result<(), Error> {
        self.start(envelope, None, info)
    }

    /// The message of [`send_in_pieces`](Self::send_in_pieces) has been written, its end
    /// `.CRLF` included, at `now`; the server's answer is awaited.
    ///
    /// # Errors
    ///
    /// [`Error::Misuse`] unless [`ClientStep::SendData`] came and was not answered yet.
    pub fn data_sent(&mut self, now: Instant) -> Result<(), Error> {
        if !std::mem::take(&mut self.data_pending) {
            return Err(Error::Misuse {
                problem: "data_sent() without SendData",
            });
        }
        self.waiting_since = now;
        self.expect_data_end();
        Ok(())
    }

    fn start(
        &mut self,
        envelope: Envelope,
        message: Option<Vec<u8>>,
        info: MessageInfo,
    ) -> Result<(), Error> {
        self.check_ready()?;
        if envelope.recipients.is_empty() {
            return Err(Error::Misuse {
                problem: "send() with no recipients",
            });
        }
        if let Some(refusal) = self.refuse_before_sending(&envelope, info) {
            let recipients = envelope
                .recipients
                .into_iter()
                .map(|r| (r.to, refusal.clone()))
                .collect();
            self.steps
                .push_back(ClientStep::Sent(Delivery { recipients }));
            return Ok(());
        }
        let params = self.mail_parameters(&envelope, info);
        let pipelined = self.capabilities.pipelining;
        self.command(
            &Command::Mail {
                from: envelope.from.clone(),
                params,
            }
            .to_string(),
            Expect::Mail,
        );
        if pipelined {
            for (index, recipient) in envelope.recipients.iter().enumerate() {
                self.command(
                    &rcpt_line(&self.capabilities, recipient),
                    Expect::Rcpt(index),
                );
            }
            self.command("DATA", Expect::Data);
        }
        self.transaction = Some(Transaction {
            rcpt: vec![None; envelope.recipients.len()],
            envelope,
            message,
            pipelined,
            mail: None,
            last: None,
            per_recipient: Vec::new(),
        });
        Ok(())
    }

    /// Ends the session with QUIT.
    pub fn quit(&mut self) {
        if !self.closed {
            self.command("QUIT", Expect::Quit);
        }
    }

    fn check_ready(&self) -> Result<(), Error> {
        if self.closed
            || !self.expected.is_empty()
            || self.tls_pending.is_some()
            || self.auth_pending
            || self.data_pending
            || self.transaction.is_some()
        {
            return Err(Error::Misuse {
                problem: "the session is not ready",
            });
        }
        Ok(())
    }

    fn answer_challenge(&mut self, line: &str) -> Result<(), Error> {
        if !std::mem::take(&mut self.auth_pending) {
            return Err(Error::Misuse {
                problem: "no AUTH challenge to answer",
            });
        }
        self.command(line, Expect::Auth);
        Ok(())
    }

    fn refuse_before_sending(&self, envelope: &Envelope, info: MessageInfo) -> Option<Reply> {
        let caps = &self.capabilities;
        if let Some(limit) = caps.size.filter(|&limit| limit > 0)
            && info.size > limit
        {
            return Some(Reply::coded(
                552,
                (5, 3, 4),
                &format!("the message is larger than the server's limit of {limit} octets"),
            ));
        }
        if needs_smtputf8(envelope) && !caps.smtputf8 {
            return Some(Reply::coded(
                553,
                (5, 6, 7),
                "the server does not offer SMTPUTF8 for these addresses",
            ));
        }
        if envelope.params.requiretls && !(self.tls && caps.requiretls) {
            // RFC 8689 §5: 5.7.30, REQUIRETLS support required.
            return Some(Reply::coded(
                550,
                (5, 7, 30),
                "REQUIRETLS needs TLS and a server that offers it",
            ));
        }
        if envelope.params.body == Some(Body::BinaryMime) {
            return Some(Reply::coded(
                554,
                (5, 6, 1),
                "BODY=BINARYMIME needs BDAT, which this client does not send",
            ));
        }
        None
    }

    /// The parameters MAIL carries: the envelope's, less those the server does not offer,
    /// plus SIZE and BODY=8BITMIME where they apply.
    fn mail_parameters(&self, envelope: &Envelope, info: MessageInfo) -> MailParameters {
        let caps = &self.capabilities;
        let mut params = envelope.params.clone();
        params.size = caps.size.map(|_| info.size);
        if params.body.is_none() && caps.eight_bit_mime && info.eight_bit {
            params.body = Some(Body::EightBitMime);
        }
        if !caps.eight_bit_mime {
            params.body = None;
        }
        params.smtputf8 = caps.smtputf8 && needs_smtputf8(envelope);
        if !caps.dsn {
            params.ret = None;
            params.envid = None;
        }
        if caps.auth.is_empty() {
            params.auth = None;
        }
        params
    }

    fn on_reply(&mut self, expect: Expect, reply: Reply) {
        // RFC 5321 §3.8: 421 at any point means the server is closing the connection.
        if reply.code == 421 && expect != Expect::Quit {
            self.fail(reply);
            return;
        }
        match expect {
            Expect::Greeting if reply.code == 220 => self.hello(Expect::Ehlo),
            Expect::Greeting => self.fail(reply),
            Expect::Ehlo | Expect::Helo if reply.is_positive() => {
                self.capabilities = if expect == Expect::Ehlo {
                    Capabilities::from_ehlo_reply(&reply)
                } else {
                    Capabilities::default()
                };
                self.after_hello();
            }
            // RFC 5321 §3.2: a server that does not know EHLO answers 500, 501, 502 or 550;
            // the client falls back to HELO.
            // LMTP has no HELO to fall back to (RFC 2033 §4.1).
            Expect::Ehlo if reply.is_permanent() && !self.config.lmtp => self.hello(Expect::Helo),
            Expect::Ehlo | Expect::Helo => self.fail(reply),
            Expect::StartTls if reply.code == 220 => {
                // Anything the server sent after its 220 was sent before the handshake.
                self.replies.discard();
                self.tls_pending = Some(false);
            }
            Expect::StartTls if self.config.starttls == StartTls::Required => self.fail(reply),
            Expect::StartTls => {}
            Expect::Auth => self.on_auth_reply(reply),
            Expect::Mail | Expect::Rcpt(_) | Expect::Data | Expect::DataEnd | Expect::Rset => {
                self.on_transaction_reply(expect, reply);
            }
            Expect::Quit => {
                self.closed = true;
            }
        }
    }

    fn on_auth_reply(&mut self, reply: Reply) {
        if reply.code != 334 {
            self.authenticated = reply.code == 235;
            self.steps.push_back(ClientStep::AuthResult(reply));
            return;
        }
        let text = reply.lines.first().map_or("", |line| line.trim());
        match BASE64.decode(text) {
            Ok(challenge) => {
                self.auth_pending = true;
                self.steps.push_back(ClientStep::AuthChallenge(challenge));
            }
            Err(_) => {
                // Cancel; the server's 501 is reported as the result.
                self.command("*", Expect::Auth);
            }
        }
    }

    fn on_transaction_reply(&mut self, expect: Expect, reply: Reply) {
        let Some(transaction) = &mut self.transaction else {
            return;
        };
        match expect {
            Expect::Mail => {
                let accepted = reply.is_positive();
                transaction.mail = Some(reply);
                if !transaction.pipelined {
                    if accepted {
                        let line =
                            rcpt_line(&self.capabilities, &transaction.envelope.recipients[0]);
                        self.command(&line, Expect::Rcpt(0));
                    } else {
                        self.finish();
                    }
                }
            }
            Expect::Rcpt(index) => {
                if let Some(slot) = transaction.rcpt.get_mut(index) {
                    *slot = Some(reply);
                }
                if !transaction.pipelined {
                    let next = index + 1;
                    if let Some(recipient) = transaction.envelope.recipients.get(next) {
                        let line = rcpt_line(&self.capabilities, recipient);
                        self.command(&line, Expect::Rcpt(next));
                    } else if accepted_any(transaction) {
                        self.command("DATA", Expect::Data);
                    } else {
                        self.command("RSET", Expect::Rset);
                    }
                }
            }
            Expect::Data if reply.code == 354 => {
                if !accepted_any(transaction) {
                    // RFC 2920 §3.1: every recipient was refused but DATA was accepted, so
                    // an empty message ends the transaction.
                    self.out.extend_from_slice(b".\r\n");
                } else if let Some(message) = transaction.message.take() {
                    dot_stuff(&message, &mut self.out);
                } else {
                    self.data_pending = true;
                    self.steps.push_back(ClientStep::SendData);
                    return;
                }
                self.expect_data_end();
            }
            Expect::DataEnd if self.config.lmtp => {
                transaction.per_recipient.push(reply);
                if transaction.per_recipient.len() >= accepted_count(transaction) {
                    self.finish();
                }
            }
            Expect::Data | Expect::DataEnd => {
                transaction.last = Some(reply);
                self.finish();
            }
            Expect::Rset => self.finish(),
            _ => {}
        }
    }

    /// The message is on its way: the answers to its end are awaited. RFC 2033 §4.2: an LMTP
    /// server answers once per accepted recipient.
    fn expect_data_end(&mut self) {
        let answers = match &self.transaction {
            Some(transaction) if self.config.lmtp => accepted_count(transaction).max(1),
            _ => 1,
        };
        for _ in 0..answers {
            self.expected.push_back(Expect::DataEnd);
        }
    }

    /// The transaction is over: each recipient gets the reply that decided it.
    fn finish(&mut self) {
        let Some(transaction) = self.transaction.take() else {
            return;
        };
        let unanswered = || Reply::coded(451, (4, 4, 0), "the server did not answer");
        let mut per_recipient = transaction.per_recipient.into_iter();
        let recipients = transaction
            .envelope
            .recipients
            .into_iter()
            .zip(transaction.rcpt)
            .map(|(recipient, rcpt)| {
                let reply = match (&transaction.mail, rcpt) {
                    (Some(mail), _) if !mail.is_positive() => mail.clone(),
                    (_, Some(rcpt)) if !rcpt.is_positive() => rcpt,
                    (_, Some(_)) => match &transaction.last {
                        // The DATA command itself was refused, or (SMTP) the one reply to
                        // the end of data.
                        Some(last) => last.clone(),
                        None => per_recipient.next().unwrap_or_else(unanswered),
                    },
                    _ => unanswered(),
                };
                (recipient.to, reply)
            })
            .collect();
        self.steps
            .push_back(ClientStep::Sent(Delivery { recipients }));
    }

    fn hello(&mut self, expect: Expect) {
        let verb = match expect {
            Expect::Helo => "HELO",
            _ if self.config.lmtp => "LHLO",
            _ => "EHLO",
        };
        let line = format!("{verb} {}", self.config.helo);
        self.command(&line, expect);
    }

    /// After EHLO or HELO: STARTTLS if it is to be used, else ready.
    fn after_hello(&mut self) {
        let use_tls = !self.tls && self.config.starttls != StartTls::Never;
        if use_tls && self.capabilities.starttls {
            self.command("STARTTLS", Expect::StartTls);
        } else if !self.tls && self.config.starttls == StartTls::Required {
            self.fail(Reply::coded(
                454,
                (4, 7, 0),
                "TLS is required but the server does not offer STARTTLS",
            ));
        }
    }

    /// The session cannot go on: report why, say QUIT, close.
    fn fail(&mut self, reply: Reply) {
        self.expected.clear();
        self.transaction = None;
        self.auth_pending = false;
        self.data_pending = false;
        self.steps.push_back(ClientStep::Failed(reply));
        self.out.extend_from_slice(b"QUIT\r\n");
        self.closed = true;
    }

    fn command(&mut self, line: &str, expect: Expect) {
        self.out.extend_from_slice(line.as_bytes());
        self.out.extend_from_slice(b"\r\n");
        self.expected.push_back(expect);
    }

    fn flush(&mut self, now: Instant) -> Option<ClientStep> {
        if self.out.is_empty() {
            return None;
        }
        self.waiting_since = now;
        Some(ClientStep::Write(std::mem::take(&mut self.out)))
    }
}

/// RCPT for one recipient, with its DSN parameters only if the server offers DSN.
fn rcpt_line(capabilities: &Capabilities, recipient: &Recipient) -> String {
    let params = if capabilities.dsn {
        recipient.params.clone()
    } else {
        RcptParameters::default()
    };
    Command::Rcpt {
        to: recipient.to.clone(),
        params,
    }
    .to_string()
}

/// How many recipients the server accepted.
fn accepted_count(transaction: &Transaction) -> usize {
    transaction
        .rcpt
        .iter()
        .filter(|reply| reply.as_ref().is_some_and(Reply::is_positive))
        .count()
}

fn accepted_any(transaction: &Transaction) -> bool {
    transaction.mail.as_ref().is_some_and(Reply::is_positive)
        && transaction
            .rcpt
            .iter()
            .any(|reply| reply.as_ref().is_some_and(Reply::is_positive))
}

fn needs_smtputf8(envelope: &Envelope) -> bool {
    let from = matches!(&envelope.from, ReversePath::Mailbox(m) if m.is_utf8());
    from || envelope
        .recipients
        .iter()
        .any(|r| matches!(&r.to, ForwardPath::Mailbox(m) if m.is_utf8()))
}
