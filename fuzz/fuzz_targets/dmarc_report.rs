//! DMARC aggregate reports as XML, gzip or zip: never panics; what parses, written and read
//! back, is a fixed point.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom_dmarc::fuzzing::report(data));
