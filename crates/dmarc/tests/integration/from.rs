//! The From domain (RFC 9989 §4.4): exactly one From field with exactly one address.

use mailroom_dmarc::{Error, FromProblem, from_domain};

macro_rules! from_cases {
    ($($name:ident: $message:expr => $expected:expr;)*) => {$(
        #[test]
        fn $name() {
            let expected: Result<&str, FromProblem> = $expected;
            let got = from_domain($message.as_bytes()).map_err(|e| match e {
                Error::FromHeader { problem } => problem,
                other => panic!("{other:?}"),
            });
            assert_eq!(got.as_ref().map(String::as_str).map_err(|p| *p), expected);
        }
    )*};
}

from_cases! {
    plain: "From: joe@example.com\r\n\r\nx" => Ok("example.com");
    display_name_and_case: "From: \"Joe, Jr.\" <Joe@Mail.Example.COM>\r\n\r\nx" => Ok("mail.example.com");
    folded: "From: Joe\r\n <joe@example.com>\r\nSubject: x\r\n\r\nx" => Ok("example.com");
    encoded_word_name: "From: =?utf-8?q?J=C3=B6rg?= <jorg@example.com>\r\n\r\nx" => Ok("example.com");
    idn_domain: "From: jörg@bücher.example\r\n\r\nx" => Ok("xn--bcher-kva.example");
    no_from: "To: ann@example.net\r\n\r\nx" => Err(FromProblem::Missing);
    two_from_fields: "From: a@example.com\r\nFrom: b@example.net\r\n\r\nx" => Err(FromProblem::Multiple);
    two_addresses: "From: a@example.com, b@example.net\r\n\r\nx" => Err(FromProblem::NotOneAddress);
    empty_from: "From: \r\n\r\nx" => Err(FromProblem::NotOneAddress);
    bare_word_is_a_name_not_an_address: "From: joe\r\n\r\nx" => Err(FromProblem::NotOneAddress);
    no_domain: "From: <joe>\r\n\r\nx" => Err(FromProblem::NoDomain);
    bad_domain: "From: joe@a..b\r\n\r\nx" => Err(FromProblem::NoDomain);
    name_in_any_case: "FROM: joe@example.com\r\n\r\nx" => Ok("example.com");
    obsolete_blank_before_colon: "From : joe@example.com\r\n\r\nx" => Ok("example.com");
    lf_line_ends: "Subject: x\nFrom: joe@example.com\n\nx" => Ok("example.com");
    among_many_fields: "Received: from a by b\r\nDKIM-Signature: v=1;\r\n h=from:to\r\nFrom: joe@example.com\r\nTo: x@y.example\r\n\r\nx" => Ok("example.com");
    from_like_names_are_not_from: "From-Name: a@example.net\r\nFromage: b@example.net\r\nFrom: joe@example.com\r\n\r\nx" => Ok("example.com");
    from_in_the_body_is_not_a_field: "From: joe@example.com\r\n\r\nFrom: other@example.net\r\n" => Ok("example.com");
    continuation_lines_do_not_start_fields: "Subject: x\r\n From: other@example.net\r\nFrom: joe@example.com\r\n\r\nx" => Ok("example.com");
    folded_second_from_still_counts: "From: a@example.com\r\nFrom:\r\n b@example.net\r\n\r\nx" => Err(FromProblem::Multiple);
    header_only: "From: joe@example.com" => Ok("example.com");
}

proptest::proptest! {
    #[test]
    fn any_header_section_gives_domains_or_a_named_problem(
        lines in proptest::collection::vec("(From|FROM|To|Subject|From-X| )[ ]?:?[ -~]{0,30}", 0..6),
        lf in proptest::bool::ANY,
    ) {
        let end = if lf { "\n" } else { "\r\n" };
        let message = format!("{}{end}{end}body", lines.join(end));
        match mailroom_dmarc::from_domains(message.as_bytes()) {
            Ok(domains) => proptest::prop_assert!(!domains.is_empty()),
            Err(Error::FromHeader { .. }) => {}
            Err(other) => proptest::prop_assert!(false, "{other:?}"),
        }
    }
}
