//! DMARC records: never panics; what parses renders and parses back to the same tags.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom_dmarc::fuzzing::record(data));
