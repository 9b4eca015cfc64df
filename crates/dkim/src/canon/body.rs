//! Body canonicalization (RFC 6376 §3.4.3, §3.4.4) over a stream of chunks.

use crate::signature::Canonicalization;

/// Canonicalizes a body fed in chunks of any size, so a large message is never held whole.
///
/// Line ends are CRLF, as SMTP delivers them. Empty lines at the end of the body are held back
/// until more content shows they are not at the end (§3.4.3), and with relaxed, white space is
/// held back until the line shows it is not trailing (§3.4.4).
///
/// ```
/// use mailroom_dkim::{BodyCanonicalizer, Canonicalization};
/// let mut canon = BodyCanonicalizer::new(Canonicalization::Relaxed);
/// let mut out = Vec::new();
/// for chunk in [&b" C \r\nD \t E\r"[..], b"\n\r\n\r\n"] {
///     canon.update(chunk, &mut |bytes| out.extend_from_slice(bytes));
/// }
/// canon.finish(&mut |bytes| out.extend_from_slice(bytes));
/// assert_eq!(out, b" C\r\nD E\r\n"); // RFC 6376 §3.4.6
/// ```
#[derive(Debug, Clone)]
pub struct BodyCanonicalizer {
    canonicalization: Canonicalization,
    /// CRLFs seen but not yet written: the body may end here.
    pending_lines: usize,
    /// Relaxed only: white space seen in the current line but not yet written.
    pending_space: bool,
    /// A CR ended the last chunk; whether it starts a CRLF depends on the next byte.
    pending_cr: bool,
    /// Whether any content has been written, so the body is not empty.
    wrote_content: bool,
}

impl BodyCanonicalizer {
    /// A canonicalizer at the start of a body.
    pub fn new(canonicalization: Canonicalization) -> Self {
        Self {
            canonicalization,
            pending_lines: 0,
            pending_space: false,
            pending_cr: false,
            wrote_content: false,
        }
    }

    /// Canonicalizes the next chunk, passing output to `out` in slices.
    pub fn update(&mut self, mut chunk: &[u8], out: &mut impl FnMut(&[u8])) {
        if self.pending_cr {
            self.pending_cr = false;
            match chunk.first() {
                Some(b'\n') => {
                    self.line_end();
                    chunk = &chunk[1..];
                }
                Some(_) => self.content(b"\r", out),
                None => {
                    self.pending_cr = true;
                    return;
                }
            }
        }
        let relaxed = self.canonicalization == Canonicalization::Relaxed;
        while !chunk.is_empty() {
            // The next byte that needs attention: CR always, and white space under relaxed.
            let special = if relaxed {
                memchr::memchr3(b'\r', b' ', b'\t', chunk)
            } else {
                memchr::memchr(b'\r', chunk)
            };
            let Some(at) = special else {
                self.content(chunk, out);
                return;
            };
            if at > 0 {
                self.content(&chunk[..at], out);
            }
            match chunk[at] {
                b'\r' => match chunk.get(at + 1) {
                    Some(b'\n') => {
                        self.line_end();
                        chunk = &chunk[at + 2..];
                    }
                    Some(_) => {
                        self.content(b"\r", out);
                        chunk = &chunk[at + 1..];
                    }
                    None => {
                        self.pending_cr = true;
                        return;
                    }
                },
                _ => {
                    self.pending_space = true;
                    let run = chunk[at..]
                        .iter()
                        .position(|&c| c != b' ' && c != b'\t')
                        .unwrap_or(chunk.len() - at);
                    chunk = &chunk[at + run..];
                }
            }
        }
    }

    /// Ends the body, writing what the rules keep of the held-back bytes.
    pub fn finish(&mut self, out: &mut impl FnMut(&[u8])) {
        if self.pending_cr {
            self.pending_cr = false;
            self.content(b"\r", out);
        }
        match self.canonicalization {
            // §3.4.3: trailing empty lines go; an empty body is a single CRLF; a last line
            // without CRLF gets one.
            Canonicalization::Simple => out(b"\r\n"),
            // §3.4.4 (with erratum 1384): an empty body stays empty.
            Canonicalization::Relaxed => {
                if self.wrote_content {
                    out(b"\r\n");
                }
            }
        }
        *self = Self::new(self.canonicalization);
    }

    fn line_end(&mut self) {
        // Relaxed: white space before a line end is dropped (§3.4.4 a).
        self.pending_space = false;
        self.pending_lines += 1;
    }

    fn content(&mut self, bytes: &[u8], out: &mut impl FnMut(&[u8])) {
        for _ in 0..self.pending_lines {
            out(b"\r\n");
        }
        self.pending_lines = 0;
        if self.pending_space {
            // Relaxed: a run of white space inside a line becomes one space (§3.4.4 b).
            self.pending_space = false;
            out(b" ");
        }
        self.wrote_content = true;
        out(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(canonicalization: Canonicalization, body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut c = BodyCanonicalizer::new(canonicalization);
        c.update(body, &mut |b| out.extend_from_slice(b));
        c.finish(&mut |b| out.extend_from_slice(b));
        out
    }

    /// Feeds the body one byte at a time: chunk boundaries must not change the output.
    fn canon_bytewise(canonicalization: Canonicalization, body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut c = BodyCanonicalizer::new(canonicalization);
        for byte in body {
            c.update(std::slice::from_ref(byte), &mut |b| {
                out.extend_from_slice(b);
            });
        }
        c.finish(&mut |b| out.extend_from_slice(b));
        out
    }

    const EXAMPLE: &[u8] = b" C \r\nD \t E\r\n\r\n\r\n";

    #[test]
    fn rfc6376_section_3_4_6_examples() {
        assert_eq!(
            canon(Canonicalization::Simple, EXAMPLE),
            b" C \r\nD \t E\r\n"
        );
        assert_eq!(canon(Canonicalization::Relaxed, EXAMPLE), b" C\r\nD E\r\n");
        assert_eq!(
            canon_bytewise(Canonicalization::Simple, EXAMPLE),
            b" C \r\nD \t E\r\n"
        );
        assert_eq!(
            canon_bytewise(Canonicalization::Relaxed, EXAMPLE),
            b" C\r\nD E\r\n"
        );
    }

    #[test]
    fn empty_bodies() {
        assert_eq!(canon(Canonicalization::Simple, b""), b"\r\n");
        assert_eq!(canon(Canonicalization::Simple, b"\r\n\r\n"), b"\r\n");
        assert_eq!(canon(Canonicalization::Relaxed, b""), b"");
        assert_eq!(canon(Canonicalization::Relaxed, b" \r\n\t\r\n"), b"");
    }

    #[test]
    fn missing_final_crlf_is_added() {
        assert_eq!(canon(Canonicalization::Simple, b"abc"), b"abc\r\n");
        assert_eq!(canon(Canonicalization::Relaxed, b"abc  "), b"abc\r\n");
    }

    #[test]
    fn inner_empty_lines_and_bare_cr() {
        assert_eq!(
            canon(Canonicalization::Simple, b"a\r\n\r\nb\r\n"),
            b"a\r\n\r\nb\r\n"
        );
        assert_eq!(canon(Canonicalization::Relaxed, b"a\rb \r"), b"a\rb \r\r\n");
        assert_eq!(
            canon_bytewise(Canonicalization::Relaxed, b"a\rb \r"),
            b"a\rb \r\r\n"
        );
    }
}
