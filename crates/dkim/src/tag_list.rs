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
    let mut tags = Vec::with_capacity(16);
    parse_each(input, record, |tag| tags.push(tag))?;
    Ok(tags)
}

/// [`parse`], handing each tag to `on_tag` as it is read rather than collecting them. Tags
/// before an error have been handed on.
///
/// Each tag-spec is read in one pass from its start: white space, the name, white space, `=`;
/// the value is then trimmed at its ends, and checked for control characters if the list has
/// any.
pub(crate) fn parse_each<'a>(
    input: &'a str,
    record: Record,
    mut on_tag: impl FnMut(Tag<'a>),
) -> Result<(), Error> {
    let bytes = input.as_bytes();
    let mut names = SeenNames::default();
    // Control characters are looked for once, over the whole list (a loop without early exit,
    // which the compiler turns into SIMD compares); only a list that has one is looked at
    // value by value, to say where.
    let clean = !bytes
        .iter()
        .fold(false, |bad, &c| bad | is_bad_value_octet(c));
    let mut next = 0;
    while next <= bytes.len() {
        let offset = next;
        let end = memchr::memchr(b';', &bytes[offset..]).map_or(bytes.len(), |at| offset + at);
        let spec = &bytes[offset..end];
        next = end + 1;
        let Some(name_start) = spec.iter().position(|&c| !is_fws(c)) else {
            continue;
        };
        let error = |problem| Error::TagList {
            record,
            offset,
            problem,
        };
        let name_end = spec[name_start..]
            .iter()
            .position(|&c| !is_name_char(c))
            .map_or(spec.len(), |len| name_start + len);
        let equals = spec[name_end..]
            .iter()
            .position(|&c| !is_fws(c))
            .map_or(spec.len(), |len| name_end + len);
        let name_ok = spec[name_start].is_ascii_alphabetic() && spec.get(equals) == Some(&b'=');
        if !name_ok {
            // A name with an `=` after it somewhere is a bad name; none at all, a missing `=`.
            return Err(error(if spec.contains(&b'=') {
                TagListProblem::BadTagName
            } else {
                TagListProblem::MissingEquals
            }));
        }
        let raw = &spec[equals + 1..];
        if !clean
            && raw
                .iter()
                .fold(false, |bad, &c| bad | is_bad_value_octet(c))
        {
            return Err(error(TagListProblem::BadValue));
        }
        // Slices at ASCII octets (or the ends), so on character boundaries.
        let name = &input[offset + name_start..offset + name_end];
        if !names.insert(name) {
            return Err(Error::DuplicateTag {
                record,
                tag: name.to_owned(),
            });
        }
        let raw_start = offset + equals + 1;
        on_tag(Tag {
            name,
            value: trim_fws(&input[raw_start..end]),
            raw_value: raw_start..end,
        });
    }
    Ok(())
}

/// The tag names of a list so far, for finding a repeated one: the first few on the stack.
#[derive(Default)]
struct SeenNames<'a> {
    /// A bit for each name's first octet and length (mod 64): a name is compared with the
    /// earlier ones only when one of them set its bit, so a signature's dozen distinct names
    /// cost no comparison.
    bits: u64,
    few: [&'a str; 16],
    count: usize,
    more: Vec<&'a str>,
}

impl<'a> SeenNames<'a> {
    /// Adds a name; `false` if it was there already.
    fn insert(&mut self, name: &'a str) -> bool {
        let bit = 1u64 << ((usize::from(name.as_bytes()[0]) + name.len() * 7) % 64);
        if self.bits & bit != 0 {
            let earlier = &self.few[..self.count.min(self.few.len())];
            if earlier.contains(&name) || self.more.contains(&name) {
                return false;
            }
        }
        self.bits |= bit;
        match self.few.get_mut(self.count) {
            Some(slot) => *slot = name,
            None => self.more.push(name),
        }
        self.count += 1;
        true
    }
}

/// ALNUMPUNC: what a tag name is made of after its first letter.
fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// A control character other than folding white space, which no tag value may hold.
fn is_bad_value_octet(c: u8) -> bool {
    (c < 0x20 || c == 0x7f) && !is_fws(c)
}

/// Whether the octet can be part of folding white space: SP, HTAB, CR or LF.
pub(crate) fn is_fws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// The text without folding white space at either end.
pub(crate) fn trim_fws(text: &str) -> &str {
    let bytes = text.as_bytes();
    let start = bytes
        .iter()
        .position(|&c| !is_fws(c))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&c| !is_fws(c))
        .map_or(start, |last| last + 1);
    // Both ends are at ASCII octets or the ends of the text.
    &text[start..end]
}

/// `text.split(separator)` for an ASCII separator, found by a plain octet loop: the pieces are
/// short (names in `h=`), and a searcher per piece costs more than it finds.
pub(crate) fn split_ascii(text: &str, separator: u8) -> impl Iterator<Item = &str> {
    debug_assert!(separator.is_ascii());
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.bytes().position(|c| c == separator) {
            // An ASCII octet is a character boundary on both sides.
            Some(at) => {
                rest = Some(&current[at + 1..]);
                Some(&current[..at])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
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
    use proptest::prelude::*;

    /// §3.2 read plainly: split at each `;`, then at the first `=`, trim, check.
    fn reference(input: &str, record: Record) -> Result<Vec<Tag<'_>>, Error> {
        let mut tags: Vec<Tag<'_>> = Vec::new();
        let mut offset = 0;
        for spec in input.split(';') {
            let start = offset;
            offset += spec.len() + 1;
            if spec.bytes().all(is_fws) {
                continue;
            }
            let error = |problem| Error::TagList {
                record,
                offset: start,
                problem,
            };
            let (name, raw) = spec
                .split_once('=')
                .ok_or_else(|| error(TagListProblem::MissingEquals))?;
            let name = name.trim_matches(|c: char| c.is_ascii() && is_fws(c as u8));
            let mut chars = name.chars();
            let name_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !name_ok {
                return Err(error(TagListProblem::BadTagName));
            }
            if raw
                .chars()
                .any(|c| c.is_ascii_control() && !is_fws(c as u8))
            {
                return Err(error(TagListProblem::BadValue));
            }
            if tags.iter().any(|tag| tag.name == name) {
                return Err(Error::DuplicateTag {
                    record,
                    tag: name.to_owned(),
                });
            }
            let end = start + spec.len();
            tags.push(Tag {
                name,
                value: raw.trim_matches(|c: char| c.is_ascii() && is_fws(c as u8)),
                raw_value: end - raw.len()..end,
            });
        }
        Ok(tags)
    }

    proptest! {
        #[test]
        fn one_pass_agrees_with_a_plain_reading(
            input in "[ab1_ =;\t\r\n\u{1}\u{7f}é-]{0,40}",
        ) {
            prop_assert_eq!(parse(&input, Record::Key), reference(&input, Record::Key));
        }

        /// Long lists of names that share first letters and lengths: the duplicate check past
        /// the names it keeps on the stack.
        #[test]
        fn many_names_agree_with_a_plain_reading(input in "([a-c][0-9]{0,2}=x;){0,40}") {
            prop_assert_eq!(parse(&input, Record::Key), reference(&input, Record::Key));
        }
    }

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
