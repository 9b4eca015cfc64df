//! Integration tests of mailroom-sasl.
#![allow(clippy::unwrap_used, clippy::expect_used)] // rust-clippy#11119: test helpers are not tests

mod oauthbearer;
mod plain;
mod scram;
