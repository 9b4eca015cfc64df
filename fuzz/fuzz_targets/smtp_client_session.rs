//! The SMTP client session: arbitrary server bytes in arbitrary pieces never panic or hang it.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom_mta_core::fuzzing::client_session(data));
