//! Properties: parsing never panics; what is written parses back the same.

use mailroom_mta_core::fuzzing;
use proptest::prelude::*;

proptest! {
    #[test]
    fn command_lines_never_panic_and_round_trip(line in "\\PC{0,80}") {
        fuzzing::command(line.as_bytes());
    }

    #[test]
    fn command_shaped_lines_round_trip(
        verb in "(MAIL FROM:|RCPT TO:|mail from:|rcpt to:)",
        local in "[a-z0-9.+_-]{1,12}|\"[ -~]{0,10}\"",
        domain in "[a-z0-9-]{1,10}(\\.[a-z0-9-]{1,10}){0,3}|\\[192\\.0\\.2\\.[0-9]{1,3}\\]",
        params in "( SIZE=[0-9]{1,6}| BODY=(7BIT|8BITMIME)| NOTIFY=(NEVER|SUCCESS,DELAY)| ENVID=[!-<>-~]{1,8}| REQUIRETLS){0,3}",
    ) {
        let line = format!("{verb}<{local}@{domain}>{params}");
        fuzzing::command(line.as_bytes());
    }

    #[test]
    fn replies_never_panic_and_round_trip(text in "([2-5][0-5][0-9][ -][ -~]{0,20}\r\n){1,4}|\\PC{0,60}") {
        fuzzing::reply(text.as_bytes());
    }
}

proptest! {
    #[test]
    fn data_in_any_chunks_reads_the_same(input in proptest::collection::vec(
        prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'.'), any::<u8>()], 0..300)) {
        fuzzing::data(&input);
    }

    #[test]
    fn stuffed_bodies_unstuff_to_themselves(lines in proptest::collection::vec("[.a-z ]{0,20}", 0..10)) {
        let message: Vec<u8> = lines.iter().flat_map(|l| format!("{l}\r\n").into_bytes()).collect();
        let mut stuffed = Vec::new();
        mailroom_mta_core::dot_stuff(&message, &mut stuffed);
        let mut reader = mailroom_mta_core::DataReader::new(1 << 20);
        let mut out = Vec::new();
        prop_assert_eq!(reader.feed(&stuffed, &mut out), stuffed.len());
        prop_assert!(reader.finish().is_ok());
        prop_assert_eq!(out, message);
    }

    #[test]
    fn stuffing_in_pieces_is_stuffing_whole(
        message in proptest::collection::vec(
            prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'.'), any::<u8>()], 0..300),
        cuts in proptest::collection::vec(0..300_usize, 0..8),
    ) {
        let mut whole = Vec::new();
        mailroom_mta_core::dot_stuff(&message, &mut whole);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(message.len())).collect();
        cuts.sort_unstable();
        let mut pieces = Vec::new();
        let mut stuffer = mailroom_mta_core::DotStuffer::new();
        let mut from = 0;
        for cut in cuts.into_iter().chain([message.len()]) {
            stuffer.push(&message[from..cut], &mut pieces);
            from = cut;
        }
        stuffer.finish(&mut pieces);
        prop_assert_eq!(pieces, whole);
    }
}

proptest! {
    #[test]
    fn the_server_session_survives_any_bytes(input in proptest::collection::vec(any::<u8>(), 0..400)) {
        fuzzing::server_session(&input);
    }

    #[test]
    fn the_server_session_survives_command_shaped_input(
        flags in any::<u8>(),
        lines in proptest::collection::vec(
            "(EHLO a.example|HELO b|MAIL FROM:<a@b.example>|RCPT TO:<c@d.example>|DATA|BDAT [0-9] LAST|BDAT 3|RSET|NOOP|STARTTLS|AUTH PLAIN|AUTH LOGIN dGlt|\\*|dGlt|QUIT|\\.|[ -~]{0,12})(\r\n|\n|\r)",
            0..40,
        ),
    ) {
        let mut input = vec![flags];
        input.extend(lines.concat().into_bytes());
        fuzzing::server_session(&input);
    }
}

proptest! {
    #[test]
    fn the_client_session_survives_any_server(
        flags in any::<u8>(),
        replies in proptest::collection::vec(
            "(220 mx|250 ok|250-mx|250 PIPELINING|250-STARTTLS|250 SIZE 5|354 go|334 dGlt|334 %%|421 bye|500 no|550 no|451 later|[ -~]{0,8})(\r\n|\n)",
            0..30,
        ),
    ) {
        let mut input = vec![flags];
        input.extend(replies.concat().into_bytes());
        fuzzing::client_session(&input);
    }
}

proptest! {
    #[test]
    fn proxy_headers_never_panic(data in proptest::collection::vec(any::<u8>(), 0..120)) {
        fuzzing::proxy_header(&data);
    }

    #[test]
    fn proxy_v1_headers_read_back(
        a in any::<[u8; 4]>(), b in any::<[u8; 4]>(), sport in any::<u16>(), dport in any::<u16>(),
        rest in proptest::collection::vec(any::<u8>(), 0..20),
    ) {
        let line = format!(
            "PROXY TCP4 {} {} {sport} {dport}\r\n",
            std::net::Ipv4Addr::from(a),
            std::net::Ipv4Addr::from(b)
        );
        let mut input = line.clone().into_bytes();
        input.extend(rest);
        let (header, used) = mailroom_mta_core::parse_proxy_header(&input).unwrap().unwrap();
        prop_assert_eq!(used, line.len());
        let mailroom_mta_core::ProxyHeader::Proxied { source, destination } = header else {
            panic!("{header:?}")
        };
        prop_assert_eq!((source.port(), destination.port()), (sport, dport));
        fuzzing::proxy_header(&input);
    }
}

/// The committed fuzz seeds (the transcripts' client sides) pass the fuzz body too.
#[test]
fn the_server_session_fuzz_seeds_pass() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus/smtp_server_session");
    let mut count = 0;
    #[allow(clippy::disallowed_methods)] // the test reads the committed seeds
    for entry in std::fs::read_dir(dir).unwrap() {
        let seed = std::fs::read(entry.unwrap().path()).unwrap();
        for flags in 0..=u8::MAX {
            let mut input = seed.clone();
            input[0] = flags;
            fuzzing::server_session(&input);
        }
        count += 1;
    }
    assert!(count >= 10);
}
