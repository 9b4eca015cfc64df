//! Properties: any bytes never panic the record parser, and parsed records render back equal.

use mailroom_dmarc::fuzzing;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_bytes(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        fuzzing::record(&data);
    }

    #[test]
    fn record_shaped(text in "v=DMARC1(; ?(p|sp|np)=(none|quarantine|reject|x)| ?(adkim|aspf)=[rsx]| ?pct=[0-9]{1,3}| ?t=[yn]| ?psd=[ynu]| ?rua=mailto:[a-z]{1,5}@[a-z]{1,5}\\.example| ?fo=[01ds](:[01ds])?| ?ri=[0-9]{1,6}| ?[a-z]{1,4}=[a-z]{0,4}){0,8};?") {
        fuzzing::record(text.as_bytes());
    }
}
