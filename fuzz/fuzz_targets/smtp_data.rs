//! SMTP message data: never panics; any chunking reads the same message and outcome.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom_mta_core::fuzzing::data(data));
