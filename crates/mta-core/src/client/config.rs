//! What a client session asks of the server.

use std::time::Duration;

/// Whether the client uses STARTTLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StartTls {
    /// Never, even if offered.
    Never,
    /// When offered; go on in the clear when not (RFC 3207 §4.1, opportunistic TLS).
    #[default]
    Opportunistic,
    /// Always: a server that does not offer it, or refuses it, fails the session.
    Required,
}

/// The settings of a client session.
///
/// ```
/// use mailroom_mta_core::{ClientConfig, StartTls};
/// let config = ClientConfig { starttls: StartTls::Required, ..ClientConfig::new("mail.example.org") };
/// assert_eq!(config.helo, "mail.example.org");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// The name given in EHLO or HELO.
    pub helo: String,
    /// STARTTLS use.
    pub starttls: StartTls,
    /// The connection is TLS from its start (port 465): no STARTTLS.
    pub implicit_tls: bool,
    /// Speak LMTP (RFC 2033) instead: LHLO, and a reply per recipient to the end of data,
    /// for handing mail to a local store such as Dovecot.
    pub lmtp: bool,
    /// How long to wait for the greeting and for replies to commands (RFC 5321 §4.5.3.2.1,
    /// .2, .3: 5 minutes).
    pub command_timeout: Duration,
    /// How long to wait for the reply to the end of the message (RFC 5321 §4.5.3.2.6:
    /// 10 minutes).
    pub data_end_timeout: Duration,
}

impl ClientConfig {
    /// Defaults for a client that says `helo`: opportunistic STARTTLS, RFC 5321 timeouts.
    pub fn new(helo: impl Into<String>) -> Self {
        Self {
            helo: helo.into(),
            starttls: StartTls::Opportunistic,
            implicit_tls: false,
            lmtp: false,
            command_timeout: Duration::from_secs(5 * 60),
            data_end_timeout: Duration::from_secs(10 * 60),
        }
    }
}
