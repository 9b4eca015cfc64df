//! The PROXY protocol header (v1 and v2): never panics; a header reads the same whole and needs
//! more from any prefix.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom_mta_core::fuzzing::proxy_header(data));
