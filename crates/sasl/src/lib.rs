//! SASL (RFC 4422) mechanisms for SMTP AUTH: PLAIN (RFC 4616), LOGIN and SCRAM-SHA-256
//! (RFC 5802, RFC 7677), server and client sides as sans-IO steps over the mechanism's
//! messages (SMTP's base64 wrapping is the caller's), and OAUTHBEARER (RFC 7628) read and
//! handed to the caller's token validator.
//!
//! ```
//! use mailroom_sasl::PlainCredentials;
//! let creds = PlainCredentials::decode(b"admin\0tim\0tanstaaf")?;
//! assert_eq!(creds.authzid.as_deref(), Some("admin"));
//! # Ok::<(), mailroom_sasl::Error>(())
//! ```
//!
//! # What this crate does not do
//!
//! It stores no credentials: the caller looks up users and their stored keys, and brings the
//! random nonces.

#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::print_stdout)]

mod error;
mod login;
mod oauthbearer;
mod plain;
mod scram;

#[doc(hidden)]
pub mod fuzzing;

pub use error::Error;
pub use login::{LoginServer, LoginStep};
pub use oauthbearer::{BearerRequest, error_challenge, is_error_acknowledgement};
pub use plain::PlainCredentials;
pub use scram::{MIN_ITERATIONS, ScramClient, ScramCredentials, ScramServer, ScramUser};
