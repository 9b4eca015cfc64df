//! The Mailroom server: configuration, the user directory, policy, the spool and queue, local
//! and remote delivery and the DKIM key store, assembled from the protocol crates. It is the only
//! library of the workspace that owns sockets, disk, clocks and tokio.

#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::print_stdout)]

pub mod config;
pub mod directory;
pub mod dkim_keys;
mod error;
mod files;
mod handler;
mod limiter;
pub mod maildir;
pub mod queue;
mod serve;
pub mod spool;
mod time;
pub mod tls;

pub use config::Config;
pub use error::Error;
pub use serve::Mailserver;
