//! Splitting a message into header fields and body, whole or as it streams in.

use crate::error::Error;

/// One header field as it appears in the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Field<'a> {
    /// The field name, without white space before the colon.
    pub(crate) name: &'a [u8],
    /// The whole field: name, colon, value with its folding, and the final CRLF.
    pub(crate) raw: &'a [u8],
    /// Where `raw` starts in the header section.
    pub(crate) offset: usize,
}

impl Field<'_> {
    /// The value: everything after the colon, without the final CRLF.
    pub(crate) fn value(&self) -> &[u8] {
        let after_colon = &self.raw[self.name_len_with_colon()..];
        after_colon.strip_suffix(b"\r\n").unwrap_or(after_colon)
    }

    fn name_len_with_colon(&self) -> usize {
        memchr::memchr(b':', self.raw).map_or(self.raw.len(), |colon| colon + 1)
    }

    /// Whether the field has this name (compared without case).
    pub(crate) fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name.as_bytes())
    }
}

/// Splits a header section into its fields as they are written: each with its CRLF and its
/// continuation lines (a line that starts with white space continues the field before it,
/// RFC 5322 §2.2.3). Nothing is checked, so any bytes split; useful for dropping or keeping
/// fields without touching the others.
///
/// ```
/// let header = b"Subject: a\r\n long one\r\nFrom: x@example.org\r\n";
/// let fields: Vec<&[u8]> = mailroom_dkim::raw_header_fields(header).collect();
/// assert_eq!(fields, [&b"Subject: a\r\n long one\r\n"[..], b"From: x@example.org\r\n"]);
/// ```
pub fn raw_header_fields(header: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= header.len() {
            return None;
        }
        let end = field_end(header, start);
        let field = &header[start..end];
        start = end;
        Some(field)
    })
}

/// Where the field that starts at `start` ends: past the CRLF of its last line (the first CRLF
/// not followed by white space), or at the end of `bytes`.
fn field_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    loop {
        match find_crlf(&bytes[end..]) {
            Some(at) => {
                end += at + 2;
                if !matches!(bytes.get(end), Some(b' ' | b'\t')) {
                    return end;
                }
            }
            None => return bytes.len(),
        }
    }
}

/// Where the first CRLF starts. A memchr for the LF rather than a substring search, which
/// would build a searcher for every line.
fn find_crlf(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = memchr::memchr(b'\n', &bytes[from..]) {
        let lf = from + at;
        if lf > 0 && bytes[lf - 1] == b'\r' {
            return Some(lf - 1);
        }
        from = lf + 1;
    }
    None
}

/// Where the empty line that ends a header section starts (after the CRLF of the last field),
/// looking from `from`: the first CRLF CRLF.
fn find_empty_line(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(crlf) = find_crlf(bytes.get(at..)?) {
        let crlf = at + crlf;
        if bytes.get(crlf + 2..crlf + 4) == Some(b"\r\n") {
            return Some(crlf + 2);
        }
        at = crlf + 2;
    }
    None
}

/// Splits a header section (up to, not including, the empty line) into fields, each checked
/// to have a name.
pub(crate) fn fields(header: &[u8]) -> Result<Vec<Field<'_>>, Error> {
    // Room for the fields of most messages, so the list is not grown field by field.
    let mut fields = Vec::with_capacity(16);
    let mut start = 0;
    for raw in raw_header_fields(header) {
        fields.push(field(raw, start)?);
        start += raw.len();
    }
    Ok(fields)
}

/// One raw field, at `offset` in the header section, checked to have a name (RFC 5322 §3.6.8:
/// printable ASCII but the colon, here with white space allowed before the colon).
fn field(raw: &[u8], offset: usize) -> Result<Field<'_>, Error> {
    // Not `ok_or`: an error value made for every field would be dropped for every field.
    let Some(colon) = memchr::memchr(b':', raw) else {
        return Err(Error::MalformedHeader { offset });
    };
    let name = raw[..colon]
        .iter()
        .rposition(|&c| c != b' ' && c != b'\t')
        .map_or(&raw[..0], |last| &raw[..=last]);
    if name.is_empty() || name.iter().any(|&c| !(33..=126).contains(&c)) {
        return Err(Error::MalformedHeader { offset });
    }
    Ok(Field { name, raw, offset })
}

/// A whole message split into its header section, that section's fields, and its body.
#[derive(Debug)]
pub(crate) struct Split<'a> {
    /// Up to, not including, the empty line; the whole message if it has none.
    pub(crate) header: &'a [u8],
    /// The fields of `header`, as [`fields`] gives them.
    pub(crate) fields: Result<Vec<Field<'a>>, Error>,
    /// After the empty line's CRLF; empty if the message has no empty line.
    pub(crate) body: &'a [u8],
}

/// Splits a whole message where [`HeaderCollector`] splits it, and into the fields [`fields`]
/// finds, in one walk over the header: the empty line that ends it can only start where a
/// field could, so each field start is the one place to look for it.
pub(crate) fn split(message: &[u8]) -> Split<'_> {
    let mut fields = Ok(Vec::with_capacity(16));
    let mut start = 0;
    let (header_end, body_start) = loop {
        if start >= message.len() {
            break (message.len(), message.len());
        }
        if message[start..].starts_with(b"\r\n") {
            break (start, start + 2);
        }
        let end = field_end(message, start);
        if let Ok(list) = &mut fields {
            match field(&message[start..end], start) {
                Ok(field) => list.push(field),
                Err(error) => fields = Err(error),
            }
        }
        start = end;
    };
    Split {
        header: &message[..header_end],
        fields,
        body: &message[body_start..],
    }
}

/// Collects the header section of a message that arrives in chunks and hands on the body.
#[derive(Debug, Default, Clone)]
pub(crate) struct HeaderCollector {
    header: Vec<u8>,
    done: bool,
}

impl HeaderCollector {
    /// Takes the next chunk; returns the part of it that belongs to the body.
    pub(crate) fn update<'c>(&mut self, chunk: &'c [u8]) -> &'c [u8] {
        if self.done {
            return chunk;
        }
        // Where the header ends in the stream so far (header, then chunk). Every earlier chunk
        // was searched already, so the empty line, if it is here, ends in this chunk: it may
        // start up to three octets back. Only the header part of the chunk is copied.
        let kept = self.header.len();
        let start = kept.saturating_sub(3);
        let mut window = [0u8; 6];
        let before = &self.header[start..];
        let after = &chunk[..chunk.len().min(3)];
        window[..before.len()].copy_from_slice(before);
        window[before.len()..before.len() + after.len()].copy_from_slice(after);
        let window = &window[..before.len() + after.len()];
        let header_end = if start == 0 && window.starts_with(b"\r\n") {
            // No header fields at all.
            Some(0)
        } else {
            find_empty_line(window, 0)
                .map(|at| start + at)
                .or_else(|| find_empty_line(chunk, 0).map(|at| kept + at))
        };
        let Some(header_end) = header_end else {
            self.header.extend_from_slice(chunk);
            return &chunk[chunk.len()..];
        };
        if header_end >= kept {
            self.header.extend_from_slice(&chunk[..header_end - kept]);
        } else {
            self.header.truncate(header_end);
        }
        self.done = true;
        // The body starts after the empty line's CRLF, which ends in this chunk.
        &chunk[(header_end + 2).saturating_sub(kept).min(chunk.len())..]
    }

    /// Whether the empty line that ends the header section has been seen.
    pub(crate) fn is_done(&self) -> bool {
        self.done
    }

    /// The header section seen so far (all of it once the body has started).
    pub(crate) fn header(&self) -> &[u8] {
        &self.header
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_folding() {
        let header = b"From: a@example.com\r\nSubject: one\r\n two\r\nX-Empty:\r\n";
        let fields = fields(header).unwrap();
        let names: Vec<&[u8]> = fields.iter().map(|f| f.name).collect();
        assert_eq!(names, vec![&b"From"[..], b"Subject", b"X-Empty"]);
        assert_eq!(fields[1].raw, b"Subject: one\r\n two\r\n");
        assert_eq!(fields[1].value(), b" one\r\n two");
        assert_eq!(fields[2].value(), b"");
    }

    #[test]
    fn a_line_without_colon_is_malformed() {
        assert_eq!(
            fields(b"From: a\r\nbogus line\r\n"),
            Err(Error::MalformedHeader { offset: 9 })
        );
    }

    #[test]
    fn header_and_body_at_every_chunk_boundary() {
        let message = b"A: 1\r\nB: 2\r\n\r\nbody\r\n\r\nmore";
        let header = b"A: 1\r\nB: 2\r\n";
        let body = b"body\r\n\r\nmore";
        for size in 1..message.len() {
            let mut collector = HeaderCollector::default();
            let mut collected_body = Vec::new();
            for chunk in message.chunks(size) {
                collected_body.extend_from_slice(collector.update(chunk));
            }
            assert_eq!(collector.header(), header, "chunk size {size}");
            assert_eq!(collected_body, body, "chunk size {size}");
        }
    }

    /// Messages whose header ends, or does not, in ways easy to get wrong: no fields, bare LFs,
    /// a CR before the CRLF, no empty line.
    const AWKWARD: [&[u8]; 6] = [
        b"\r\nbody",
        b"\r\n\r\n",
        b"A: 1\n\nB: 2\r\n\r\nbody",
        b"A: 1\r\n\r\r\n\r\nx",
        b"A: 1\r\r\n\r\n",
        b"no end\r\n",
    ];

    /// Whatever the bytes and however they are cut, the collector splits them where the
    /// whole message splits.
    #[test]
    fn chunked_splits_equal_the_whole() {
        for message in AWKWARD {
            let mut whole = HeaderCollector::default();
            let whole_body = whole.update(message).to_vec();
            for size in 1..=message.len() {
                let mut collector = HeaderCollector::default();
                let mut body = Vec::new();
                for chunk in message.chunks(size) {
                    body.extend_from_slice(collector.update(chunk));
                }
                let shown = String::from_utf8_lossy(message);
                assert_eq!(collector.header(), whole.header(), "{shown:?} by {size}");
                assert_eq!(body, whole_body, "{shown:?} by {size}");
                assert_eq!(collector.is_done(), whole.is_done(), "{shown:?} by {size}");
            }
        }
        let mut collector = HeaderCollector::default();
        assert_eq!(collector.update(b"A: 1\r\r\n\r\nbody"), b"body");
        assert_eq!(collector.header(), b"A: 1\r\r\n");
    }

    /// The one-walk split of a whole message agrees with the collector and with [`fields`].
    #[test]
    fn split_agrees_with_the_collector_and_fields() {
        let more: [&[u8]; 6] = [
            b"",
            b"A: 1\r\n \r\n\r\nbody\r\n\r\n",
            b"A: 1\r\nbad\r\nC: 3\r\n\r\nbody",
            b"A: 1\r\n\tgoes on\r\nB:2",
            b"A: 1\n\r\nB: 2",
            b" : x\r\n\r\n",
        ];
        for message in AWKWARD.into_iter().chain(more) {
            let shown = String::from_utf8_lossy(message);
            let mut collector = HeaderCollector::default();
            let body = collector.update(message);
            let split = split(message);
            assert_eq!(split.header, collector.header(), "{shown:?}");
            assert_eq!(split.body, body, "{shown:?}");
            assert_eq!(split.fields, fields(collector.header()), "{shown:?}");
        }
    }

    proptest::proptest! {
        /// On any text of the octets that matter to it, the one-walk split agrees with the
        /// collector and with [`fields`].
        #[test]
        fn split_agrees_on_any_text(message in "(A:|x| |\t|\r\n|\r|\n){0,24}") {
            let message = message.as_bytes();
            let mut collector = HeaderCollector::default();
            let body = collector.update(message);
            let split = split(message);
            proptest::prop_assert_eq!(split.header, collector.header());
            proptest::prop_assert_eq!(split.body, body);
            proptest::prop_assert_eq!(split.fields, fields(collector.header()));
        }
    }

    #[test]
    fn split_of_a_message_with_a_bad_field() {
        let split = split(b"A: 1\r\nbad\r\n\r\nbody");
        assert_eq!(split.fields, Err(Error::MalformedHeader { offset: 6 }));
        assert_eq!(split.header, b"A: 1\r\nbad\r\n");
        assert_eq!(split.body, b"body");
    }

    #[test]
    fn no_header_or_no_body() {
        let mut collector = HeaderCollector::default();
        assert_eq!(collector.update(b"\r\nbody"), b"body");
        assert_eq!(collector.header(), b"");
        let mut collector = HeaderCollector::default();
        assert_eq!(collector.update(b"A: 1\r\n"), b"");
        assert!(!collector.is_done());
    }
}
