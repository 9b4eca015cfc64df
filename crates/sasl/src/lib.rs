//! SASL (RFC 4422) mechanisms for SMTP AUTH: PLAIN (RFC 4616), LOGIN and SCRAM-SHA-256
//! (RFC 5802, RFC 7677), server and client sides as sans-IO step functions.
//!
//! This crate is being built; its content arrives with the SMTP/SASL issue. Until then it
//! exports nothing.
//!
//! # What this crate does not do
//!
//! It stores no credentials: the caller looks up users and their stored keys.

#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::print_stdout)]
