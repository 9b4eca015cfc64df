//! DKIM key records: never panics.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom_dkim::fuzzing::key_record(data));
