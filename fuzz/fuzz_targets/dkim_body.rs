//! Body canonicalization: never panics, chunk-independent, idempotent; the body hash hashes it.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom_dkim::fuzzing::body(data));
