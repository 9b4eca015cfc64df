//! Criterion benches for the Mailroom crates live in `benches/`; this library only names the
//! cryptographic backend they measure, so that each bench compares like with like.
//!
//! Run them with `cargo bench -p mailroom-benches` (ring) or with `--features aws-lc-rs`.

#![forbid(unsafe_code)]

/// The backend in use: ring, or aws-lc-rs with the `aws-lc-rs` feature. Both have the same API.
pub mod backend {
    #[cfg(feature = "aws-lc-rs")]
    pub use aws_lc_rs::*;
    #[cfg(not(feature = "aws-lc-rs"))]
    pub use ring::*;

    /// The backend's name, for bench group names.
    #[cfg(feature = "aws-lc-rs")]
    pub const NAME: &str = "aws-lc-rs";
    /// The backend's name, for bench group names.
    #[cfg(not(feature = "aws-lc-rs"))]
    pub const NAME: &str = "ring";
}
