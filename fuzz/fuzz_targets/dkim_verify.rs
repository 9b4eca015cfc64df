//! Whole messages through the verifier: never panics, never passes without a key.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom_dkim::fuzzing::verify(data));
