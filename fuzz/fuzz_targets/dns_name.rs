//! Domain names: never panics, and the ASCII form is a fixed point.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom_dns::fuzzing::name(data));
