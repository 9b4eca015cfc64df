//! SPF evaluation over a fuzzed zone: never panics or hangs, stays within the limits.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| mailroom_spf::fuzzing::evaluate(data));
