//! SASL PLAIN, LOGIN and SCRAM-SHA-256 server messages: never panics.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom_sasl::fuzzing::messages(data));
