//! The client session: against the server session in memory (STYLE.md §3.5), and against
//! scripted servers for what our server never does (no EHLO, no PIPELINING, 421, garbage).

// The tests are the driver here: they start the clock.
#![allow(clippy::disallowed_methods)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use mailroom_mta_core::{
    ClientConfig, ClientSession, ClientStep, Decision, Delivery, DotStuffer, Envelope, Event,
    ForwardPath, Mailbox, MessageInfo, Recipient, Reply, ReversePath, ServerConfig, ServerSession,
    StartTls, Step, TlsMode,
};

fn envelope(from: &str, to: &[&str]) -> Envelope {
    let from = if from.is_empty() {
        ReversePath::Null
    } else {
        ReversePath::Mailbox(Mailbox::parse(from, true).unwrap())
    };
    Envelope {
        from,
        params: Default::default(),
        recipients: to
            .iter()
            .map(|to| Recipient {
                to: ForwardPath::Mailbox(Mailbox::parse(to, true).unwrap()),
                params: Default::default(),
            })
            .collect(),
        size: 0,
    }
}

/// A client and a server session joined in memory.
struct Pair {
    client: ClientSession,
    server: ServerSession,
    now: Instant,
    decide: Box<dyn FnMut(&Event) -> Decision>,
    message: Vec<u8>,
    received: Vec<(Envelope, Vec<u8>)>,
}

impl Pair {
    fn new(server: ServerConfig, client: ClientConfig) -> Self {
        let now = Instant::now();
        Self {
            client: ClientSession::new(client, now),
            server: ServerSession::new(Arc::new(server), now),
            now,
            decide: Box::new(|_| Decision::Accept),
            message: Vec::new(),
            received: Vec::new(),
        }
    }

    /// Runs both sides until the client has something for the caller.
    fn run(&mut self) -> ClientStep {
        for _ in 0..10_000 {
            loop {
                match self.server.next(self.now) {
                    Step::Write(bytes) => self.client.feed(&bytes),
                    Step::NeedInput | Step::Close => break,
                    Step::Event(event) => {
                        if let Event::Message(envelope) = &event {
                            let message = std::mem::take(&mut self.message);
                            self.received.push((envelope.clone(), message));
                        }
                        let decision = (self.decide)(&event);
                        self.server.decide(decision).unwrap();
                    }
                    Step::MessageData(bytes) => self.message.extend_from_slice(&bytes),
                    Step::DiscardMessage => self.message.clear(),
                    Step::StartTls => self.server.tls_established().unwrap(),
                    step => panic!("server: {step:?}"),
                }
            }
            match self.client.next(self.now) {
                ClientStep::Write(bytes) => self.server.feed(&bytes),
                ClientStep::NeedInput => {}
                ClientStep::StartTls => self.client.tls_established().unwrap(),
                step => return step,
            }
        }
        panic!("the sessions never stopped");
    }

    fn send(&mut self, envelope: Envelope, message: &[u8]) -> Delivery {
        assert_eq!(self.run(), ClientStep::Ready);
        self.client.send(envelope, message.to_vec()).unwrap();
        match self.run() {
            ClientStep::Sent(delivery) => delivery,
            step => panic!("{step:?}"),
        }
    }
}

#[test]
fn a_message_sent_in_pieces_arrives_as_the_whole_would() {
    let mut pair = Pair::new(
        ServerConfig::new("mx.example.org"),
        ClientConfig::new("client.example"),
    );
    let message = "Subject: pieces ü\r\n\r\n.dot\r\nline\r\n.\r\nno end".as_bytes();
    assert_eq!(pair.run(), ClientStep::Ready);
    let info = MessageInfo::of(message);
    pair.client
        .send_in_pieces(envelope("a@example.org", &["b@example.org"]), info)
        .unwrap();
    assert_eq!(pair.run(), ClientStep::SendData);
    // Until the data is written, nothing else may be done.
    assert_eq!(pair.client.next(pair.now), ClientStep::Waiting);
    let next = envelope("a@example.org", &["c@example.org"]);
    assert!(pair.client.send(next, b"x\r\n".to_vec()).is_err());
    let mut stuffer = DotStuffer::new();
    let mut out = Vec::new();
    for piece in message.chunks(3) {
        stuffer.push(piece, &mut out);
    }
    stuffer.finish(&mut out);
    pair.server.feed(&out);
    pair.client.data_sent(pair.now).unwrap();
    match pair.run() {
        ClientStep::Sent(delivery) => assert_eq!(delivery.accepted().count(), 1),
        step => panic!("{step:?}"),
    }
    let (envelope, received) = &pair.received[0];
    let mut whole = message.to_vec();
    whole.extend_from_slice(b"\r\n");
    assert_eq!(received, &whole);
    assert_eq!(envelope.params.size, Some(message.len() as u64));
    assert_eq!(
        envelope.params.body,
        Some(mailroom_mta_core::Body::EightBitMime)
    );
    assert!(pair.client.data_sent(pair.now).is_err(), "only once");
}

fn refuse(code: u16, text: &str) -> Decision {
    let class = u8::try_from(code / 100).unwrap();
    Decision::Reply(Reply::coded(code, (class, 1, 1), text))
}

#[test]
fn a_pipelined_message_gets_a_reply_per_recipient_and_arrives_unchanged() {
    let mut pair = Pair::new(
        ServerConfig::new("mx.example.org"),
        ClientConfig::new("client.example"),
    );
    pair.decide = Box::new(|event| match event {
        Event::Rcpt { to, .. } if to.to_string().contains("gone") => refuse(550, "no such user"),
        Event::Rcpt { to, .. } if to.to_string().contains("full") => refuse(452, "mailbox full"),
        _ => Decision::Accept,
    });
    let message = b"Subject: dots\r\n\r\n.leading dot\r\n..two\r\n.\r\nend\r\n";
    let delivery = pair.send(
        envelope(
            "a@example.org",
            &["b@example.org", "gone@example.org", "full@example.org"],
        ),
        message,
    );
    let names = |it: &mut dyn Iterator<Item = &ForwardPath>| -> Vec<String> {
        it.map(ToString::to_string).collect()
    };
    assert_eq!(names(&mut delivery.accepted()), ["<b@example.org>"]);
    assert_eq!(names(&mut delivery.permanent()), ["<gone@example.org>"]);
    assert_eq!(names(&mut delivery.transient()), ["<full@example.org>"]);
    assert_eq!(delivery.recipients[0].1.code, 250);
    let (envelope, received) = &pair.received[0];
    assert_eq!(received, message);
    assert_eq!(envelope.params.size, Some(message.len() as u64));
    assert_eq!(envelope.recipients.len(), 1);

    // A second message on the same session, then QUIT.
    let delivery = pair.send(envelope_with_utf8(), "Subject: ü\r\n\r\nx\r\n".as_bytes());
    assert_eq!(delivery.accepted().count(), 1);
    let (envelope, _) = &pair.received[1];
    assert!(envelope.params.smtputf8);
    assert_eq!(
        envelope.params.body,
        Some(mailroom_mta_core::Body::EightBitMime)
    );
    assert_eq!(pair.run(), ClientStep::Ready);
    pair.client.quit();
    assert_eq!(pair.run(), ClientStep::Close);
}

fn envelope_with_utf8() -> Envelope {
    let mut envelope = envelope("", &["b@example.org"]);
    envelope.recipients[0].to = ForwardPath::Mailbox(Mailbox {
        local: "jörg".to_owned(),
        domain: mailroom_mta_core::Domain::Name("bücher.example".to_owned()),
    });
    envelope
}

#[test]
fn starttls_then_auth_with_challenges() {
    let server = ServerConfig {
        tls: TlsMode::StartTls,
        auth_mechanisms: vec!["PLAIN".to_owned(), "LOGIN".to_owned()],
        ..ServerConfig::new("mx.example.org")
    };
    let client = ClientConfig {
        starttls: StartTls::Required,
        ..ClientConfig::new("client.example")
    };
    let mut pair = Pair::new(server, client);
    let mut responses = Vec::new();
    pair.decide = Box::new(move |event| match event {
        Event::Auth { mechanism, .. } if mechanism == "LOGIN" => {
            Decision::Challenge(b"Username:".to_vec())
        }
        Event::AuthResponse(bytes) => {
            responses.push(bytes.clone());
            if responses.len() == 1 {
                Decision::Challenge(b"Password:".to_vec())
            } else if bytes == b"secret" {
                Decision::Accept
            } else {
                Decision::Reply(Reply::coded(535, (5, 7, 8), "bad credentials"))
            }
        }
        _ => Decision::Accept,
    });
    assert_eq!(pair.run(), ClientStep::Ready);
    assert!(pair.client.is_tls());
    assert_eq!(pair.client.capabilities().auth, ["PLAIN", "LOGIN"]);
    assert!(!pair.client.capabilities().starttls);

    pair.client.authenticate("LOGIN", None).unwrap();
    assert_eq!(pair.run(), ClientStep::AuthChallenge(b"Username:".to_vec()));
    pair.client.auth_respond(b"tim").unwrap();
    assert_eq!(pair.run(), ClientStep::AuthChallenge(b"Password:".to_vec()));
    pair.client.auth_respond(b"secret").unwrap();
    let ClientStep::AuthResult(reply) = pair.run() else {
        panic!()
    };
    assert_eq!(reply.code, 235);
    assert!(pair.client.is_authenticated() && pair.server.is_authenticated());
    let delivery = pair.send(envelope("a@example.org", &["b@example.org"]), b"x\r\n");
    assert_eq!(delivery.accepted().count(), 1);
}

#[test]
fn a_refused_auth_and_a_cancelled_one_leave_the_session_usable() {
    let server = ServerConfig {
        tls: TlsMode::Implicit,
        auth_mechanisms: vec!["PLAIN".to_owned()],
        ..ServerConfig::new("mx.example.org")
    };
    let client = ClientConfig {
        implicit_tls: true,
        ..ClientConfig::new("client.example")
    };
    let mut pair = Pair::new(server, client);
    pair.decide = Box::new(|event| match event {
        Event::Auth {
            initial_response: None,
            ..
        } => Decision::Challenge(Vec::new()),
        Event::Auth { .. } => Decision::Reply(Reply::coded(535, (5, 7, 8), "bad credentials")),
        _ => Decision::Accept,
    });
    assert_eq!(pair.run(), ClientStep::Ready);
    pair.client
        .authenticate("PLAIN", Some(b"\0tim\0wrong"))
        .unwrap();
    let ClientStep::AuthResult(reply) = pair.run() else {
        panic!()
    };
    assert_eq!(reply.code, 535);
    pair.client.authenticate("PLAIN", None).unwrap();
    assert_eq!(pair.run(), ClientStep::AuthChallenge(Vec::new()));
    pair.client.auth_cancel().unwrap();
    let ClientStep::AuthResult(reply) = pair.run() else {
        panic!()
    };
    assert_eq!(reply.code, 501);
    assert!(!pair.client.is_authenticated());
    assert_eq!(pair.run(), ClientStep::Ready);
}

#[test]
fn a_refused_sender_refuses_every_recipient_with_its_reply() {
    let mut pair = Pair::new(
        ServerConfig::new("mx.example.org"),
        ClientConfig::new("client.example"),
    );
    pair.decide = Box::new(|event| match event {
        Event::Mail { .. } => Decision::Reply(Reply::coded(451, (4, 7, 1), "try later")),
        _ => Decision::Accept,
    });
    let delivery = pair.send(
        envelope("a@example.org", &["b@example.org", "c@example.org"]),
        b"x\r\n",
    );
    assert_eq!(delivery.transient().count(), 2);
    assert!(
        delivery
            .recipients
            .iter()
            .all(|(_, r)| r.text() == "try later")
    );
    assert!(pair.received.is_empty());
}

/// A scripted server: each call gives what the server says and returns what the client wrote
/// back before it next waits or stops.
struct Scripted {
    client: ClientSession,
    now: Instant,
}

impl Scripted {
    fn new(config: ClientConfig) -> Self {
        let now = Instant::now();
        Self {
            client: ClientSession::new(config, now),
            now,
        }
    }

    fn say(&mut self, text: &str) -> (String, ClientStep) {
        self.client.feed(text.as_bytes());
        let mut written = String::new();
        loop {
            match self.client.next(self.now) {
                ClientStep::Write(bytes) => written.push_str(&String::from_utf8(bytes).unwrap()),
                step => return (written, step),
            }
        }
    }
}

#[test]
fn a_server_without_ehlo_gets_helo_and_one_command_at_a_time() {
    let mut s = Scripted::new(ClientConfig::new("client.example"));
    assert_eq!(
        s.say("220 old.example\r\n"),
        ("EHLO client.example\r\n".into(), ClientStep::NeedInput)
    );
    assert_eq!(
        s.say("500 what?\r\n"),
        ("HELO client.example\r\n".into(), ClientStep::NeedInput)
    );
    assert_eq!(
        s.say("250 old.example\r\n"),
        (String::new(), ClientStep::Ready)
    );
    s.client
        .send(
            envelope("a@example.org", &["b@example.org", "c@example.org"]),
            b"Hi\r\n".to_vec(),
        )
        .unwrap();
    assert_eq!(
        s.say(""),
        (
            "MAIL FROM:<a@example.org>\r\n".into(),
            ClientStep::NeedInput
        )
    );
    assert_eq!(
        s.say("250 ok\r\n"),
        ("RCPT TO:<b@example.org>\r\n".into(), ClientStep::NeedInput)
    );
    assert_eq!(
        s.say("550 no\r\n"),
        ("RCPT TO:<c@example.org>\r\n".into(), ClientStep::NeedInput)
    );
    assert_eq!(
        s.say("250 ok\r\n"),
        ("DATA\r\n".into(), ClientStep::NeedInput)
    );
    assert_eq!(
        s.say("354 go\r\n"),
        ("Hi\r\n.\r\n".into(), ClientStep::NeedInput)
    );
    let (written, step) = s.say("250 queued as 1\r\n");
    assert_eq!(written, "");
    let ClientStep::Sent(delivery) = step else {
        panic!("{step:?}")
    };
    assert_eq!(delivery.recipients[0].1.text(), "no");
    assert_eq!(delivery.recipients[1].1.text(), "queued as 1");
    // Every recipient refused: RSET, no DATA.
    s.client
        .send(
            envelope("a@example.org", &["b@example.org"]),
            b"Hi\r\n".to_vec(),
        )
        .unwrap();
    assert_eq!(s.say("").0, "MAIL FROM:<a@example.org>\r\n");
    assert_eq!(s.say("250 ok\r\n").0, "RCPT TO:<b@example.org>\r\n");
    assert_eq!(s.say("550 no\r\n").0, "RSET\r\n");
    assert!(matches!(s.say("250 ok\r\n").1, ClientStep::Sent(d) if d.permanent().count() == 1));
}

#[test]
fn every_recipient_refused_in_a_pipeline_ends_data_with_an_empty_message() {
    let mut s = Scripted::new(ClientConfig::new("client.example"));
    s.say("220 mx\r\n");
    s.say("250-mx\r\n250-PIPELINING\r\n250 SIZE 100\r\n");
    s.client
        .send(envelope("", &["b@example.org"]), b"Hi\r\n".to_vec())
        .unwrap();
    let (written, _) = s.say("");
    assert_eq!(
        written,
        "MAIL FROM:<> SIZE=4\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"
    );
    assert_eq!(s.say("250 ok\r\n550 no\r\n354 go\r\n").0, ".\r\n");
    let (_, step) = s.say("554 no valid recipients\r\n");
    let ClientStep::Sent(delivery) = step else {
        panic!("{step:?}")
    };
    assert_eq!(delivery.recipients[0].1.text(), "no");
    // Too large for the server's SIZE: refused without asking.
    s.client
        .send(envelope("", &["b@example.org"]), vec![b'x'; 101])
        .unwrap();
    let (written, step) = s.say("");
    assert_eq!(written, "");
    let ClientStep::Sent(delivery) = step else {
        panic!("{step:?}")
    };
    assert_eq!(
        delivery.recipients[0].1.to_string(),
        "552 5.3.4 the message is larger than the server's limit of 100 octets\r\n"
    );
}

#[test]
fn failures_end_the_session_with_the_reason() {
    // TLS required but not offered.
    let mut s = Scripted::new(ClientConfig {
        starttls: StartTls::Required,
        ..ClientConfig::new("c")
    });
    s.say("220 mx\r\n");
    let (written, step) = s.say("250 mx\r\n");
    assert_eq!(written, "");
    assert!(
        matches!(&step, ClientStep::Failed(r) if r.code == 454),
        "{step:?}"
    );
    assert_eq!(
        s.client.next(s.now),
        ClientStep::Write(b"QUIT\r\n".to_vec())
    );
    assert_eq!(s.client.next(s.now), ClientStep::Close);

    // A refused greeting.
    let mut s = Scripted::new(ClientConfig::new("c"));
    assert!(matches!(s.say("554 go away\r\n").1, ClientStep::Failed(r) if r.code == 554));

    // 421 in the middle of a transaction.
    let mut s = Scripted::new(ClientConfig::new("c"));
    s.say("220 mx\r\n");
    s.say("250 mx\r\n");
    s.client
        .send(envelope("", &["b@example.org"]), b"x\r\n".to_vec())
        .unwrap();
    s.say("");
    assert!(
        matches!(s.say("421 4.3.2 shutting down\r\n").1, ClientStep::Failed(r) if r.code == 421)
    );

    // A malformed reply.
    let mut s = Scripted::new(ClientConfig::new("c"));
    assert!(
        matches!(s.say("hello there\r\n").1, ClientStep::Failed(r) if r.enhanced.map(|e| e.to_string()) == Some("4.5.0".into()))
    );

    // A server that goes quiet.
    let mut s = Scripted::new(ClientConfig::new("c"));
    assert_eq!(s.say("220 mx\r\n").1, ClientStep::NeedInput);
    s.now += Duration::from_secs(301);
    assert!(
        matches!(s.say("").1, ClientStep::Failed(r) if r.code == 421 && r.text().contains("timed out"))
    );
}

#[test]
fn the_client_forgets_what_the_server_sent_before_the_tls_handshake() {
    let mut s = Scripted::new(ClientConfig::new("c"));
    s.say("220 mx\r\n");
    assert_eq!(s.say("250-mx\r\n250 STARTTLS\r\n").0, "STARTTLS\r\n");
    // A man in the middle appends a forged reply to the 220 (the reverse injection).
    assert_eq!(
        s.say("220 go ahead\r\n250-evil\r\n250 AUTH PLAIN\r\n").1,
        ClientStep::StartTls
    );
    s.client.tls_established().unwrap();
    let (written, step) = s.say("");
    assert_eq!(
        (written.as_str(), step),
        ("EHLO c\r\n", ClientStep::NeedInput)
    );
    assert_eq!(s.say("250 mx\r\n").1, ClientStep::Ready);
    assert!(s.client.capabilities().auth.is_empty());
}

#[test]
fn lmtp_gives_a_reply_per_recipient_after_the_data() {
    let config = ClientConfig {
        lmtp: true,
        starttls: StartTls::Never,
        ..ClientConfig::new("mx.example.org")
    };
    let mut s = Scripted::new(config);
    assert_eq!(
        s.say("220 dovecot LMTP ready\r\n").0,
        "LHLO mx.example.org\r\n"
    );
    assert_eq!(
        s.say("250-dovecot\r\n250 PIPELINING\r\n").1,
        ClientStep::Ready
    );
    s.client
        .send(
            envelope(
                "a@example.org",
                &["b@example.org", "c@example.org", "d@example.org"],
            ),
            b"Hi\r\n".to_vec(),
        )
        .unwrap();
    let (written, _) = s.say("");
    assert_eq!(
        written,
        "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nRCPT TO:<d@example.org>\r\nDATA\r\n"
    );
    assert_eq!(
        s.say("250 ok\r\n250 ok\r\n550 5.1.1 unknown\r\n250 ok\r\n354 go\r\n")
            .0,
        "Hi\r\n.\r\n"
    );
    // One reply for b, then one for d.
    assert_eq!(
        s.say("250 2.0.0 b saved\r\n"),
        (String::new(), ClientStep::NeedInput)
    );
    let (_, step) = s.say("452 4.2.2 d is over quota\r\n");
    let ClientStep::Sent(delivery) = step else {
        panic!("{step:?}")
    };
    let texts: Vec<String> = delivery.recipients.iter().map(|(_, r)| r.text()).collect();
    assert_eq!(texts, ["b saved", "unknown", "d is over quota"]);
    assert_eq!(delivery.transient().count(), 1);

    // LMTP has no HELO: a server refusing LHLO ends the session.
    let mut s = Scripted::new(ClientConfig {
        lmtp: true,
        ..ClientConfig::new("mx")
    });
    s.say("220 x\r\n");
    assert!(matches!(s.say("500 what\r\n").1, ClientStep::Failed(r) if r.code == 500));
}
