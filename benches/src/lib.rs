//! Criterion benches for the Mailroom crates live in `benches/`; this library is empty.
//!
//! Run them with `cargo bench -p mailroom-benches`.

#![forbid(unsafe_code)]
