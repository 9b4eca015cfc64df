//! Fuzz bodies, shared by the cargo-fuzz targets in `fuzz/` and the proptest properties.

use crate::{Command, Reply};

/// A command line: parsing never panics, and a command that parses writes out as a line that
/// parses back to the same command.
pub fn command(data: &[u8]) {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    for utf8 in [false, true] {
        if let Ok(command) = Command::parse(line, utf8) {
            let written = command.to_string();
            let again = Command::parse(&written, utf8)
                .unwrap_or_else(|e| panic!("{line:?} wrote {written:?}: {e}"));
            assert_eq!(again, command, "{line:?} wrote {written:?}");
        } else if let Err(error) = Command::parse(line, utf8) {
            let reply = error.reply();
            assert!(reply.is_permanent(), "{reply}");
        }
    }
}

/// A reply: parsing never panics, and a reply that parses writes out as text that parses back
/// to the same reply.
pub fn reply(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(reply) = Reply::parse(text) {
        let written = reply.to_string();
        let again = Reply::parse(&written).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(again, reply, "{text:?} wrote {written:?}");
    }
}

/// Message data: reading never panics, stays within what was fed, and, in chunks of any size,
/// gives the same message and outcome as in one piece.
pub fn data(input: &[u8]) {
    let split = input.first().map_or(1, |b| usize::from(*b % 16) + 1);
    let whole = read(input, input.len().max(1));
    let chunked = read(input, split);
    assert_eq!(whole, chunked, "chunks of {split}");
    assert!(whole.1 <= input.len());
}

fn read(input: &[u8], chunk: usize) -> (Vec<u8>, usize, Result<(), crate::Error>) {
    let mut reader = crate::DataReader::new(1 << 20);
    let mut out = Vec::new();
    let mut used = 0;
    for piece in input.chunks(chunk) {
        used += reader.feed(piece, &mut out);
        if reader.is_done() {
            break;
        }
    }
    (out, used, reader.finish())
}

/// A server session fed arbitrary bytes in arbitrary pieces, with decisions drawn from the
/// input: it never panics or loops, writes only whole well-formed replies, never asks to wait
/// when every event was answered, and stays closed once closed.
pub fn server_session(data: &[u8]) {
    use crate::{Decision, EnhancedCode, Event, ServerConfig, ServerSession, Step, TlsMode};
    use std::sync::Arc;
    use std::time::Duration;

    let Some((&flags, input)) = data.split_first() else {
        return;
    };
    let mut config = ServerConfig::new("mx.example.org");
    config.tls = match flags % 3 {
        0 => TlsMode::None,
        1 => TlsMode::StartTls,
        _ => TlsMode::Implicit,
    };
    if flags & 4 != 0 {
        config.auth_mechanisms = vec!["PLAIN".to_owned(), "LOGIN".to_owned()];
    }
    config.max_message_size = 200;
    config.max_recipients = 3;
    config.max_errors = 1 + usize::from(flags >> 4);
    // One instant to start from; the session only ever compares instants it is given.
    #[allow(clippy::disallowed_methods)]
    let mut now = std::time::Instant::now();
    let mut session = ServerSession::new(Arc::new(config), now);
    let mut pieces = input.chunks(usize::from(flags >> 3).max(1));
    let mut choices = input.iter().rev().cycle();
    let mut message_octets = 0;
    for _ in 0..100_000 + 100 * input.len() {
        match session.next(now) {
            Step::Write(bytes) => check_replies(&bytes),
            Step::NeedInput => match pieces.next() {
                Some(piece) => session.feed(piece),
                // The input is over: let the client time out.
                None => now += Duration::from_secs(3600),
            },
            Step::Event(event) => {
                let choice = choices.next().copied().unwrap_or(0);
                let decision = match (choice % 8, &event) {
                    (_, Event::Connect) => Decision::Accept,
                    (0..=2, Event::Auth { .. } | Event::AuthResponse(_)) => {
                        Decision::Challenge(vec![choice])
                    }
                    (1, _) => {
                        Decision::Reply(Reply::new(550, Some(EnhancedCode::new(5, 7, 1)), "no"))
                    }
                    (2, _) => Decision::Reply(Reply::new(451, None, "later")),
                    _ => Decision::Accept,
                };
                assert!(session.decide(decision).is_ok(), "{event:?}");
            }
            Step::MessageData(bytes) => {
                message_octets += bytes.len();
                assert!(message_octets <= input.len());
            }
            Step::DiscardMessage => message_octets = 0,
            Step::StartTls => assert!(session.tls_established().is_ok()),
            Step::Waiting => panic!("waiting with every event answered"),
            Step::Close => {
                assert_eq!(session.next(now), Step::Close, "a closed session went on");
                return;
            }
        }
    }
    panic!("the session did not finish");
}

/// A write is whole replies: lines of three digits, a space or hyphen and text, each reply
/// ending with a line whose fourth octet is a space, and each parsing as a reply.
fn check_replies(bytes: &[u8]) {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|_| panic!("{bytes:?}"));
    assert!(text.ends_with("\r\n"), "{text:?}");
    let mut reply_start = 0;
    let mut at = 0;
    for line in text.split_inclusive("\r\n") {
        let head = line.as_bytes();
        assert!(
            head.len() >= 6
                && head[..3].iter().all(u8::is_ascii_digit)
                && (head[3] == b' ' || head[3] == b'-')
                && !line[..line.len() - 2].contains(['\r', '\n']),
            "{line:?}"
        );
        at += line.len();
        if head[3] == b' ' {
            let reply = &text[reply_start..at];
            assert!(Reply::parse(reply).is_ok(), "{reply:?}");
            reply_start = at;
        }
    }
    assert_eq!(reply_start, text.len(), "an unfinished reply: {text:?}");
}

/// A client session fed arbitrary server bytes in arbitrary pieces, sending one message when
/// ready: it never panics or loops, and every step it gives is one the caller can act on.
pub fn client_session(data: &[u8]) {
    use crate::{ClientConfig, ClientSession, ClientStep, Envelope, ForwardPath, Recipient};
    use crate::{Mailbox, ReversePath, StartTls};
    use std::time::Duration;

    let Some((&flags, input)) = data.split_first() else {
        return;
    };
    let mut config = ClientConfig::new("client.example");
    config.starttls = match flags % 3 {
        0 => StartTls::Never,
        1 => StartTls::Opportunistic,
        _ => StartTls::Required,
    };
    // One instant to start from; the session only ever compares instants it is given.
    #[allow(clippy::disallowed_methods)]
    let mut now = std::time::Instant::now();
    let mut client = ClientSession::new(config, now);
    let mut pieces = input.chunks(usize::from(flags >> 3).max(1));
    let mut sent = false;
    let mailbox = Mailbox {
        local: "a".to_owned(),
        domain: crate::Domain::Name("example.org".to_owned()),
    };
    for _ in 0..100_000 + 100 * input.len() {
        match client.next(now) {
            ClientStep::Write(bytes) => assert!(bytes.ends_with(b"\r\n")),
            ClientStep::NeedInput => match pieces.next() {
                Some(piece) => client.feed(piece),
                None => now += Duration::from_secs(3600),
            },
            ClientStep::StartTls => assert!(client.tls_established().is_ok()),
            ClientStep::AuthChallenge(_) => assert!(client.auth_cancel().is_ok()),
            ClientStep::Ready if !sent => {
                sent = true;
                let envelope = Envelope {
                    from: ReversePath::Mailbox(mailbox.clone()),
                    params: crate::MailParameters::default(),
                    recipients: vec![Recipient {
                        to: ForwardPath::Mailbox(mailbox.clone()),
                        params: crate::RcptParameters::default(),
                    }],
                    size: 0,
                };
                let message = b"Subject: x\r\n\r\n.\r\n".to_vec();
                // Whole, or in pieces the caller writes when the server is ready.
                let started = if flags & 4 == 0 {
                    client.send(envelope, message)
                } else {
                    client.send_in_pieces(envelope, crate::MessageInfo::of(&message))
                };
                assert!(started.is_ok());
            }
            ClientStep::SendData => assert!(client.data_sent(now).is_ok()),
            ClientStep::Ready => client.quit(),
            ClientStep::AuthResult(_) | ClientStep::Sent(_) | ClientStep::Failed(_) => {}
            ClientStep::Waiting => panic!("waiting with nothing asked of the caller"),
            ClientStep::Close => return,
        }
    }
    panic!("the client session did not finish");
}

/// A PROXY header: reading never panics, takes no more than it was given, and a header that
/// reads from a longer input reads the same from exactly its own octets, and needs more from
/// any shorter prefix.
pub fn proxy_header(data: &[u8]) {
    let Ok(Some((header, used))) = crate::parse_proxy_header(data) else {
        return;
    };
    assert!(used <= data.len());
    assert_eq!(
        crate::parse_proxy_header(&data[..used]),
        Ok(Some((header, used)))
    );
    for cut in 0..used {
        assert_eq!(
            crate::parse_proxy_header(&data[..cut]),
            Ok(None),
            "cut at {cut}"
        );
    }
}
