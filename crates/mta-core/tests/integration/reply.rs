//! Replies (RFC 5321 §4.2) with enhanced status codes (RFC 3463, RFC 2034).

use mailroom_mta_core::{EnhancedCode, Error, Reply};

#[test]
fn single_and_multi_line_replies_are_written_and_read() {
    let reply = Reply::new(
        550,
        Some(EnhancedCode::new(5, 1, 1)),
        "no such user\nsee https://example.org",
    );
    assert_eq!(
        reply.to_string(),
        "550-5.1.1 no such user\r\n550 5.1.1 see https://example.org\r\n"
    );
    assert_eq!(Reply::parse(&reply.to_string()).unwrap(), reply);
    assert!(reply.is_permanent() && !reply.is_transient() && !reply.is_positive());
    let bare = Reply::parse("354\r\n").unwrap();
    assert_eq!(
        (bare.code, bare.enhanced, bare.text()),
        (354, None, String::new())
    );
    let lf = Reply::parse("250-mx.example.org\n250 SIZE 1000\n").unwrap();
    assert_eq!(lf.lines, ["mx.example.org", "SIZE 1000"]);
}

#[test]
fn enhanced_codes_are_read_only_when_their_class_matches() {
    let reply = Reply::parse("421 4.3.2 shutting down\r\n").unwrap();
    assert_eq!(reply.enhanced, Some(EnhancedCode::new(4, 3, 2)));
    assert!(reply.is_transient());
    let other = Reply::parse("250 5.0.0 odd\r\n").unwrap();
    assert_eq!(
        (other.enhanced, other.text()),
        (None, "5.0.0 odd".to_owned())
    );
    let not_code = Reply::parse("250 2.1 short\r\n").unwrap();
    assert_eq!(not_code.enhanced, None);
}

#[test]
fn control_characters_cannot_end_a_reply_line_early() {
    let reply = Reply::new(250, None, "ok\r\n250 injected");
    assert_eq!(reply.to_string(), "250-ok\r\n250 250 injected\r\n");
}

#[test]
fn only_the_line_end_is_taken_off_the_last_line() {
    // Found by the smtp_reply fuzz target: the last line lost a CR of its own text, so the
    // reply wrote out as one that read back different.
    let reply = Reply::parse("550 x\r\r\n").unwrap();
    assert_eq!(reply.lines, ["x\r"]);
    assert_eq!(Reply::parse(&reply.to_string()).unwrap(), reply);
    mailroom_mta_core::fuzzing::reply(b"550 5.\x02\0\0\0.\x02I\r\r\r\r\n");
}

#[test]
fn malformed_replies_are_errors_naming_the_problem() {
    for (text, problem) in [
        ("250 ok", "the reply does not end with a line end"),
        ("25 ok\r\n", "a line has no code"),
        ("650 ok\r\n", "a line has no code"),
        ("2x0 ok\r\n", "a line has no code"),
        ("250+ok\r\n", "a line has no code"),
        ("250-a\r\n251 b\r\n", "the lines have different codes"),
        (
            "250 a\r\n250 b\r\n",
            "only the last line may have a space after the code",
        ),
        (
            "250-a\r\n",
            "only the last line may have a space after the code",
        ),
    ] {
        assert_eq!(
            Reply::parse(text),
            Err(Error::Reply { problem }),
            "{text:?}"
        );
    }
}
