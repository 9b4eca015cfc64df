//! Private key files, in every form `SigningKey::from_key_file` reads: never panics.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom_dkim::fuzzing::private_key(data));
