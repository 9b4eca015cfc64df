//! Replays SMTP dialogues from `tests/data/*.txt` against the sans-IO server session, with no
//! sockets (STYLE.md §3.5).
//!
//! A transcript is a list of lines:
//! - `C: text` is sent by the client, with CRLF; `C< text` is sent as it is, without CRLF.
//!   Both read `\r`, `\n`, `\\` and `\xHH` as escapes. Client lines in a row are sent together,
//!   as a pipelining client does.
//! - `S: text` is the next line the server must write.
//! - `!: word ...` is a driver action or check:
//!   - `config key=value ...` (first): `tls=starttls|implicit`, `auth=PLAIN,LOGIN`,
//!     `auth_without_tls`, `max_recipients=N`, `max_errors=N`, `max_message_size=N`,
//!     `no_chunking`, `no_dsn`, `no_smtputf8`;
//!   - `decide CODE X.Y.Z text` answers the next event with that reply, `challenge text`
//!     with a SASL challenge, `accept` with acceptance, in the order the events come (once
//!     these run out, events are accepted);
//!   - `event text` checks that this event comes (later than the last one checked);
//!   - `data text` checks the last complete message's data; `discard` that a message was
//!     thrown away; `no message` that no message was completed;
//!   - `tls` checks that the session asked for a TLS handshake and completes it;
//!   - `wait SECONDS` lets time pass; `closed` checks that the session closed.

// The test is the driver here: it reads the transcript files and starts the clock.
#![allow(clippy::disallowed_methods)]

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mailroom_mta_core::{
    Decision, EnhancedCode, Event, Reply, ServerConfig, ServerSession, Step, TlsMode,
};

/// Why driving the session stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Input,
    Tls,
    Closed,
}

struct Replay {
    name: String,
    session: ServerSession,
    now: Instant,
    pending_input: Vec<u8>,
    needs_drive: bool,
    stop: Stop,
    output: String,
    decisions: VecDeque<Decision>,
    log: Vec<String>,
    checked: usize,
    message: Vec<u8>,
    messages: Vec<Vec<u8>>,
}

impl Replay {
    fn new(name: &str, config: ServerConfig) -> Self {
        let now = Instant::now();
        Self {
            name: name.to_owned(),
            session: ServerSession::new(Arc::new(config), now),
            now,
            pending_input: Vec::new(),
            needs_drive: true,
            stop: Stop::Input,
            output: String::new(),
            decisions: VecDeque::new(),
            log: Vec::new(),
            checked: 0,
            message: Vec::new(),
            messages: Vec::new(),
        }
    }

    fn drive(&mut self) {
        if !std::mem::take(&mut self.needs_drive) {
            return;
        }
        if !self.pending_input.is_empty() {
            self.session.feed(&std::mem::take(&mut self.pending_input));
        }
        for _ in 0..100_000 {
            match self.session.next(self.now) {
                Step::Write(bytes) => {
                    let text = String::from_utf8(bytes).unwrap();
                    assert!(text.ends_with("\r\n"), "{}: output {text:?}", self.name);
                    self.output.push_str(&text);
                }
                Step::NeedInput => {
                    self.stop = Stop::Input;
                    return;
                }
                Step::Event(event) => {
                    let summary = summarize(&event);
                    if let Event::Message(_) = event {
                        self.messages.push(std::mem::take(&mut self.message));
                    }
                    self.log.push(summary);
                    let decision = self.decisions.pop_front().unwrap_or(Decision::Accept);
                    self.session.decide(decision).unwrap();
                }
                Step::MessageData(bytes) => self.message.extend_from_slice(&bytes),
                Step::DiscardMessage => {
                    self.message.clear();
                    self.log.push("discard".to_owned());
                }
                Step::StartTls => {
                    self.stop = Stop::Tls;
                    return;
                }
                Step::Close => {
                    self.stop = Stop::Closed;
                    return;
                }
                step => panic!("{}: unexpected {step:?}", self.name),
            }
        }
        panic!("{}: the session never stopped", self.name);
    }

    fn expect_line(&mut self, line: &str) {
        self.drive();
        let expected = format!("{line}\r\n");
        assert!(
            self.output.starts_with(&expected),
            "{}: expected {expected:?}, the server wrote {:?}",
            self.name,
            self.output
        );
        self.output.drain(..expected.len());
    }

    fn action(&mut self, action: &str) {
        let (word, rest) = action.split_once(' ').unwrap_or((action, ""));
        match word {
            "decide" => self.decisions.push_back(Decision::Reply(reply(rest))),
            "accept" => self.decisions.push_back(Decision::Accept),
            "challenge" => self
                .decisions
                .push_back(Decision::Challenge(unescape(rest))),
            "event" => {
                self.drive();
                let found = self.log[self.checked..].iter().position(|e| e == rest);
                let Some(at) = found else {
                    panic!(
                        "{}: no event {rest:?} in {:?}",
                        self.name,
                        &self.log[self.checked..]
                    );
                };
                self.checked += at + 1;
            }
            "data" => {
                self.drive();
                let last = self.messages.last().expect("a message");
                assert_eq!(
                    String::from_utf8_lossy(last),
                    String::from_utf8_lossy(&unescape(rest)),
                    "{}",
                    self.name
                );
            }
            "discard" => self.action("event discard"),
            "no" => {
                self.drive();
                assert!(
                    self.messages.is_empty(),
                    "{}: a message was completed",
                    self.name
                );
            }
            "tls" => {
                self.drive();
                assert_eq!(self.stop, Stop::Tls, "{}", self.name);
                self.session.tls_established().unwrap();
                self.needs_drive = true;
            }
            "wait" => {
                self.drive();
                self.now += Duration::from_secs(rest.parse().unwrap());
                self.needs_drive = true;
            }
            "closed" => {
                self.drive();
                assert_eq!(self.stop, Stop::Closed, "{}", self.name);
            }
            _ => panic!("{}: unknown action {action:?}", self.name),
        }
    }

    fn finish(mut self) {
        self.drive();
        assert!(
            self.output.is_empty(),
            "{}: the server also wrote {:?}",
            self.name,
            self.output
        );
    }
}

fn summarize(event: &Event) -> String {
    match event {
        Event::Connect => "connect".to_owned(),
        Event::Ehlo { domain, extended } => {
            format!("{} {domain}", if *extended { "EHLO" } else { "HELO" })
        }
        Event::Auth {
            mechanism,
            initial_response,
        } => match initial_response {
            Some(bytes) => format!("AUTH {mechanism} {}", escape(bytes)),
            None => format!("AUTH {mechanism}"),
        },
        Event::AuthResponse(bytes) => format!("AUTH-RESPONSE {}", escape(bytes)),
        Event::Mail { from, params } => format!("MAIL {from}{params}"),
        Event::Rcpt { to, params } => format!("RCPT {to}{params}"),
        Event::Message(envelope) => {
            let to: Vec<String> = envelope
                .recipients
                .iter()
                .map(|r| r.to.to_string())
                .collect();
            format!(
                "MESSAGE {} {} {}",
                envelope.from,
                to.join(","),
                envelope.size
            )
        }
        other => format!("{other:?}"),
    }
}

fn reply(text: &str) -> Reply {
    let mut words = text.splitn(3, ' ');
    let code = words.next().unwrap().parse().unwrap();
    let enhanced = words.next().unwrap();
    let parts: Vec<u16> = enhanced.split('.').map(|p| p.parse().unwrap()).collect();
    let enhanced = EnhancedCode::new(u8::try_from(parts[0]).unwrap(), parts[1], parts[2]);
    Reply::new(code, Some(enhanced), words.next().unwrap_or(""))
}

fn config(options: &str) -> ServerConfig {
    let mut config = ServerConfig::new("mx.example.org");
    for option in options.split_whitespace() {
        let (key, value) = option.split_once('=').unwrap_or((option, ""));
        match key {
            "tls" if value == "starttls" => config.tls = TlsMode::StartTls,
            "tls" if value == "implicit" => config.tls = TlsMode::Implicit,
            "auth" => config.auth_mechanisms = value.split(',').map(str::to_owned).collect(),
            "auth_without_tls" => config.auth_without_tls = true,
            "max_recipients" => config.max_recipients = value.parse().unwrap(),
            "max_errors" => config.max_errors = value.parse().unwrap(),
            "max_message_size" => config.max_message_size = value.parse().unwrap(),
            "no_chunking" => config.chunking = false,
            "no_dsn" => config.dsn = false,
            "no_smtputf8" => config.smtputf8 = false,
            _ => panic!("unknown config option {option:?}"),
        }
    }
    config
}

fn unescape(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'\\' && at + 1 < bytes.len() {
            match bytes[at + 1] {
                b'r' => out.push(b'\r'),
                b'n' => out.push(b'\n'),
                b'\\' => out.push(b'\\'),
                b'x' => {
                    let hex = std::str::from_utf8(&bytes[at + 2..at + 4]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    at += 2;
                }
                other => panic!("unknown escape \\{}", other as char),
            }
            at += 2;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    out
}

fn escape(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

fn replay(path: &Path) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .peekable();
    let options = match lines.peek() {
        Some(line) if line.starts_with("!: config") => {
            let options = line["!: config".len()..].to_owned();
            lines.next();
            options
        }
        _ => String::new(),
    };
    let mut run = Replay::new(&name, config(&options));
    for line in lines {
        let (tag, rest) = line.split_at(2.min(line.len()));
        let rest = rest.strip_prefix(' ').unwrap_or(rest);
        match tag {
            "C:" => {
                run.pending_input.extend(unescape(rest));
                run.pending_input.extend_from_slice(b"\r\n");
                run.needs_drive = true;
            }
            "C<" => {
                run.pending_input.extend(unescape(rest));
                run.needs_drive = true;
            }
            "S:" => run.expect_line(rest),
            "!:" => run.action(rest),
            _ => panic!("{name}: cannot read {line:?}"),
        }
    }
    run.finish();
}

#[test]
fn every_transcript_replays() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 10, "transcripts in {}", dir.display());
    // Every transcript runs, and the failures are reported together.
    let failed: Vec<String> = paths
        .iter()
        .filter(|path| std::panic::catch_unwind(|| replay(path)).is_err())
        .map(|path| path.display().to_string())
        .collect();
    assert!(failed.is_empty(), "failed transcripts: {failed:#?}");
}
