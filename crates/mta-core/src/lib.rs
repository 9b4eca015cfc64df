//! SMTP (RFC 5321 and its extensions) as a sans-IO library: addresses, the command and reply
//! grammar, and server and client session state machines that take bytes in and give bytes and
//! policy events out, with an async tokio driver behind a feature.
//!
//! This crate is being built; its content arrives with the SMTP/SASL issue. Until then it
//! exports nothing.
//!
//! # What this crate does not do
//!
//! It makes no policy decisions (who may relay, which recipients exist): each policy point is an
//! event its caller answers. It does not store or deliver mail.

#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::print_stdout)]
