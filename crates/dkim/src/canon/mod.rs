//! Canonicalization (RFC 6376 §3.4): header fields one at a time, the body as a stream.

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
mod body;
mod header;
#[cfg(target_arch = "x86_64")]
mod kernel;
mod scan;

pub use body::BodyCanonicalizer;
pub(crate) use body::{Kernels, Output, PIECE};
pub use header::canonicalize_header;
