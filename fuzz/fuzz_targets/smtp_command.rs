//! SMTP command lines: never panics; what parses writes out and parses back the same.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom_mta_core::fuzzing::command(data));
