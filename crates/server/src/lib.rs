//! The Mailroom server: configuration, the user directory, policy, the spool and queue, local
//! and remote delivery and the DKIM key store, assembled from the protocol crates. It is the only
//! library of the workspace that owns sockets, disk, clocks and tokio.
//!
//! [`Mailserver`] binds the listeners of a [`Config`] and runs them; the modules hold the
//! parts: [`directory`] (users, aliases, sender grants), [`queue`] (durable acceptance, the
//! per-recipient record, retries and the delivery pool), [`delivery`] (Maildir, LMTP, the
//! relay host), [`keys`] (DKIM keys on disk and in memory) and [`tls`].
//!
//! # What this crate does not do (yet)
//!
//! Deliver to other domains by their MX records (a relay host takes such mail), send bounces,
//! or rotate DKIM keys.

#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::print_stdout)]

pub mod config;
pub mod delivery;
pub mod directory;
mod error;
mod files;
mod inbound;
pub mod keys;
mod limiter;
pub mod queue;
mod serve;
mod signing;
mod time;
pub mod tls;

pub use config::Config;
pub use error::Error;
pub use serve::Mailserver;
