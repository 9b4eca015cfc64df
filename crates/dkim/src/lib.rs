//! DKIM (RFC 6376, with RFC 8301 and RFC 8463): signature and key records, canonicalization,
//! signing and verification, with keys looked up through the `mailroom-dns` `Resolver`.
//!
//! This crate is being built; its content arrives with the DKIM issue. Until then it exports
//! nothing.
//!
//! # What this crate does not do
//!
//! It does not evaluate DMARC (see `mailroom-dmarc`) or ARC.

#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::print_stdout)]
