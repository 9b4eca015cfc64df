//! Whole replies out of the server's bytes: lines are collected up to the one with a space
//! after the code (RFC 5321 §4.2.1), within limits a hostile server cannot push past.

use crate::error::Error;
use crate::line::LineReader;
use crate::reply::{Reply, parse_line};

/// The longest reply line read; RFC 5321 §4.5.3.1.5 allows 512 octets, servers send longer.
const MAX_REPLY_LINE: usize = 2048;

/// The most lines in one reply.
const MAX_REPLY_LINES: usize = 100;

/// Splits a server's bytes into replies.
#[derive(Debug)]
pub(crate) struct ReplyReader {
    lines: LineReader,
    text: String,
    count: usize,
}

impl ReplyReader {
    pub(crate) fn new() -> Self {
        Self {
            lines: LineReader::with_limit(MAX_REPLY_LINE),
            text: String::new(),
            count: 0,
        }
    }

    pub(crate) fn push(&mut self, bytes: &[u8]) {
        self.lines.push(bytes);
    }

    /// Throws away what is buffered (at STARTTLS, as on the server side).
    pub(crate) fn discard(&mut self) -> usize {
        self.text.clear();
        self.count = 0;
        self.lines.discard()
    }

    /// The next whole reply, or its problem; `None` until it has arrived.
    pub(crate) fn next_reply(&mut self) -> Option<Result<Reply, Error>> {
        loop {
            let Ok(line) = self.lines.next_line()? else {
                return Some(Err(Error::Reply {
                    problem: "a line is malformed or too long",
                }));
            };
            let Some((_, last, _)) = parse_line(&line) else {
                return Some(Err(Error::Reply {
                    problem: "a line has no code",
                }));
            };
            self.text.push_str(&line);
            self.text.push_str("\r\n");
            self.count += 1;
            if last {
                self.count = 0;
                return Some(Reply::parse(&std::mem::take(&mut self.text)));
            }
            if self.count >= MAX_REPLY_LINES {
                return Some(Err(Error::Reply {
                    problem: "the reply has too many lines",
                }));
            }
        }
    }
}
