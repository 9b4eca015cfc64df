//! The one error type of this crate: which message was wrong and how.

/// Why a SASL exchange failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A message does not follow its mechanism's grammar.
    #[error("malformed {mechanism} message: {problem}")]
    Malformed {
        /// The mechanism.
        mechanism: &'static str,
        /// What is wrong.
        problem: &'static str,
    },
    /// A name or password is not allowed by SASLprep (RFC 4013).
    #[error("the {field} is not allowed by SASLprep")]
    Prohibited {
        /// `username`, `authorization identity` or `password`.
        field: &'static str,
    },
    /// The credentials are wrong: the proof did not verify.
    #[error("authentication failed")]
    Failed,
    /// The server's signature did not verify: it does not know the password (RFC 5802 §5).
    #[error("the server could not prove it knows the password")]
    ServerNotAuthenticated,
    /// The client asked for channel binding, which this server does not offer.
    #[error("channel binding is not supported")]
    ChannelBinding,
    /// A step was called out of order.
    #[error("the exchange is not at that step")]
    OutOfOrder,
}
