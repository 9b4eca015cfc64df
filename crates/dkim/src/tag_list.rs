//! Tag-lists (RFC 6376 §3.2), the syntax of both DKIM-Signature fields and key records.
//!
//! ```text
//! tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
//! tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
//! tag-name  =  ALPHA *ALNUMPUNC                  ; ALNUMPUNC = ALPHA / DIGIT / "_"
//! tag-value =  [ tval *( 1*(WSP / FWS) tval ) ]
//! tval      =  1*VALCHAR                         ; VALCHAR = %x21-3A / %x3C-7E
//! ```

use std::ops::Range;

use crate::error::{Error, Record, TagListProblem};

/// One `name=value` pair, with the value's place in the input (the verifier blanks `b=` there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tag<'a> {
    pub(crate) name: &'a str,
    /// The value without the whitespace around it.
    pub(crate) value: &'a str,
    /// Where the value, with the whitespace around it, sits in the input.
    pub(crate) raw_value: Range<usize>,
}

/// Splits a tag-list into its tags, in order. Empty tag-specs (`;;`, a trailing `;`) are
/// skipped, as real signers write them; a repeated tag name invalidates the list (§3.2).
pub(crate) fn parse(input: &str, record: Record) -> Result<Vec<Tag<'_>>, Error> {
    // Room for the tags a signature usually has, so the list is not grown tag by tag.
    let mut tags: Vec<Tag<'_>> = Vec::with_capacity(16);
    let mut start = 0;
    while start <= input.len() {
        let offset = start;
        let end =
            memchr::memchr(b';', &input.as_bytes()[offset..]).map_or(input.len(), |at| offset + at);
        let segment = &input[offset..end];
        start = end + 1;
        if segment.bytes().all(is_fws) {
            continue;
        }
        let error = |problem| Error::TagList {
            record,
            offset,
            problem,
        };
        let equals = memchr::memchr(b'=', segment.as_bytes())
            .ok_or_else(|| error(TagListProblem::MissingEquals))?;
        let name = trim_fws(&segment[..equals]);
        let mut name_chars = name.bytes();
        let name_ok = name_chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && name_chars.all(|c| c.is_ascii_alphanumeric() || c == b'_');
        if !name_ok {
            return Err(error(TagListProblem::BadTagName));
        }
        let raw = &segment[equals + 1..];
        if raw.bytes().any(|c| c.is_ascii_control() && !is_fws(c)) {
            return Err(error(TagListProblem::BadValue));
        }
        // Names are short: compared in place rather than by a call to memcmp each.
        if tags.iter().any(|tag| tag.name.bytes().eq(name.bytes())) {
            return Err(Error::DuplicateTag {
                record,
                tag: name.to_owned(),
            });
        }
        let raw_start = offset + equals + 1;
        tags.push(Tag {
            name,
            value: trim_fws(raw),
            raw_value: raw_start..raw_start + raw.len(),
        });
    }
    Ok(tags)
}

/// Whether the octet can be part of folding white space: SP, HTAB, CR or LF.
pub(crate) fn is_fws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// The text without folding white space at either end.
pub(crate) fn trim_fws(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_ascii() && is_fws(c as u8))
}

/// The text with all folding white space removed, as base64 values (`b=`, `bh=`, `p=`) are read.
pub(crate) fn strip_fws(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.bytes().any(is_fws) {
        return std::borrow::Cow::Borrowed(text);
    }
    // Removing ASCII octets from UTF-8 leaves UTF-8.
    let kept: Vec<u8> = text.bytes().filter(|&c| !is_fws(c)).collect();
    std::borrow::Cow::Owned(String::from_utf8(kept).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_and_values(input: &str) -> Vec<(&str, &str)> {
        parse(input, Record::Signature)
            .unwrap()
            .into_iter()
            .map(|t| (t.name, t.value))
            .collect()
    }

    #[test]
    fn folding_white_space_around_names_and_values() {
        assert_eq!(
            names_and_values(" v=1; a = rsa-sha256 ;\r\n\tb=abc\r\n def ;"),
            vec![("v", "1"), ("a", "rsa-sha256"), ("b", "abc\r\n def")]
        );
    }

    #[test]
    fn raw_value_covers_surrounding_space() {
        let input = "v=1; b= abc ; d=x";
        let tags = parse(input, Record::Signature).unwrap();
        assert_eq!(&input[tags[1].raw_value.clone()], " abc ");
    }

    #[test]
    fn errors() {
        let problem = |input| match parse(input, Record::Key) {
            Err(Error::TagList { problem, .. }) => problem,
            other => panic!("{other:?}"),
        };
        assert_eq!(problem("v=1; novalue"), TagListProblem::MissingEquals);
        assert_eq!(problem("1v=1"), TagListProblem::BadTagName);
        assert_eq!(problem("=1"), TagListProblem::BadTagName);
        assert_eq!(problem("a-b=1"), TagListProblem::BadTagName);
        assert_eq!(problem("a=\u{1}"), TagListProblem::BadValue);
        assert_eq!(
            parse("v=1; v=1", Record::Key),
            Err(Error::DuplicateTag {
                record: Record::Key,
                tag: "v".into()
            })
        );
    }

    #[test]
    fn empty_specs_are_skipped() {
        assert_eq!(
            names_and_values("a=1;; b=2; "),
            vec![("a", "1"), ("b", "2")]
        );
        assert_eq!(names_and_values(""), vec![]);
    }
}
