//! Integration tests of mailroom-server: one binary, one module per subject.
#![allow(clippy::unwrap_used, clippy::expect_used)] // rust-clippy#11119: test helpers are not tests

mod config;
mod directory;
mod dkim_keys;
mod props;
mod queue;
mod tls;

pub(crate) use mailroom_testkit::TempDir;
