//! The SMTP server session: arbitrary bytes in arbitrary pieces never panic, hang or produce a
//! malformed reply.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom_mta_core::fuzzing::server_session(data));
