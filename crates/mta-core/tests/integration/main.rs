//! Integration tests of mailroom-mta-core: one binary, one module per subject.
#![allow(clippy::unwrap_used, clippy::expect_used)] // rust-clippy#11119: test helpers are not tests

mod address;
mod client;
mod command;
mod data;
#[cfg(feature = "tokio")]
mod driver;
mod props;
mod proxy;
mod reply;
mod session_parts;
mod transcript;
