//! The tokio driver (feature `tokio`): a [`Server`] that runs [`ServerSession`]s over TCP and
//! asks a [`Handler`], and a [`Client`] that delivers over one connection, both with TLS
//! through rustls (STARTTLS and implicit TLS).
//!
//! The driver only moves bytes, time and TLS handshakes; every protocol decision is the
//! session's, and every policy decision the handler's.
//!
//! [`ServerSession`]: crate::ServerSession

mod auth;
mod client;
mod server;
mod stream;

pub use client::{Client, ClientTls};
pub use server::{Handler, Peer, Server};
