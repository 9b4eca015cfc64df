//! Body canonicalization (RFC 6376 §3.4.3, §3.4.4) over a stream of chunks.

use std::ops::Range;

use super::scan::{self, Places};
use crate::signature::Canonicalization;

/// Where canonicalized output goes, in order. Any `FnMut(&[u8])` is one; the body hasher is
/// another, which lends relaxed the spare room of its buffer to write short pieces into
/// without a call each.
pub(crate) trait Output {
    /// Takes the next octets of output.
    fn write(&mut self, bytes: &[u8]);

    /// Takes `text[range]` and then, if `space`, one space: the text before a run of white
    /// space and what relaxed makes of the run. `text` goes on past the range.
    #[inline]
    fn write_then_space(&mut self, text: &[u8], range: Range<usize>, space: bool) {
        let mut filled = 0;
        if copy_piece(self.spare(), &mut filled, text, range.clone(), space) {
            self.commit(filled);
        } else if space && text.get(range.end) == Some(&b' ') {
            // The run's own first space is the one kept: one piece.
            self.write(&text[range.start..=range.end]);
        } else {
            self.write(&text[range]);
            if space {
                self.write(b" ");
            }
        }
    }

    /// Room to write output into directly, which counts as written once committed; none
    /// unless the output has a buffer of its own. A writer may write past what it commits.
    fn spare(&mut self) -> &mut [u8] {
        &mut []
    }

    /// Takes the first `len` octets of the room [`Self::spare`] gave as output.
    fn commit(&mut self, len: usize) {
        debug_assert_eq!(len, 0, "nothing can be written into no room");
    }
}

impl<F: FnMut(&[u8])> Output for F {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self(bytes);
    }
}

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
    /// The block kernels dense text may go through where the CPU has them: all but for tests,
    /// which hold each path to the RFC on a CPU that would otherwise take a faster one.
    kernels: Kernels,
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
            kernels: Kernels::Any,
        }
    }

    /// The same canonicalizer limited to some of the block kernels, for tests.
    pub(crate) fn with_kernels(self, kernels: Kernels) -> Self {
        Self { kernels, ..self }
    }

    /// Canonicalizes the next chunk, passing output to `out` in slices.
    pub fn update(&mut self, chunk: &[u8], out: &mut impl FnMut(&[u8])) {
        self.update_to(chunk, out);
    }

    /// [`Self::update`] to any [`Output`].
    pub(crate) fn update_to(&mut self, mut chunk: &[u8], out: &mut impl Output) {
        if chunk.is_empty() {
            return;
        }
        if self.pending_cr {
            // The last chunk ended in CR: a line end if this one starts with LF.
            self.pending_cr = false;
            if chunk[0] == b'\n' {
                self.line_end();
                chunk = &chunk[1..];
            } else {
                self.content(b"\r", out);
            }
        }
        match self.canonicalization {
            Canonicalization::Simple => {
                // Simple changes nothing but the empty lines at the very end (§3.4.3).
                let (body, cr) = match chunk.strip_suffix(b"\r") {
                    Some(body) => (body, true),
                    None => (chunk, false),
                };
                self.lines(body, out);
                self.pending_cr = cr;
            }
            Canonicalization::Relaxed => self.relaxed(chunk, out),
        }
    }

    /// Relaxed (§3.4.4): the text is copied in runs up to the next place that needs work (a
    /// tab, two spaces in a row, or a space before CR), so ordinary single spaces cost nothing.
    ///
    /// The chunk up to its last content octet is done by [`Self::relaxed_inner`], where nothing
    /// needs holding back; the line ends and white space after it, by the general loop.
    fn relaxed(&mut self, data: &[u8], out: &mut impl Output) {
        let inner_end = data
            .iter()
            .rposition(|&c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
            .map_or(0, |last| last + 1);
        if inner_end > 0 {
            self.relaxed_inner(&data[..inner_end], out);
        }
        self.relaxed_tail(data, inner_end, out);
    }

    /// Relaxed over text that ends in content (an octet that is neither white space nor part
    /// of a line end). Every line end and run of white space in it is then followed by content,
    /// so none is at the end of the body, and a run is at the end of its line exactly when CRLF
    /// follows it: each can be decided where it is found, with no state to keep. Where runs
    /// are dense, [`relaxed_blocks`] takes them a block at a time.
    fn relaxed_inner(&mut self, text: &[u8], out: &mut impl Output) {
        let mut pos = 0;
        if self.pending_space {
            // A run of white space from the last chunk goes on here.
            pos = wsp_run_end(text, 0);
            if text[pos..].starts_with(b"\r\n") {
                self.pending_space = false;
            }
        }
        // Content follows, so what was held back is written now.
        self.content(&[], out);
        let mut places = Places::default();
        // Blocks first: dense text stays with them, and on sparse text they give way to
        // searching after a few blocks with nothing to do.
        let (next, stop) = dense_blocks(self.kernels, text, pos, out);
        let mut blocks = stop == BlocksStop::Sparse;
        pos = next;
        while let Some(run) = places.next(text, pos) {
            if blocks && places.is_dense() {
                let (next, stop) = dense_blocks(self.kernels, text, pos, out);
                blocks = stop == BlocksStop::Sparse;
                if next != pos {
                    pos = next;
                    continue;
                }
                // Nothing was done: `run` is still the next run.
            }
            let end = wsp_run_end(text, run);
            // White space before a line end goes (§3.4.4 a); any other run becomes one space
            // (§3.4.4 b).
            let trailing = text[end..].starts_with(b"\r\n");
            out.write_then_space(text, pos..run, !trailing);
            pos = end;
        }
        out.write(&text[pos..]);
    }

    /// The general loop of relaxed, from `pos` to the end of the chunk: holds back white space
    /// until the line shows it is not trailing, and line ends until content follows them.
    fn relaxed_tail(&mut self, data: &[u8], mut pos: usize, out: &mut impl Output) {
        let mut places = Places::default();
        // A run of white space may go on from the last chunk; each later run is passed over
        // where it is found.
        if self.pending_space {
            pos = wsp_run_end(data, pos);
        }
        while pos < data.len() {
            if self.pending_space {
                match data.get(pos..pos + 2) {
                    None if pos == data.len() => return,
                    // White space before a line end goes (§3.4.4 a).
                    Some(b"\r\n") => self.pending_space = false,
                    None if data[pos] == b'\r' => {
                        self.pending_cr = true;
                        return;
                    }
                    // Content follows: the run becomes one space, written with it.
                    _ => {}
                }
            }
            let Some(run) = places.next(data, pos) else {
                // The end of the chunk: a last CR or space cannot be judged until more comes.
                let mut end = data.len();
                let held = data[end - 1];
                if held == b'\r' || held == b' ' {
                    end -= 1;
                }
                self.lines(&data[pos..end], out);
                if end < data.len() {
                    if held == b'\r' {
                        self.pending_cr = true;
                    } else {
                        self.pending_space = true;
                    }
                }
                return;
            };
            self.lines(&data[pos..run], out);
            pos = wsp_run_end(data, run);
            self.pending_space = true;
        }
    }

    /// Writes text that may hold line ends, holding back the CRLFs at its end: they are
    /// trailing empty lines unless content follows.
    fn lines(&mut self, text: &[u8], out: &mut impl Output) {
        let mut end = text.len();
        let mut trailing = 0;
        while end >= 2 && text[end - 1] == b'\n' && text[end - 2] == b'\r' {
            end -= 2;
            trailing += 1;
        }
        if end > 0 {
            self.content(&text[..end], out);
        }
        if trailing > 0 {
            self.pending_space = false;
            self.pending_lines += trailing;
        }
    }

    /// Ends the body, writing what the rules keep of the held-back bytes.
    pub fn finish(&mut self, out: &mut impl FnMut(&[u8])) {
        self.finish_to(out);
    }

    /// [`Self::finish`] to any [`Output`].
    pub(crate) fn finish_to(&mut self, out: &mut impl Output) {
        if self.pending_cr {
            self.pending_cr = false;
            self.content(b"\r", out);
        }
        match self.canonicalization {
            // §3.4.3: trailing empty lines go; an empty body is a single CRLF; a last line
            // without CRLF gets one.
            Canonicalization::Simple => out.write(b"\r\n"),
            // §3.4.4 (with erratum 1384): an empty body stays empty.
            Canonicalization::Relaxed => {
                if self.wrote_content {
                    out.write(b"\r\n");
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

    fn content(&mut self, bytes: &[u8], out: &mut impl Output) {
        for _ in 0..self.pending_lines {
            out.write(b"\r\n");
        }
        self.pending_lines = 0;
        if self.pending_space {
            // Relaxed: a run of white space inside a line becomes one space (§3.4.4 b).
            self.pending_space = false;
            out.write(b" ");
        }
        self.wrote_content = true;
        out.write(bytes);
    }
}

/// Which block kernels relaxed canonicalization may use, where the CPU has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kernels {
    /// The fastest the CPU has.
    Any,
    /// AVX2 at most, not AVX-512.
    UpToAvx2,
    /// None: the portable SSE2 or NEON masks of [`relaxed_blocks`].
    Portable,
}

/// Relaxed where white space that needs work is dense: the fastest block kernel the CPU has
/// ([`avx512`](super::avx512), then [`avx2`](super::avx2)) among `kernels`, where the output
/// has room, else [`relaxed_blocks`].
#[inline]
fn dense_blocks(
    kernels: Kernels,
    text: &[u8],
    pos: usize,
    out: &mut impl Output,
) -> (usize, BlocksStop) {
    #[cfg(target_arch = "x86_64")]
    {
        let done = match kernels {
            Kernels::Any => super::avx512::relaxed_blocks(text, pos, out)
                .or_else(|| super::avx2::relaxed_blocks(text, pos, out)),
            Kernels::UpToAvx2 => super::avx2::relaxed_blocks(text, pos, out),
            Kernels::Portable => None,
        };
        if let Some(done) = done {
            return done;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = kernels;
    relaxed_blocks(text, pos, out)
}

/// Why [`relaxed_blocks`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BlocksStop {
    /// Blocks went by with no work: searching is cheaper again.
    Sparse,
    /// Less than a block (and the octet after it) is left.
    Tail,
}

/// Blocks in a row with no work after which [`relaxed_blocks`] gives way to searching.
pub(super) const IDLE_BLOCKS: usize = 4;

/// Relaxed's short pieces are written as a copy of this many octets, which needs no call and
/// no branch on the piece's length; the octets past the piece are overwritten by what follows.
pub(crate) const PIECE: usize = 64;

/// Writes `text[range]` and then, if `space`, one space into `room` at `*filled`, as one copy
/// of [`PIECE`] octets with the space written after the piece; moves `*filled` past what is
/// kept. Returns false, writing nothing, where the piece is longer than that, `text` ends
/// within a block of it, or `room` has no block to spare.
#[inline]
fn copy_piece(
    room: &mut [u8],
    filled: &mut usize,
    text: &[u8],
    range: Range<usize>,
    space: bool,
) -> bool {
    let len = range.end - range.start;
    match text.get(range.start..range.start + PIECE) {
        Some(block) if len <= PIECE && *filled + PIECE < room.len() => {
            room[*filled..*filled + PIECE].copy_from_slice(block);
            room[*filled + len] = b' ';
            *filled += len + usize::from(space);
            true
        }
        _ => false,
    }
}

/// The inner loop of relaxed where white space that needs work is dense, 64 octets at a time,
/// from `pos` (where no run of white space goes on from before) in text that ends in content.
///
/// Each block is read into bit masks, and the runs that need work are taken from them in
/// order: where each starts and ends, and whether CRLF follows, come from the masks and the
/// text alone, not from the run before, so one run's work does not wait for the last one's.
/// Pieces go straight into the output's spare room. Returns where the text is done up to
/// (after a run) and why it stopped.
fn relaxed_blocks(text: &[u8], mut pos: usize, out: &mut impl Output) -> (usize, BlocksStop) {
    let mut base = pos;
    let mut idle = 0;
    let mut spare = out.spare();
    let mut filled = 0;
    let stop = loop {
        let Some(window) = text.get(base..base + scan::BLOCK + 1) else {
            break BlocksStop::Tail;
        };
        let masks = scan::block_masks(window);
        // The octet before `base` is no white space of a run not yet done: `base` is either
        // where the last run ended, or a block further, past which no run went on.
        let mut starts = masks.run_starts();
        if starts == 0 {
            idle += 1;
            if idle == IDLE_BLOCKS {
                break BlocksStop::Sparse;
            }
        } else {
            idle = 0;
        }
        while starts != 0 {
            let first = starts.trailing_zeros() as usize;
            starts &= starts - 1;
            let run = base + first;
            // The run ends at the first octet that is not white space, or goes on past the
            // block.
            let mut end = run + (!(masks.blank >> first)).trailing_zeros() as usize;
            if end == base + scan::BLOCK {
                end = wsp_run_end(text, end);
            }
            // White space before a line end goes (§3.4.4 a); any other run becomes one space
            // (§3.4.4 b).
            let keep = text.get(end..end + 2) != Some(b"\r\n");
            if !copy_piece(spare, &mut filled, text, pos..run, keep) {
                out.commit(filled);
                out.write_then_space(text, pos..run, keep);
                spare = out.spare();
                filled = 0;
            }
            pos = end;
        }
        base = (base + scan::BLOCK).max(pos);
    };
    out.commit(filled);
    (pos, stop)
}

fn is_wsp(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// Where the run of white space at `from` (if any) ends.
fn wsp_run_end(data: &[u8], from: usize) -> usize {
    let mut end = from;
    while end < data.len() && is_wsp(data[end]) {
        end += 1;
    }
    end
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
