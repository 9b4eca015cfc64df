//! Integration tests of mailroom-dkim: one binary, one module per subject.
#![allow(clippy::unwrap_used, clippy::expect_used)] // rust-clippy#11119: test helpers are not tests

mod corpus;
mod interop;
mod keys;
mod opendkim;
mod props;
mod published;
mod sign;
mod vectors;
