//! DMARC (RFC 9989, compatible with RFC 7489): record discovery, the organizational domain,
//! identifier alignment, the policy result, and aggregate reports (RFC 9990).
//!
//! This crate is being built; its content arrives with the DMARC issue. Until then it exports
//! nothing.
//!
//! # What this crate does not do
//!
//! It does not verify SPF or DKIM itself: it takes their results as input.

#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::print_stdout)]
