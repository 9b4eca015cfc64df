//! Integration tests of mailroom-dns: one binary, one module per subject.
#![allow(clippy::unwrap_used, clippy::expect_used)] // rust-clippy#11119: test helpers are not tests

#[cfg(feature = "hickory")]
mod dns_server;
#[cfg(feature = "hickory")]
mod hickory;
mod props;
mod zone;
