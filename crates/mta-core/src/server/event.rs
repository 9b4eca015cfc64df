//! What a server session hands its caller: steps to carry out, events to decide, and the
//! envelope of a finished message.

use crate::address::{Domain, ForwardPath, ReversePath};
use crate::command::{MailParameters, RcptParameters};
use crate::reply::Reply;

/// What the caller does next for a [`ServerSession`](crate::ServerSession).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// Send these bytes to the client, then call `next` again.
    Write(Vec<u8>),
    /// Read from the client, `feed` what arrives, then call `next`; if nothing arrives by
    /// `deadline()`, call `next` anyway and the session closes with a timeout reply.
    NeedInput,
    /// A policy point: answer it with `decide` before calling `next` again.
    Event(Event),
    /// Unstuffed message data to append to the message being received.
    MessageData(Vec<u8>),
    /// Throw away the message data received so far: the message was refused or abandoned.
    DiscardMessage,
    /// Run the TLS handshake on the connection, then call `tls_established`.
    StartTls,
    /// The session waits for `decide` or `tls_established`; `next` was called too early.
    Waiting,
    /// Close the connection; the session is over.
    Close,
}

/// A policy point the caller answers with a [`Decision`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A client connected: accept to send the greeting, or refuse (`554`, then the session
    /// closes).
    Connect,
    /// `EHLO` (`extended`) or `HELO`.
    Ehlo {
        /// The name or address literal the client gave.
        domain: Domain,
        /// `EHLO` rather than `HELO`.
        extended: bool,
    },
    /// `AUTH`: start the SASL mechanism, answering with a challenge or the outcome.
    Auth {
        /// The mechanism, in upper case, one of those offered.
        mechanism: String,
        /// The initial response, base64-decoded (`Some(empty)` for `=`).
        initial_response: Option<Vec<u8>>,
    },
    /// The client's next SASL message in an AUTH exchange, base64-decoded.
    AuthResponse(Vec<u8>),
    /// `MAIL FROM`: accept to start a transaction.
    Mail {
        /// The reverse-path.
        from: ReversePath,
        /// Its parameters.
        params: MailParameters,
    },
    /// `RCPT TO`: accept to add the recipient.
    Rcpt {
        /// The forward-path.
        to: ForwardPath,
        /// Its parameters.
        params: RcptParameters,
    },
    /// The message is complete (its data came as [`Step::MessageData`]): accept only once it
    /// is stored durably, since the client may then forget it.
    Message(Envelope),
}

/// The caller's answer to an [`Event`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Go ahead, with the session's usual reply.
    Accept,
    /// Reply with this: a 2xx reply accepts with its own text, a 4xx or 5xx refuses.
    Reply(Reply),
    /// For [`Event::Auth`] and [`Event::AuthResponse`]: send this SASL challenge (`334`).
    Challenge(Vec<u8>),
}

/// The envelope of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The reverse-path of MAIL FROM.
    pub from: ReversePath,
    /// The parameters of MAIL FROM.
    pub params: MailParameters,
    /// The accepted recipients, in order.
    pub recipients: Vec<Recipient>,
    /// The message size in octets, as received (after unstuffing).
    pub size: u64,
}

/// One accepted recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The forward-path of RCPT TO.
    pub to: ForwardPath,
    /// Its parameters.
    pub params: RcptParameters,
}
