//! SPF macro-strings: parsing and expansion never panic; what parses prints back the same.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom_spf::fuzzing::macro_string(data));
