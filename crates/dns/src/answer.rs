//! What a lookup returns when the DNS did answer: records, "no records of that type" (NODATA), or
//! "no such name" (NXDOMAIN), and the record data types.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use crate::error::DnsError;

/// The outcome of a lookup that got an answer. [`Answer::Records`] is never empty.
///
/// SPF counts both [`Answer::NoData`] and [`Answer::NxDomain`] as void lookups (RFC 7208 §4.6.4);
/// DMARC and DKIM only need to know there was nothing. Failures to get an answer at all are a
/// [`DnsError`], the other half of a [`Lookup`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<T> {
    /// The records of the asked type, after following any CNAME.
    Records(Vec<T>),
    /// The name exists but has no records of the asked type.
    NoData,
    /// The name does not exist.
    NxDomain,
}

impl<T> Answer<T> {
    /// The records, or an empty slice for NODATA and NXDOMAIN.
    pub fn records(&self) -> &[T] {
        match self {
            Self::Records(records) => records,
            Self::NoData | Self::NxDomain => &[],
        }
    }

    /// The records, or an empty vector for NODATA and NXDOMAIN.
    pub fn into_records(self) -> Vec<T> {
        match self {
            Self::Records(records) => records,
            Self::NoData | Self::NxDomain => Vec::new(),
        }
    }

    /// Whether the answer holds no records: a void lookup in RFC 7208 §4.6.4 terms.
    pub fn is_void(&self) -> bool {
        !matches!(self, Self::Records(_))
    }

    /// Builds `Records` from a list, or `NoData` when the list is empty.
    pub fn from_records(records: Vec<T>) -> Self {
        if records.is_empty() {
            Self::NoData
        } else {
            Self::Records(records)
        }
    }

    /// Applies `f` to every record.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Answer<U> {
        match self {
            Self::Records(records) => Answer::Records(records.into_iter().map(f).collect()),
            Self::NoData => Answer::NoData,
            Self::NxDomain => Answer::NxDomain,
        }
    }
}

/// The result of every lookup: an answer, or the reason there is none.
pub type Lookup<T> = Result<Answer<T>, DnsError>;

/// One TXT record: its character-strings, kept apart as they came.
///
/// SPF (RFC 7208 §3.3) and DKIM (RFC 6376 §3.6.2.2) read a record as its strings joined with
/// nothing between them: [`Txt::concat`]. The strings are bytes: a TXT record need not be UTF-8.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Txt {
    /// Shared, so answers from a cache or a zone are handed out without copying.
    strings: Arc<[Box<[u8]>]>,
}

impl Txt {
    /// A record made of the given character-strings.
    ///
    /// ```
    /// let txt = mailroom_dns::Txt::new(["v=spf1 ip4:192.0.2.0/24", " -all"]);
    /// assert_eq!(txt.concat(), b"v=spf1 ip4:192.0.2.0/24 -all");
    /// ```
    pub fn new<S: AsRef<[u8]>>(strings: impl IntoIterator<Item = S>) -> Self {
        Self {
            strings: strings.into_iter().map(|s| Box::from(s.as_ref())).collect(),
        }
    }

    /// The character-strings in the order they came.
    pub fn strings(&self) -> &[Box<[u8]>] {
        &self.strings
    }

    /// The strings joined with nothing between them (RFC 7208 §3.3, RFC 6376 §3.6.2.2).
    pub fn concat(&self) -> Vec<u8> {
        self.strings.concat()
    }

    /// The strings joined as [`Txt::concat`] does, without copying a record of one string.
    pub fn joined(&self) -> Cow<'_, [u8]> {
        match &*self.strings {
            [one] => Cow::Borrowed(one),
            many => Cow::Owned(many.concat()),
        }
    }

    /// The joined strings as text, with any invalid UTF-8 replaced by U+FFFD.
    pub fn to_string_lossy(&self) -> String {
        match String::from_utf8_lossy(&self.concat()) {
            Cow::Borrowed(text) => text.to_owned(),
            Cow::Owned(text) => text,
        }
    }
}

impl fmt::Display for Txt {
    /// Writes the record data in master-file form: each string quoted, with `"` and `\` escaped
    /// and bytes outside printable ASCII as `\DDD` (RFC 1035 §5.1).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, string) in self.strings.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str("\"")?;
            for &byte in string.iter() {
                match byte {
                    b'"' | b'\\' => write!(f, "\\{}", char::from(byte))?,
                    0x20..=0x7e => write!(f, "{}", char::from(byte))?,
                    _ => write!(f, "\\{byte:03}")?,
                }
            }
            f.write_str("\"")?;
        }
        Ok(())
    }
}

/// One MX record (RFC 1035 §3.3.9).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mx {
    /// Lower is preferred.
    pub preference: u16,
    /// The mail exchanger's host name: ASCII, lower case, no trailing dot. `""` for the null MX
    /// of RFC 7505 (`0 .`), which says the domain accepts no mail.
    pub exchange: String,
}

impl Mx {
    /// Whether this is the null MX of RFC 7505: the domain accepts no mail.
    pub fn is_null(&self) -> bool {
        self.exchange.is_empty()
    }
}

impl fmt::Display for Mx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}.", self.preference, self.exchange)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txt_keeps_strings_apart_and_joins_without_separator() {
        let txt = Txt::new(["v=DKIM1; k=rsa; p=MIIB", "IjANBg"]);
        assert_eq!(txt.strings().len(), 2);
        assert_eq!(txt.concat(), b"v=DKIM1; k=rsa; p=MIIBIjANBg");
        assert_eq!(txt.joined(), &b"v=DKIM1; k=rsa; p=MIIBIjANBg"[..]);
        assert!(matches!(Txt::new(["one"]).joined(), Cow::Borrowed(b"one")));
    }

    #[test]
    fn txt_display_escapes() {
        let txt = Txt::new([&b"say \"hi\"\\"[..], &[0xef, 0xbb, 0xbf, b'x']]);
        assert_eq!(txt.to_string(), r#""say \"hi\"\\" "\239\187\191x""#);
    }

    #[test]
    fn answer_helpers() {
        assert!(Answer::<u8>::NoData.is_void());
        assert!(Answer::<u8>::NxDomain.is_void());
        assert_eq!(Answer::<u8>::from_records(vec![]), Answer::NoData);
        assert_eq!(Answer::Records(vec![1u8]).map(u16::from).records(), &[1u16]);
    }

    #[test]
    fn null_mx_renders_as_root() {
        let mx = Mx {
            preference: 0,
            exchange: String::new(),
        };
        assert!(mx.is_null());
        assert_eq!(mx.to_string(), "0 .");
    }
}
