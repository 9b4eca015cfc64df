//! Integration tests of mailroom-spf: one binary, one module per subject.
#![allow(clippy::unwrap_used, clippy::expect_used)] // rust-clippy#11119: test helpers are not tests

mod cases;
mod props;
mod suite;
