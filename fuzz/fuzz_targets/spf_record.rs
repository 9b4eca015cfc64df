//! SPF records: never panics; what parses prints and parses back equal.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom_spf::fuzzing::record(data));
