//! Authentication-Results values: never panics; what parses renders and parses back equal.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom_dmarc::fuzzing::auth_results(data));
