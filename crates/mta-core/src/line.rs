//! Command lines out of the client's bytes (RFC 5321 §2.3.8, §4.5.3.1.4): a line ends only at
//! CRLF, is at most 512 octets, and what was buffered can be thrown away at STARTTLS so that
//! nothing sent before the handshake is read after it (the injection attack of RFC 3207 §6,
//! CVE-2011-0411).

use crate::command::MAX_COMMAND_LINE;
use crate::error::Error;

/// Splits the client's bytes into command lines.
///
/// ```
/// use mailroom_mta_core::LineReader;
/// let mut lines = LineReader::new();
/// lines.push(b"EHLO client.example\r\nMAIL FROM:<a@exa");
/// assert_eq!(lines.next_line(), Some(Ok("EHLO client.example".to_owned())));
/// assert_eq!(lines.next_line(), None); // the rest has not arrived yet
/// lines.push(b"mple.org>\r\n");
/// assert_eq!(lines.next_line(), Some(Ok("MAIL FROM:<a@example.org>".to_owned())));
/// ```
#[derive(Debug, Clone)]
pub struct LineReader {
    buffer: Vec<u8>,
    /// Octets of an over-long line are being skipped up to its end.
    skipping: bool,
    /// The longest line accepted, CRLF included.
    limit: usize,
}

impl Default for LineReader {
    fn default() -> Self {
        Self::with_limit(MAX_COMMAND_LINE)
    }
}

impl LineReader {
    /// An empty reader of lines of at most [`MAX_COMMAND_LINE`] octets.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty reader of lines of at most `limit` octets, CRLF included: a server that offers
    /// AUTH reads lines of up to [`MAX_AUTH_LINE`](crate::MAX_AUTH_LINE) (RFC 4954 §4) and checks the shorter limit
    /// of other commands when it parses them.
    pub fn with_limit(limit: usize) -> Self {
        Self {
            buffer: Vec::new(),
            skipping: false,
            limit,
        }
    }

    /// Adds bytes from the client.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next complete line without its CRLF, or the problem with it; `None` until a whole
    /// line has arrived. A bad line is consumed, so reading goes on with the next one.
    pub fn next_line(&mut self) -> Option<Result<String, Error>> {
        let Some(lf) = memchr::memchr(b'\n', &self.buffer) else {
            if self.buffer.len() >= self.limit {
                // Keep the last octet: it may be the CR of the CRLF still to come.
                let keep = usize::from(self.buffer.last() == Some(&b'\r'));
                self.buffer.drain(..self.buffer.len() - keep);
                self.skipping = true;
            }
            return None;
        };
        let line: Vec<u8> = self.buffer.drain(..=lf).collect();
        if std::mem::take(&mut self.skipping) || line.len() > self.limit {
            return Some(Err(Error::TooLong {
                part: "command line",
                limit: self.limit,
            }));
        }
        let Some(text) = line.strip_suffix(b"\r\n") else {
            return Some(Err(Error::BareLineEnd));
        };
        if text.contains(&b'\r') {
            return Some(Err(Error::BareLineEnd));
        }
        Some(String::from_utf8(text.to_vec()).map_err(|_| Error::Syntax {
            part: "command line (not UTF-8)",
        }))
    }

    /// Takes whatever has arrived after the last line read: the start of message data after
    /// DATA or BDAT, which the data reader continues with.
    pub fn take_buffered(&mut self) -> Vec<u8> {
        self.skipping = false;
        std::mem::take(&mut self.buffer)
    }

    /// Throws away everything buffered (RFC 3207 §4.2: at STARTTLS, nothing sent before the
    /// handshake may be read after it). Returns how many octets were dropped, for the log.
    pub fn discard(&mut self) -> usize {
        self.skipping = false;
        let dropped = self.buffer.len();
        self.buffer.clear();
        dropped
    }

    /// How many octets are buffered.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }
}
