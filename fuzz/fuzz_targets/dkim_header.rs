//! Header field canonicalization: never panics, idempotent, blind to the white space relaxed
//! ignores.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom_dkim::fuzzing::header(data));
