//! What a server session offers and the limits it keeps.

use std::time::Duration;

/// How a listener uses TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsMode {
    /// No TLS: STARTTLS is not offered.
    #[default]
    None,
    /// STARTTLS is offered (RFC 3207), for ports 25 and 587.
    StartTls,
    /// TLS from the first byte (RFC 8314 §3.3), for port 465.
    Implicit,
}

/// The settings of a server session. `ServerConfig::new(host)` gives RFC-sane defaults; change
/// fields as needed.
///
/// ```
/// use mailroom_mta_core::{ServerConfig, TlsMode};
/// let config = ServerConfig {
///     tls: TlsMode::StartTls,
///     auth_mechanisms: vec!["PLAIN".into(), "SCRAM-SHA-256".into()],
///     ..ServerConfig::new("mx.example.org")
/// };
/// assert_eq!(config.max_recipients, 100);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// The server's host name, in the greeting and the EHLO reply.
    pub host: String,
    /// Text after the host name in the greeting.
    pub greeting: String,
    /// Whether and how TLS is used.
    pub tls: TlsMode,
    /// SASL mechanisms offered in upper case; empty means no AUTH (as on port 25).
    pub auth_mechanisms: Vec<String>,
    /// Offer AUTH before TLS is up. Off by default: passwords never cross in the clear.
    pub auth_without_tls: bool,
    /// The largest message accepted, in octets (RFC 1870), offered in `SIZE`.
    pub max_message_size: u64,
    /// Recipients per message; RFC 5321 §4.5.3.1.8 asks for at least 100.
    pub max_recipients: usize,
    /// Refused commands per session before the server closes it with 421.
    pub max_errors: usize,
    /// How long to wait for a command (RFC 5321 §4.5.3.2.7: at least 5 minutes).
    pub command_timeout: Duration,
    /// How long to wait for each block of message data (RFC 5321 §4.5.3.2.5 gives the client
    /// 3 minutes per block; the server waits as long).
    pub data_timeout: Duration,
    /// Offer SMTPUTF8 (RFC 6531).
    pub smtputf8: bool,
    /// Offer DSN (RFC 3461): the caller then owes delivery status notifications.
    pub dsn: bool,
    /// Offer CHUNKING and BINARYMIME (RFC 3030).
    pub chunking: bool,
}

impl ServerConfig {
    /// Defaults for a server named `host`: no TLS, no AUTH, 25 MiB messages, 100 recipients,
    /// 20 errors, the RFC 5321 timeouts, and every extension but STARTTLS and AUTH.
    pub fn new(host: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            greeting: "ESMTP Mailroom".to_owned(),
            tls: TlsMode::None,
            auth_mechanisms: Vec::new(),
            auth_without_tls: false,
            max_message_size: 25 * 1024 * 1024,
            max_recipients: 100,
            max_errors: 20,
            command_timeout: Duration::from_secs(5 * 60),
            data_timeout: Duration::from_secs(3 * 60),
            smtputf8: true,
            dsn: true,
            chunking: true,
        }
    }
}
