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
}
