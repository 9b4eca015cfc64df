//! SMTP (RFC 5321 and its extensions) as a sans-IO library: addresses, the command and reply
//! grammar, and server and client session state machines that take bytes in and give bytes
//! and policy events out; with the `tokio` feature, a driver that runs them over TCP and TLS.
//!
//! ```text
//!             bytes in ──feed()──▶ ┌────────────────┐ ──Step::Write──▶ bytes out
//!   client ◀────────────────────── │ ServerSession  │ ──Step::Event──▶ caller decides:
//!                                  │ (sans-IO)      │ ◀──decide()───── accept / refuse
//!   DataReader, LineReader ◀────── └────────────────┘ ──MessageData──▶ caller stores
//!                                         ▲
//!                  driver::Server ────────┘  (tokio + rustls: reads, writes, TLS, time,
//!                                             asks a Handler at each event)
//! ```
//!
//! ```
//! use mailroom_mta_core::{Command, ForwardPath};
//! let command = Command::parse("RCPT TO:<Postmaster>", false)?;
//! assert_eq!(command, Command::Rcpt { to: ForwardPath::Postmaster, params: Default::default() });
//! let bad = Command::parse("RCPT TO:<a@@example.org>", false).unwrap_err();
//! assert_eq!(bad.reply().to_string(), "501 5.5.4 syntax error in the forward-path\r\n");
//! # Ok::<(), mailroom_mta_core::Error>(())
//! ```
//!
//! The sessions: [`ServerSession`] answers a client, [`ClientSession`] delivers to a server.
//! Both take the time as an argument and leave sockets, TLS handshakes and storage to their
//! caller.
//!
//! # What this crate does not do
//!
//! It makes no policy decisions (who may relay, which recipients exist): each policy point is an
//! event its caller answers. It does not store or deliver mail, look up MX records or queue.

#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::print_stdout)]

mod address;
mod capabilities;
mod client;
mod command;
mod data;
#[cfg(feature = "tokio")]
pub mod driver;
mod error;
mod line;
mod proxy;
mod reply;
mod server;
mod xtext;

#[doc(hidden)]
pub mod fuzzing;

pub use address::{Domain, ForwardPath, MAX_DOMAIN_LEN, MAX_LOCAL_PART_LEN, Mailbox, ReversePath};
pub use capabilities::Capabilities;
pub use client::{ClientConfig, ClientSession, ClientStep, Delivery, MessageInfo, StartTls};
pub use command::{
    Body, Command, MAX_AUTH_LINE, MAX_COMMAND_LINE, MailParameters, Notify, RcptParameters, Ret,
};
pub use data::{DataReader, DotStuffer, MAX_TEXT_LINE, dot_stuff};
pub use error::Error;
pub use line::LineReader;
pub use proxy::{MAX_PROXY_V1, PROXY_V2_SIGNATURE, ProxyHeader, parse_proxy_header};
pub use reply::{EnhancedCode, Reply};
pub use server::{
    Decision, Envelope, Event, Recipient, ServerConfig, ServerSession, Step, TlsMode,
};
