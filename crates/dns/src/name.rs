//! Domain names as this crate hands them to the wire and keeps them in a zone: ASCII (A-labels for
//! internationalized names), lower case, without the trailing dot.

use std::borrow::Cow;
use std::net::IpAddr;

use crate::error::{DnsError, NameProblem};

/// The longest name in text form, without the trailing dot: 255 octets on the wire (RFC 1035
/// §2.3.4) less the length octets of the first label and the root.
pub const MAX_NAME_LEN: usize = 253;

/// The longest label (RFC 1035 §2.3.4).
pub const MAX_LABEL_LEN: usize = 63;

/// Returns the name in the form used for queries and zone keys: ASCII, lower case, no trailing
/// dot. Labels with non-ASCII characters become A-labels (RFC 5890, with the UTS 46 mapping), as
/// RFC 8616 asks of DKIM and DMARC; ASCII labels pass through with any octet, since SPF macros
/// (RFC 7208 §7) can put characters such as `+` or `_` into a query name.
///
/// ```
/// assert_eq!(mailroom_dns::to_ascii("Bücher.Example.")?, "xn--bcher-kva.example");
/// assert_eq!(mailroom_dns::to_ascii("_dmarc.EXAMPLE.org")?, "_dmarc.example.org");
/// # Ok::<(), mailroom_dns::DnsError>(())
/// ```
///
/// # Errors
///
/// [`DnsError::InvalidName`] when the name is empty, has an empty label, a label over 63 octets,
/// is over 253 octets, or has a label with no A-label form.
pub fn to_ascii(name: &str) -> Result<String, DnsError> {
    to_ascii_cow(name).map(Cow::into_owned)
}

/// As [`to_ascii`], without allocating when the name is already in that form (the common case
/// for names that came out of a record or a previous lookup).
///
/// # Errors
///
/// As [`to_ascii`].
pub fn to_ascii_cow(name: &str) -> Result<Cow<'_, str>, DnsError> {
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    if is_plain_ascii(trimmed) {
        return Ok(Cow::Borrowed(trimmed));
    }
    convert(name)
}

/// Whether `name` is already a valid name of lower-case ASCII labels: the usual case, checked
/// in one pass so every lookup can afford it.
fn is_plain_ascii(name: &str) -> bool {
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return false;
    }
    let mut label = 0usize;
    for &byte in name.as_bytes() {
        if byte == b'.' {
            if label == 0 || label > MAX_LABEL_LEN {
                return false;
            }
            label = 0;
        } else if byte.is_ascii() && !byte.is_ascii_uppercase() {
            label += 1;
        } else {
            return false;
        }
    }
    label != 0 && label <= MAX_LABEL_LEN
}

/// [`to_ascii_cow`] for names that need converting or are invalid.
fn convert(name: &str) -> Result<Cow<'_, str>, DnsError> {
    let invalid = |problem| DnsError::InvalidName {
        name: name.to_owned(),
        problem,
    };
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    if trimmed.is_empty() {
        return Err(invalid(NameProblem::Empty));
    }
    let ascii: Cow<'_, str> = if !trimmed.is_ascii() {
        let converted = idna::domain_to_ascii_cow(trimmed.as_bytes(), idna::AsciiDenyList::EMPTY)
            .map_err(|_| invalid(NameProblem::Idna))?
            .into_owned();
        // The UTS 46 mapping may turn an ideographic full stop into a trailing dot.
        match converted.strip_suffix('.') {
            Some(without) => Cow::Owned(without.to_owned()),
            None => Cow::Owned(converted),
        }
    } else if trimmed.bytes().any(|c| c.is_ascii_uppercase()) {
        Cow::Owned(trimmed.to_ascii_lowercase())
    } else {
        Cow::Borrowed(trimmed)
    };
    if ascii.len() > MAX_NAME_LEN {
        return Err(invalid(NameProblem::NameTooLong));
    }
    // One pass over the bytes for the label lengths: this runs for every name every check
    // handles, so it stays cheap.
    let mut label = 0usize;
    for &byte in ascii.as_bytes().iter().chain(std::iter::once(&b'.')) {
        if byte != b'.' {
            label += 1;
            continue;
        }
        if label == 0 {
            return Err(invalid(NameProblem::EmptyLabel));
        }
        if label > MAX_LABEL_LEN {
            return Err(invalid(NameProblem::LabelTooLong));
        }
        label = 0;
    }
    Ok(ascii)
}

/// The name under which the PTR records of an address live: `in-addr.arpa` (RFC 1035 §3.5) or
/// nibbles under `ip6.arpa` (RFC 3596 §2.5).
///
/// ```
/// # use std::net::IpAddr;
/// let v4: IpAddr = "192.0.2.7".parse()?;
/// assert_eq!(mailroom_dns::reverse_name(v4), "7.2.0.192.in-addr.arpa");
/// let v6: IpAddr = "2001:db8::1".parse()?;
/// assert!(mailroom_dns::reverse_name(v6).starts_with("1.0.0.0.0.0.0.0."));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn reverse_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            format!("{d}.{c}.{b}.{a}.in-addr.arpa")
        }
        IpAddr::V6(v6) => {
            let mut name = String::with_capacity(72);
            for octet in v6.octets().iter().rev() {
                for nibble in [octet & 0x0f, octet >> 4] {
                    name.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
                    name.push('.');
                }
            }
            name.push_str("ip6.arpa");
            name
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_names_are_lowercased_and_lose_the_root_dot() {
        assert_eq!(to_ascii("Mail.Example.COM.").unwrap(), "mail.example.com");
    }

    #[test]
    fn spf_macro_output_passes_through() {
        assert_eq!(
            to_ascii("john+smith._spf.example.com").unwrap(),
            "john+smith._spf.example.com"
        );
    }

    #[test]
    fn unicode_names_become_a_labels() {
        assert_eq!(to_ascii("münchen.de").unwrap(), "xn--mnchen-3ya.de");
        assert_eq!(to_ascii("ÉXAMPLE。org").unwrap(), "xn--xample-9ua.org");
        assert_eq!(
            to_ascii("sel._domainkey.例え.テスト").unwrap(),
            "sel._domainkey.xn--r8jz45g.xn--zckzah"
        );
    }

    #[test]
    fn normal_names_are_not_copied() {
        assert!(matches!(
            to_ascii_cow("mail.example.com"),
            Ok(Cow::Borrowed(_))
        ));
        assert!(matches!(
            to_ascii_cow("mail.example.com."),
            Ok(Cow::Borrowed("mail.example.com"))
        ));
        assert!(matches!(
            to_ascii_cow("Mail.example.com"),
            Ok(Cow::Owned(_))
        ));
    }

    #[test]
    fn bad_names_say_why() {
        let problem = |name: &str| match to_ascii(name) {
            Err(DnsError::InvalidName { problem, .. }) => problem,
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(problem(""), NameProblem::Empty);
        assert_eq!(problem("."), NameProblem::Empty);
        assert_eq!(problem("a..b"), NameProblem::EmptyLabel);
        assert_eq!(problem(".a"), NameProblem::EmptyLabel);
        assert_eq!(problem(&"x".repeat(64)), NameProblem::LabelTooLong);
        assert_eq!(
            problem(&["abcdefghi"; 26].join(".")),
            NameProblem::NameTooLong
        );
        assert_eq!(problem("xn--a.bücher"), NameProblem::Idna);
    }

    #[test]
    fn reverse_names() {
        assert_eq!(
            reverse_name("2001:db8::cafe".parse().unwrap()),
            "e.f.a.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
        );
        assert_eq!(
            reverse_name("10.1.2.3".parse().unwrap()),
            "3.2.1.10.in-addr.arpa"
        );
    }
}
