//! Integration tests of the `mailauth` binary: run it as a user would.
#![allow(clippy::unwrap_used, clippy::expect_used)] // rust-clippy#11119: test helpers are not tests

mod dkim;
mod dns;
mod spf;
mod verify;
