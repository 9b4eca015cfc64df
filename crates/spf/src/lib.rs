//! SPF (RFC 7208): record parsing, macro expansion and the `check_host()` evaluation, with every
//! DNS query made through the `mailroom-dns` `Resolver`.
//!
//! This crate is being built; its content arrives with the SPF issue. Until then it exports
//! nothing.
//!
//! # What this crate does not do
//!
//! It does not decide what a server does with a result; that is the server's policy.

#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::print_stdout)]
