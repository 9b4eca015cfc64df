//! Integration tests of mailroom-dmarc: one binary, one module per subject.
#![allow(clippy::unwrap_used, clippy::expect_used)] // rust-clippy#11119: test helpers are not tests

mod align;
mod auth_results;
mod authheaders;
mod check;
mod discover;
mod from;
mod policy;
mod props;
mod psl;
mod record;
mod report;
