//! Properties: hostile zone text and names never panic, and zones survive rendering.

use mailroom_dns::fuzzing;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_bytes_as_zone_text(data in proptest::collection::vec(any::<u8>(), 0..256)) {
        fuzzing::zone_text(&data);
    }

    #[test]
    fn zone_shaped_text(text in r#"([a-zA-Z0-9\-_.]{1,20}\.? ( [0-9]{1,6})?( IN)? (A ([0-9]{1,3}\.){3}[0-9]{1,3}|AAAA [0-9a-f:]{2,12}|MX [0-9]{1,5} [a-z.]{1,10}|TXT( "([ -!#-\[\]-~]|\\[0-9]{3}|\\")*"){1,3}|CNAME [a-z.]{1,10}|PTR [a-z.]{1,10}|TIMEOUT)( ;[ -~]*)?\n){1,6}"#) {
        fuzzing::zone_text(text.as_bytes());
    }

    #[test]
    fn any_name(name in "[a-zA-Z0-9\\-_.äöü。\u{3002}]{0,80}") {
        fuzzing::name(name.as_bytes());
    }

    #[test]
    fn rendering_round_trips(records in proptest::collection::vec(
        ("[a-z]{1,8}(\\.[a-z0-9_\\-]{1,8}){0,3}", 0u32..100_000, proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 1..4)),
        1..8,
    )) {
        let mut zone = mailroom_dns::Zone::new();
        for (name, ttl, strings) in records {
            zone.insert_with_ttl(&name, ttl, mailroom_dns::RecordData::Txt(mailroom_dns::Txt::new(strings))).unwrap();
        }
        let again = mailroom_dns::Zone::from_text(&zone.to_string()).unwrap();
        prop_assert_eq!(again, zone);
    }
}
