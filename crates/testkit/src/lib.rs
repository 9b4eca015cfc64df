//! Test support shared by the Mailroom crates: loaders for the published suites in
//! `../shared/testdata`, the SMTP transcript runner and shared fixtures. Not published.
//!
//! This crate is being built; the loaders arrive with the issues whose suites they read.

#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::print_stdout)]
