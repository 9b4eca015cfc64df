//! OAUTHBEARER (RFC 7628 §4 examples) and its error path.

use mailroom_sasl::{BearerRequest, Error, error_challenge, is_error_acknowledgement};

#[test]
fn rfc7628_examples() {
    // §4.1, without the GS2 authzid.
    let request = BearerRequest::parse(
        b"n,,\x01host=server.example.com\x01port=587\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01",
    )
    .unwrap();
    assert_eq!(
        (request.authzid.as_deref(), request.port),
        (None, Some(587))
    );
    assert!(
        !format!("{request:?}").contains("vF9d"),
        "Debug never shows the token"
    );
    // §4.3: a refused token gets a JSON challenge, the client answers %x01.
    assert_eq!(
        error_challenge("invalid_token", Some("example_scope"), Some("https://example.com/.well-known/openid-configuration")),
        br#"{"status":"invalid_token","scope":"example_scope","openid-configuration":"https://example.com/.well-known/openid-configuration"}"#
    );
    assert!(is_error_acknowledgement(b"\x01"));
    assert!(!is_error_acknowledgement(b"\x01\x01"));
}

#[test]
fn malformed_responses() {
    assert_eq!(
        BearerRequest::parse(b"p=tls-unique,,\x01auth=Bearer abc\x01\x01"),
        Err(Error::ChannelBinding)
    );
    for bad in [
        &b""[..],
        b"n,,",
        b"n,,\x01auth=Bearer abc\x01",
        b"n,,\x01auth=Basic abc\x01\x01",
        b"n,,\x01auth=Bearer \x01\x01",
        b"n,,\x01host=x\x01\x01",
        b"n,,\x01port=99999\x01auth=Bearer abc\x01\x01",
        b"x,,\x01auth=Bearer abc\x01\x01",
        b"n,,\x01auth=Bearer a\"b\x01\x01",
    ] {
        assert!(
            matches!(BearerRequest::parse(bad), Err(Error::Malformed { .. })),
            "{bad:?}"
        );
    }
    assert_eq!(error_challenge("a\"b", None, None), br#"{"status":"a\"b"}"#);
}
