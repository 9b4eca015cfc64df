//! The header field names of `h=` (RFC 6376 §3.5), kept in one string.

use std::fmt;

/// The header field names a signature signs (`h=`), in order and as written, repeated names
/// included (each signs one more instance, from the bottom up; RFC 6376 §5.4.2).
///
/// Kept as one string of names joined by colons, as `h=` writes them without its folding white
/// space: a verifier reads one of these per signature, and a list of separate strings costs an
/// allocation per name.
///
/// ```
/// use mailroom_dkim::SignedHeaders;
/// let names: SignedHeaders = ["From", "To", "from"].into_iter().collect();
/// assert_eq!(names.to_string(), "From:To:from");
/// assert_eq!(names.len(), 3);
/// assert!(names.contains("to"));
/// assert_eq!(names, ["From", "To", "from"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SignedHeaders {
    /// The names joined by `:`; empty when there are none.
    joined: String,
    len: usize,
}

impl SignedHeaders {
    /// No names.
    pub fn new() -> Self {
        Self::default()
    }

    /// The names of an `h=` value, or `None` if one is empty or not a field name (RFC 6376
    /// §3.5; white space around a name is folding and ignored).
    pub(crate) fn parse(h: &str) -> Option<Self> {
        // One pass over the octets: names are checked where they stand, and the text between
        // white space is copied in runs (a signer folds `h=` once a line or so).
        let bytes = h.as_bytes();
        let mut joined = Vec::with_capacity(bytes.len());
        let mut len = 1;
        let mut at = Place::Before;
        let mut run_start = 0;
        for (i, &c) in bytes.iter().enumerate() {
            if is_field_name_char(c) {
                if at == Place::After {
                    return None;
                }
                at = Place::Inside;
            } else if c == b':' {
                if at == Place::Before {
                    return None;
                }
                len += 1;
                at = Place::Before;
            } else if crate::tag_list::is_fws(c) {
                if at == Place::Inside {
                    at = Place::After;
                }
                joined.extend_from_slice(&bytes[run_start..i]);
                run_start = i + 1;
            } else {
                return None;
            }
        }
        if at == Place::Before {
            return None;
        }
        joined.extend_from_slice(&bytes[run_start..]);
        // Field names and colons are ASCII.
        let joined = String::from_utf8(joined).ok()?;
        Some(Self { joined, len })
    }

    /// Adds a name at the end. Field names hold no colon (RFC 5322 §3.6.8); one that did would
    /// read back as two names.
    pub fn push(&mut self, name: &str) {
        if self.len > 0 {
            self.joined.push(':');
        }
        self.joined.push_str(name);
        self.len += 1;
    }

    /// The names, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        // With no names there is nothing to split: `""` would give one empty name.
        crate::tag_list::split_ascii(&self.joined, b':').take(self.len)
    }

    /// How many names there are, repeats counted.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no names.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether a name is among them, compared without case as field names are.
    pub fn contains(&self, name: &str) -> bool {
        self.iter().any(|n| n.eq_ignore_ascii_case(name))
    }

    /// The names joined by colons, as `h=` holds them.
    pub fn as_str(&self) -> &str {
        &self.joined
    }
}

/// Where [`SignedHeaders::parse`] is in the `h=` value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// At the start, or after a colon: white space may come, then a name must.
    Before,
    /// In a name.
    Inside,
    /// After white space that ended a name: only more white space or a colon may come.
    After,
}

/// ftext of RFC 5322 §3.6.8: printable US-ASCII except the colon.
fn is_field_name_char(c: u8) -> bool {
    (33..=126).contains(&c) && c != b':'
}

impl<S: AsRef<str>> FromIterator<S> for SignedHeaders {
    fn from_iter<I: IntoIterator<Item = S>>(names: I) -> Self {
        let mut out = Self::new();
        for name in names {
            out.push(name.as_ref());
        }
        out
    }
}

impl<S: AsRef<str>> Extend<S> for SignedHeaders {
    fn extend<I: IntoIterator<Item = S>>(&mut self, names: I) {
        for name in names {
            self.push(name.as_ref());
        }
    }
}

impl fmt::Display for SignedHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.joined)
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for SignedHeaders {
    fn eq(&self, other: &[S; N]) -> bool {
        self.len == N && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

impl<S: AsRef<str>> PartialEq<[S]> for SignedHeaders {
    fn eq(&self, other: &[S]) -> bool {
        self.len == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `h=` read as RFC 6376 §3.5 writes it: names split at colons, with folding white space
    /// around each.
    fn parse_by_splitting(h: &str) -> Option<SignedHeaders> {
        let mut names = SignedHeaders::new();
        for name in h.split(':').map(crate::tag_list::trim_fws) {
            if name.is_empty() || !name.bytes().all(is_field_name_char) {
                return None;
            }
            names.push(name);
        }
        Some(names)
    }

    proptest::proptest! {
        #[test]
        fn h_is_read_as_split_at_colons_and_trimmed(
            h in "(From|to|X-a|:| |\t|\r\n|é|;){0,12}",
        ) {
            proptest::prop_assert_eq!(SignedHeaders::parse(&h), parse_by_splitting(&h), "{:?}", h);
        }
    }

    #[test]
    fn folded_h_is_read_without_its_white_space() {
        let names = SignedHeaders::parse("from:to\r\n\t:subject : date\r\n :cc").unwrap();
        assert_eq!(names, ["from", "to", "subject", "date", "cc"]);
        assert_eq!(names.as_str(), "from:to:subject:date:cc");
        for bad in [
            "",
            ":",
            "from:",
            ":from",
            "from::to",
            "fr om",
            "from:\r\n\t",
            "caf\u{e9}",
        ] {
            assert_eq!(SignedHeaders::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn empty_has_no_names() {
        let names = SignedHeaders::new();
        assert_eq!(names.iter().count(), 0);
        assert!(names.is_empty());
        assert_eq!(names.to_string(), "");
    }

    #[test]
    fn names_come_back_in_order_with_repeats() {
        let mut names = SignedHeaders::new();
        names.push("from");
        names.extend(["Subject", "from"]);
        assert_eq!(
            names.iter().collect::<Vec<_>>(),
            ["from", "Subject", "from"]
        );
        assert_eq!(names.as_str(), "from:Subject:from");
        assert!(names.contains("SUBJECT"));
        assert!(!names.contains("To"));
        assert_eq!(names, ["from", "Subject", "from"]);
        assert_ne!(names, ["from", "Subject"]);
    }
}
