//! The DATA reader: dot-unstuffing, the end only at CRLF.CRLF, the SMTP smuggling variants
//! refused, limits enforced without losing sync, any chunking.

use mailroom_mta_core::{DataReader, Error, MAX_TEXT_LINE, dot_stuff};

/// Reads `input` in chunks of `chunk` octets: (message, octets used, result).
fn read(input: &[u8], chunk: usize, max: u64) -> (Vec<u8>, usize, Result<(), Error>) {
    let mut reader = DataReader::new(max);
    let mut out = Vec::new();
    let mut used = 0;
    for piece in input.chunks(chunk.max(1)) {
        let n = reader.feed(piece, &mut out);
        used += n;
        if reader.is_done() {
            break;
        }
        assert_eq!(n, piece.len(), "before the end every octet is used");
    }
    (out, used, reader.finish())
}

#[test]
fn unstuffs_and_stops_at_the_end_in_any_chunking() {
    let input =
        b"From: a@example.org\r\n\r\n..leading dot\r\n.\r\n...\r\nlast\r\n.\r\nMAIL FROM:<>\r\n";
    for chunk in 1..=input.len() {
        let (message, used, result) = read(input, chunk, 1_000);
        assert_eq!(result, Ok(()), "chunk {chunk}");
        assert_eq!(
            message, b"From: a@example.org\r\n\r\n.leading dot\r\n",
            "chunk {chunk}"
        );
        assert_eq!(
            &input[used..],
            b"...\r\nlast\r\n.\r\nMAIL FROM:<>\r\n",
            "chunk {chunk}"
        );
    }
    let (message, _, result) = read(b".\r\n", 1, 10);
    assert_eq!((message, result), (Vec::new(), Ok(())), "an empty message");
}

#[test]
fn smuggling_variants_are_never_an_end_and_are_refused() {
    // Each would end the data for a lenient reader; here the data goes on to the real end.
    for variant in ["\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\r", "\r\n.\n"] {
        let input = format!("Subject: x\r\n\r\nbody{variant}MAIL FROM:<evil@example.org>\r\n.\r\n");
        let (_, used, result) = read(input.as_bytes(), 7, 10_000);
        assert_eq!(
            used,
            input.len(),
            "{variant:?}: the end is the real CRLF.CRLF"
        );
        assert_eq!(result, Err(Error::BareLineEnd), "{variant:?}");
        assert_eq!(
            Error::BareLineEnd.reply().to_string(),
            "550 5.6.0 the message has a bare CR or LF, which SMTP does not allow\r\n"
        );
    }
}

#[test]
fn limits_are_reported_at_the_end_without_losing_sync() {
    let long = format!("{}\r\n.\r\nQUIT\r\n", "x".repeat(MAX_TEXT_LINE - 1));
    let (_, used, result) = read(long.as_bytes(), 100, 1_000_000);
    assert_eq!(&long.as_bytes()[used..], b"QUIT\r\n");
    assert_eq!(
        result,
        Err(Error::TooLong {
            part: "message line",
            limit: MAX_TEXT_LINE
        })
    );
    let fits = format!("{}\r\n.\r\n", "x".repeat(MAX_TEXT_LINE - 2));
    assert_eq!(read(fits.as_bytes(), 100, 1_000_000).2, Ok(()));

    let big = format!("{}\r\n.\r\nQUIT\r\n", "y".repeat(500));
    let (message, used, result) = read(big.as_bytes(), 64, 100);
    assert_eq!(&big.as_bytes()[used..], b"QUIT\r\n");
    assert_eq!(result, Err(Error::MessageTooLarge { limit: 100 }));
    assert!(message.len() <= 100, "nothing past the limit is kept");
    assert_eq!(
        Error::MessageTooLarge { limit: 100 }.reply().to_string(),
        "552 5.3.4 the message is larger than 100 octets\r\n"
    );
}

#[test]
fn data_cut_short_is_an_error() {
    let (_, _, result) = read(b"Subject: x\r\n\r\nno end", 4, 100);
    assert!(matches!(result, Err(Error::Syntax { .. })));
}

#[test]
fn stuffing_and_unstuffing_are_inverse() {
    for message in [
        &b""[..],
        b"a\r\n",
        b".\r\n",
        b"..\r\n.x\r\n",
        b"no final line end",
        b"\r\n.\r\n.\r\n",
    ] {
        let mut stuffed = Vec::new();
        dot_stuff(message, &mut stuffed);
        let (out, used, result) = read(&stuffed, 3, 1_000);
        assert_eq!(result, Ok(()), "{message:?}");
        assert_eq!(used, stuffed.len());
        let mut expected = message.to_vec();
        if !expected.is_empty() && !expected.ends_with(b"\r\n") {
            expected.extend_from_slice(b"\r\n");
        }
        assert_eq!(out, expected, "{message:?}");
    }
}
