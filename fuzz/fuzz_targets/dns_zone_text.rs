//! Zone text: never panics, and whatever parses survives rendering and parsing again.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom_dns::fuzzing::zone_text(data));
