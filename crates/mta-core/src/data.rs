//! The DATA reader (RFC 5321 §4.1.1.4, §4.5.2): removes dot-stuffing, ends the message only at
//! `CRLF.CRLF`, and refuses a bare CR or LF anywhere (the SMTP smuggling attacks), a line over
//! 1000 octets and a message over the size limit, all without losing sync with the client: it
//! keeps reading to the real end of the data and reports the first problem there.
//!
//! Sans-IO: bytes go in as they arrive, the unstuffed message comes out into the caller's
//! buffer, and the caller writes it wherever it keeps messages, chunk by chunk.

use crate::error::Error;

/// The longest text line, CRLF included (RFC 5321 §4.5.3.1.6).
pub const MAX_TEXT_LINE: usize = 1000;

/// Where the reader is within a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a line (and of the message).
    LineStart,
    /// Inside a line.
    Text,
    /// After a CR inside a line.
    Cr,
    /// After a `.` at the start of a line.
    Dot,
    /// After `.` CR at the start of a line.
    DotCr,
    /// The end of the data has been read.
    Done,
}

/// Reads the DATA of one message.
///
/// ```
/// use mailroom_mta_core::DataReader;
/// let mut reader = DataReader::new(1_000_000);
/// let mut message = Vec::new();
/// let input = b"Subject: hi\r\n\r\n..a line starting with a dot\r\n.\r\nQUIT\r\n";
/// let used = reader.feed(input, &mut message);
/// assert!(reader.is_done());
/// assert_eq!(&input[used..], b"QUIT\r\n"); // the next command, pipelined
/// assert_eq!(message, b"Subject: hi\r\n\r\n.a line starting with a dot\r\n");
/// assert_eq!(reader.finish(), Ok(()));
/// ```
#[derive(Debug, Clone)]
pub struct DataReader {
    state: State,
    max_size: u64,
    size: u64,
    line: usize,
    error: Option<Error>,
}

impl DataReader {
    /// A reader for a message of at most `max_size` octets (after unstuffing).
    pub fn new(max_size: u64) -> Self {
        Self {
            state: State::LineStart,
            max_size,
            size: 0,
            line: 0,
            error: None,
        }
    }

    /// Whether the end of the data (`CRLF.CRLF`) has been read.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// The size of the message so far, in octets.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Reads `input`, appending the unstuffed message to `out` (nothing more once a problem has
    /// been found), and returns how many octets of `input` it used: all of them until the end
    /// of the data, after which the rest belongs to the next command.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> usize {
        let mut at = 0;
        while at < input.len() && self.state != State::Done {
            if self.state == State::Text {
                // The fast path: copy up to the next CR or LF at once.
                let rest = &input[at..];
                let run = memchr::memchr2(b'\r', b'\n', rest).unwrap_or(rest.len());
                self.line += run;
                self.emit(&rest[..run], out);
                at += run;
                if at == input.len() {
                    break;
                }
            }
            self.step(input[at], out);
            at += 1;
        }
        at
    }

    /// Ends the message: `Ok` when it was read whole and clean, else the first problem (whose
    /// [`Error::reply`] is the reply to the end of the data).
    ///
    /// # Errors
    ///
    /// [`Error::BareLineEnd`], [`Error::TooLong`] for a line, [`Error::MessageTooLarge`], or
    /// [`Error::Syntax`] when the end of the data was not reached.
    pub fn finish(self) -> Result<(), Error> {
        if let Some(error) = self.error {
            return Err(error);
        }
        if self.state != State::Done {
            return Err(Error::Syntax {
                part: "message data (it did not end with CRLF.CRLF)",
            });
        }
        Ok(())
    }

    /// One octet in a state other than the fast path's.
    fn step(&mut self, byte: u8, out: &mut Vec<u8>) {
        self.line += 1;
        self.state = match (self.state, byte) {
            (State::LineStart, b'.') => State::Dot,
            (State::LineStart | State::Text, b'\r') => State::Cr,
            (State::Cr, b'\n') => {
                self.emit(b"\r\n", out);
                self.end_line()
            }
            (State::DotCr, b'\n') => State::Done,
            // A dot at the start of a line with more after it is removed (§4.5.2).
            (State::Dot, b'\r') => State::DotCr,
            (State::Dot | State::LineStart | State::Text, b'\n') | (State::DotCr, _) => {
                // A bare LF, or `.` CR not followed by LF: never a line end (§2.3.8).
                self.fail(Error::BareLineEnd);
                if self.state == State::DotCr {
                    self.emit(b"\r", out);
                }
                self.text(byte, out)
            }
            (State::Cr, _) => {
                self.fail(Error::BareLineEnd);
                self.emit(b"\r", out);
                self.text(byte, out)
            }
            (State::Dot | State::LineStart | State::Text, _) => self.text(byte, out),
            (State::Done, _) => State::Done,
        };
    }

    /// An ordinary octet of a line (a CR starts a possible line end).
    fn text(&mut self, byte: u8, out: &mut Vec<u8>) -> State {
        if byte == b'\r' {
            return State::Cr;
        }
        self.emit(&[byte], out);
        State::Text
    }

    fn end_line(&mut self) -> State {
        if self.line > MAX_TEXT_LINE {
            self.fail(Error::TooLong {
                part: "message line",
                limit: MAX_TEXT_LINE,
            });
        }
        self.line = 0;
        State::LineStart
    }

    fn emit(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        self.size += bytes.len() as u64;
        if self.size > self.max_size {
            self.fail(Error::MessageTooLarge {
                limit: self.max_size,
            });
        }
        if self.error.is_none() {
            out.extend_from_slice(bytes);
        }
    }

    fn fail(&mut self, error: Error) {
        self.error.get_or_insert(error);
    }
}

/// Dot-stuffs a message for sending with DATA (RFC 5321 §4.5.2) and appends the end
/// `.CRLF`: a line that starts with `.` gets another, and the message is ended with CRLF
/// first if it does not end with one. Line ends are expected to be CRLF already.
///
/// ```
/// let mut out = Vec::new();
/// mailroom_mta_core::dot_stuff(b"a\r\n.b\r\n", &mut out);
/// assert_eq!(out, b"a\r\n..b\r\n.\r\n");
/// ```
pub fn dot_stuff(message: &[u8], out: &mut Vec<u8>) {
    out.reserve(message.len() + 5);
    let mut stuffer = DotStuffer::new();
    stuffer.push(message, out);
    stuffer.finish(out);
}

/// [`dot_stuff`] for a message that comes in pieces: each piece is stuffed as it comes, so a
/// large message is sent without being held whole. The pieces may split lines anywhere.
///
/// ```
/// use mailroom_mta_core::DotStuffer;
///
/// let mut out = Vec::new();
/// let mut stuffer = DotStuffer::new();
/// for piece in [&b"a\r\n"[..], b".", b"b"] {
///     stuffer.push(piece, &mut out);
/// }
/// stuffer.finish(&mut out);
/// assert_eq!(out, b"a\r\n..b\r\n.\r\n");
/// ```
#[derive(Debug, Clone)]
pub struct DotStuffer {
    line_start: bool,
    /// The last two octets pushed, to know whether the message ended with CRLF.
    last: [u8; 2],
    empty: bool,
}

impl Default for DotStuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl DotStuffer {
    /// A stuffer at the start of a message.
    pub fn new() -> Self {
        Self {
            line_start: true,
            last: [0; 2],
            empty: true,
        }
    }

    /// Appends the next piece of the message to `out`, stuffed.
    pub fn push(&mut self, piece: &[u8], out: &mut Vec<u8>) {
        let mut rest = piece;
        while !rest.is_empty() {
            if self.line_start && rest[0] == b'.' {
                out.push(b'.');
            }
            let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |at| at + 1);
            out.extend_from_slice(&rest[..end]);
            self.line_start = rest[end - 1] == b'\n';
            rest = &rest[end..];
        }
        match piece {
            [] => {}
            [one] => self.last = [self.last[1], *one],
            [.., a, b] => self.last = [*a, *b],
        }
        self.empty &= piece.is_empty();
    }

    /// Ends the message: CRLF if it did not end with one, then `.CRLF`.
    pub fn finish(self, out: &mut Vec<u8>) {
        if !self.empty && self.last != *b"\r\n" {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b".\r\n");
    }
}
