//! The pieces a session is built from: command-line framing (with the STARTTLS injection
//! defence) and the EHLO extensions.

use mailroom_mta_core::{Capabilities, Error, LineReader, MAX_COMMAND_LINE, Reply};

#[test]
fn lines_end_only_at_crlf_and_bad_lines_are_consumed() {
    let mut lines = LineReader::new();
    lines.push(b"NOOP\nQUIT\r\nRSET\rX\r\nHELO a\r\n");
    assert_eq!(lines.next_line(), Some(Err(Error::BareLineEnd)));
    assert_eq!(lines.next_line(), Some(Ok("QUIT".to_owned())));
    assert_eq!(lines.next_line(), Some(Err(Error::BareLineEnd)));
    assert_eq!(lines.next_line(), Some(Ok("HELO a".to_owned())));
    assert_eq!(lines.next_line(), None);
    lines.push(b"\xff\xfe\r\n");
    assert!(matches!(lines.next_line(), Some(Err(Error::Syntax { .. }))));
}

#[test]
fn an_over_long_line_is_skipped_to_its_end_without_growing_the_buffer() {
    let mut lines = LineReader::new();
    for _ in 0..100 {
        lines.push(&[b'x'; 100]);
        assert_eq!(lines.next_line(), None);
        assert!(lines.buffered() <= MAX_COMMAND_LINE);
    }
    lines.push(b"\r\nQUIT\r\n");
    assert!(matches!(
        lines.next_line(),
        Some(Err(Error::TooLong { limit: 512, .. }))
    ));
    assert_eq!(lines.next_line(), Some(Ok("QUIT".to_owned())));
    let exact = format!("{}\r\n", "y".repeat(MAX_COMMAND_LINE - 2));
    lines.push(exact.as_bytes());
    assert!(matches!(lines.next_line(), Some(Ok(_))));
}

#[test]
fn starttls_discards_what_was_sent_before_the_handshake() {
    // The injection attack: commands pipelined behind STARTTLS in the clear must not be read
    // once TLS is up (RFC 3207 §6).
    let mut lines = LineReader::new();
    lines.push(b"STARTTLS\r\nRSET\r\nMAIL FROM:<evil@example.org>\r\n");
    assert_eq!(lines.next_line(), Some(Ok("STARTTLS".to_owned())));
    assert_eq!(
        lines.discard(),
        "RSET\r\nMAIL FROM:<evil@example.org>\r\n".len()
    );
    assert_eq!(lines.next_line(), None);
    lines.push(b"EHLO client.example\r\n");
    assert_eq!(
        lines.next_line(),
        Some(Ok("EHLO client.example".to_owned()))
    );
}

#[test]
fn data_after_the_command_is_handed_over() {
    let mut lines = LineReader::new();
    lines.push(b"DATA\r\nSubject: x\r\n");
    assert_eq!(lines.next_line(), Some(Ok("DATA".to_owned())));
    assert_eq!(lines.take_buffered(), b"Subject: x\r\n");
    assert_eq!(lines.buffered(), 0);
}

#[test]
fn ehlo_extensions_are_written_and_read_back() {
    let caps = Capabilities {
        pipelining: true,
        size: Some(52_428_800),
        eight_bit_mime: true,
        binary_mime: false,
        chunking: true,
        smtputf8: true,
        enhanced_status_codes: true,
        dsn: true,
        starttls: true,
        requiretls: true,
        auth: vec!["PLAIN".into(), "LOGIN".into(), "SCRAM-SHA-256".into()],
    };
    let reply = caps.ehlo_reply("mx.example.org", "hello");
    let text = reply.to_string();
    assert!(
        text.starts_with("250-mx.example.org hello\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n"),
        "{text}"
    );
    assert!(
        text.ends_with("250 AUTH PLAIN LOGIN SCRAM-SHA-256\r\n"),
        "{text}"
    );
    assert_eq!(
        Capabilities::from_ehlo_reply(&Reply::parse(&text).unwrap()),
        caps
    );
    // What real servers send: lower case, SIZE without a number, the obsolete AUTH=.
    let other = Reply::parse("250-smtp.example.com\r\n250-size\r\n250-AUTH=LOGIN\r\n250-auth login plain\r\n250 X-UNKNOWN 1\r\n").unwrap();
    let read = Capabilities::from_ehlo_reply(&other);
    assert_eq!(
        (read.size, read.auth),
        (Some(0), vec!["LOGIN".to_owned(), "PLAIN".to_owned()])
    );
}
