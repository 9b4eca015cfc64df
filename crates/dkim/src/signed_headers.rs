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
        // Usually the names are written without white space: then the value is checked in one
        // pass and kept as it is.
        let mut len = 1;
        let mut after_colon = true;
        for c in h.bytes() {
            if c == b':' {
                if after_colon {
                    return None;
                }
                len += 1;
                after_colon = true;
            } else if is_field_name_char(c) {
                after_colon = false;
            } else {
                return Self::parse_with_fws(h);
            }
        }
        if after_colon {
            return None;
        }
        Some(Self {
            joined: h.to_owned(),
            len,
        })
    }

    /// [`Self::parse`] of a value with white space, or other octets that no name may hold.
    fn parse_with_fws(h: &str) -> Option<Self> {
        let mut names = Self {
            joined: String::with_capacity(h.len()),
            len: 0,
        };
        // Split by octet: names are short, and a searcher per name costs more than it finds.
        for name in crate::tag_list::split_ascii(h, b':').map(crate::tag_list::trim_fws) {
            if name.is_empty() || !name.bytes().all(is_field_name_char) {
                return None;
            }
            names.push(name);
        }
        Some(names)
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
        let joined = (self.len > 0).then_some(self.joined.as_str());
        joined
            .into_iter()
            .flat_map(|joined| crate::tag_list::split_ascii(joined, b':'))
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

    proptest::proptest! {
        #[test]
        fn h_is_read_the_same_with_or_without_white_space(
            h in "(From|to|X-a|:| |\t|\r\n|é|;){0,12}",
        ) {
            proptest::prop_assert_eq!(SignedHeaders::parse(&h), SignedHeaders::parse_with_fws(&h), "{:?}", h);
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
