//! Macro-strings (RFC 7208 §7): parsed once with the record, expanded per check.
//!
//! ```text
//! macro-string = *( macro-expand / macro-literal )
//! macro-expand = ( "%{" macro-letter transformers *delimiter "}" ) / "%%" / "%_" / "%-"
//! macro-literal = %x21-24 / %x26-7E
//! macro-letter = "s" / "l" / "o" / "d" / "i" / "p" / "h" / "c" / "r" / "t" / "v"
//! transformers = *DIGIT [ "r" ]
//! delimiter    = "." / "-" / "+" / "," / "/" / "_" / "="
//! ```

use std::fmt;
use std::net::IpAddr;

use crate::error::{Error, shorten};

/// The longest domain name a query is made for; longer expansions lose labels on the left
/// (RFC 7208 §7.3).
pub const MAX_DOMAIN_LEN: usize = 253;

/// A macro-string: literal text and macros, as written in a record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MacroString {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Part {
    Literal(String),
    Macro(Macro),
    /// `%%`
    Percent,
    /// `%_`
    Space,
    /// `%-`
    EncodedSpace,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Macro {
    /// The letter, lower case.
    letter: char,
    /// Written in upper case: the expansion is URL-escaped (§7.3).
    escape: bool,
    /// Keep this many parts from the right.
    keep: Option<u32>,
    reverse: bool,
    delimiters: String,
    /// The delimiters (or `.` when none are written), a bit each: bit `c - 0x20` for the
    /// character `c` (every delimiter lies between 0x20 and 0x5f).
    mask: u64,
}

/// What the macros of one check expand to (RFC 7208 §7.3).
#[derive(Debug, Clone)]
pub struct MacroContext<'a> {
    /// `<sender>`: `local-part@domain` (with `postmaster` for an empty local part).
    pub sender: &'a str,
    /// `<domain>`: the domain being checked now.
    pub domain: &'a str,
    /// `<ip>`: the client's address.
    pub ip: IpAddr,
    /// The HELO/EHLO name.
    pub helo: &'a str,
    /// The receiving host's name, for `%{r}` in explanations.
    pub receiver: &'a str,
    /// The time in seconds since the Unix epoch, for `%{t}`.
    pub now: u64,
    /// The validated domain name of the client (`%{p}`), once looked up.
    pub validated: Option<&'a str>,
}

impl MacroString {
    /// Parses a macro-string.
    ///
    /// # Errors
    ///
    /// [`Error::Macro`] for a `%` not starting a valid macro, an unknown letter, or a character
    /// a macro-string may not hold.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let bad = |problem| Error::Macro {
            text: shorten(text),
            problem,
        };
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((_, c)) = chars.next() {
            if c != '%' {
                if !(c.is_ascii_graphic() || c == ' ') {
                    return Err(bad("a character outside printable US-ASCII"));
                }
                literal.push(c);
                continue;
            }
            let part = match chars.next().map(|(_, c)| c) {
                Some('%') => Part::Percent,
                Some('_') => Part::Space,
                Some('-') => Part::EncodedSpace,
                Some('{') => {
                    let letter_char = chars.next().map(|(_, c)| c).ok_or(bad("unclosed macro"))?;
                    let letter = letter_char.to_ascii_lowercase();
                    if !"slodiphcrtv".contains(letter) || !letter_char.is_ascii_alphabetic() {
                        return Err(bad("unknown macro letter"));
                    }
                    let mut digits = String::new();
                    while let Some(&(_, d)) = chars.peek() {
                        if !d.is_ascii_digit() {
                            break;
                        }
                        digits.push(d);
                        chars.next();
                    }
                    let keep = if digits.is_empty() {
                        None
                    } else {
                        // §7.3: the count MUST be nonzero; a huge one keeps everything.
                        let n: u32 = digits.parse().unwrap_or(u32::MAX);
                        if n == 0 {
                            return Err(bad("a zero transformer"));
                        }
                        Some(n)
                    };
                    let reverse = chars.peek().is_some_and(|&(_, r)| r == 'r' || r == 'R');
                    if reverse {
                        chars.next();
                    }
                    let mut delimiters = String::new();
                    loop {
                        match chars.next().map(|(_, c)| c) {
                            Some('}') => break,
                            Some(d @ ('.' | '-' | '+' | ',' | '/' | '_' | '=')) => {
                                delimiters.push(d);
                            }
                            Some(_) => return Err(bad("invalid delimiter")),
                            None => return Err(bad("unclosed macro")),
                        }
                    }
                    // The delimiters are ASCII (§7.1), so a bit mask answers for each character.
                    let mask = if delimiters.is_empty() {
                        "."
                    } else {
                        &delimiters
                    }
                    .bytes()
                    .fold(0u64, |mask, b| mask | 1 << (b.wrapping_sub(0x20) & 0x3f));
                    Part::Macro(Macro {
                        letter,
                        escape: letter_char.is_ascii_uppercase(),
                        keep,
                        reverse,
                        delimiters,
                        mask,
                    })
                }
                _ => return Err(bad("`%` must start %{…}, %%, %_ or %-")),
            };
            if !literal.is_empty() {
                parts.push(Part::Literal(std::mem::take(&mut literal)));
            }
            parts.push(part);
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Ok(Self { parts })
    }

    /// The text, when it has no macros and needs no truncation: expanding it gives it as is.
    pub(crate) fn as_plain_domain(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [Part::Literal(text)] if text.trim_end_matches('.').len() <= MAX_DOMAIN_LEN => {
                Some(text)
            }
            _ => None,
        }
    }

    /// Whether the string uses `%{p}`, which needs DNS lookups before expansion.
    pub fn uses_validated_name(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Macro(m) if m.letter == 'p'))
    }

    /// Whether the string uses `c`, `r` or `t`, which only explanation text may (§7.3).
    pub fn uses_explanation_only_letters(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Macro(m) if matches!(m.letter, 'c' | 'r' | 't')))
    }

    /// Whether the string is a valid domain-spec (RFC 7208 §7.1): it ends with a macro, or with
    /// a dot and a top label that is not all digits.
    ///
    /// ```text
    /// domain-spec = macro-string domain-end
    /// domain-end  = ( "." toplabel [ "." ] ) / macro-expand
    /// toplabel    = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
    /// ```
    pub fn is_domain_spec(&self) -> bool {
        match self.parts.last() {
            Some(Part::Macro(_)) => true,
            Some(Part::Literal(text)) => {
                let text = text.strip_suffix('.').unwrap_or(text);
                let Some((before, top)) = text.rsplit_once('.') else {
                    return false;
                };
                // A literal that is only the top label needs something before its dot.
                if before.is_empty() && self.parts.len() == 1 {
                    return false;
                }
                is_toplabel(top)
            }
            _ => false,
        }
    }

    /// Expands the macros. `explanation` allows `c`, `r` and `t`, which only `exp=` text may use.
    ///
    /// # Errors
    ///
    /// [`Error::Macro`] for `c`, `r` or `t` outside an explanation.
    pub fn expand(&self, context: &MacroContext<'_>, explanation: bool) -> Result<String, Error> {
        let mut out = String::with_capacity(64);
        let mut escaped = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Percent => out.push('%'),
                Part::Space => out.push(' '),
                Part::EncodedSpace => out.push_str("%20"),
                Part::Macro(m) => {
                    if !explanation && matches!(m.letter, 'c' | 'r' | 't') {
                        return Err(Error::Macro {
                            text: self.to_string(),
                            problem: "c, r and t are allowed only in exp= text",
                        });
                    }
                    if m.letter == 'i' && m.reverse && m.delimiters.is_empty() && !m.escape {
                        // `%{ir}`, the commonest macro: the address's parts written backwards
                        // at once, without splitting its text.
                        write_reversed_ip(context.ip, m.keep, &mut out);
                        continue;
                    }
                    with_letter_value(m.letter, context, |value| {
                        if m.escape {
                            escaped.clear();
                            transform(value, m, &mut escaped);
                            url_escape(&escaped, &mut out);
                        } else {
                            transform(value, m, &mut out);
                        }
                    });
                }
            }
        }
        Ok(out)
    }

    /// Expands for use as a domain name in a query, truncated on the left to 253 octets.
    ///
    /// # Errors
    ///
    /// As [`MacroString::expand`].
    pub fn expand_domain(&self, context: &MacroContext<'_>) -> Result<String, Error> {
        Ok(truncate_domain(self.expand(context, false)?))
    }
}

/// Removes labels from the left until the name fits in 253 octets (RFC 7208 §7.3).
pub(crate) fn truncate_domain(mut name: String) -> String {
    while name.trim_end_matches('.').len() > MAX_DOMAIN_LEN {
        match name.find('.') {
            Some(dot) => {
                name.drain(..=dot);
            }
            None => break,
        }
    }
    name
}

fn is_toplabel(label: &str) -> bool {
    let bytes = label.as_bytes();
    let alnum = |c: &u8| c.is_ascii_alphanumeric();
    if bytes.is_empty() || !bytes.iter().all(|c| alnum(c) || *c == b'-') {
        return false;
    }
    if bytes.iter().all(alnum) {
        return bytes.iter().any(u8::is_ascii_alphabetic);
    }
    // With hyphens: alphanumeric at both ends.
    alnum(&bytes[0]) && alnum(&bytes[bytes.len() - 1])
}

/// The value of a macro letter (§7.3), handed to `use_value`. The client's address is written
/// into a buffer on the stack, not a new string: `%{i}` is in most macro records.
fn with_letter_value<T>(
    letter: char,
    context: &MacroContext<'_>,
    use_value: impl FnOnce(&str) -> T,
) -> T {
    let sender = || {
        context
            .sender
            .rsplit_once('@')
            .unwrap_or(("postmaster", context.sender))
    };
    match letter {
        's' => use_value(context.sender),
        'l' => use_value(sender().0),
        'o' => use_value(sender().1),
        'd' => use_value(context.domain),
        'i' => {
            let mut buffer = [0u8; 63];
            let len = write_dotted_ip(context.ip, &mut buffer);
            use_value(std::str::from_utf8(&buffer[..len]).unwrap_or_default())
        }
        'p' => use_value(context.validated.unwrap_or("unknown")),
        'v' => use_value(match context.ip {
            IpAddr::V4(_) => "in-addr",
            IpAddr::V6(_) => "ip6",
        }),
        'h' => use_value(context.helo),
        'c' => use_value(&context.ip.to_string()),
        'r' => use_value(context.receiver),
        't' => use_value(&context.now.to_string()),
        _ => use_value(""),
    }
}

/// Writes `%{i}` (§7.3): an IPv4 address as a dotted quad, an IPv6 address as 32 dot-separated
/// nibbles. Returns the length written (at most 63).
fn write_dotted_ip(ip: IpAddr, out: &mut [u8; 63]) -> usize {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut len = 0;
    let mut put = |byte: u8| {
        if let Some(slot) = out.get_mut(len) {
            *slot = byte;
            len += 1;
        }
    };
    match ip {
        IpAddr::V4(v4) => {
            for (n, octet) in v4.octets().into_iter().enumerate() {
                if n > 0 {
                    put(b'.');
                }
                if octet >= 100 {
                    put(b'0' + octet / 100);
                }
                if octet >= 10 {
                    put(b'0' + octet / 10 % 10);
                }
                put(b'0' + octet % 10);
            }
        }
        IpAddr::V6(v6) => {
            for (n, byte) in v6.octets().into_iter().enumerate() {
                if n > 0 {
                    put(b'.');
                }
                put(HEX[usize::from(byte >> 4)]);
                put(b'.');
                put(HEX[usize::from(byte & 0x0f)]);
            }
        }
    }
    len
}

/// Writes `%{ir}` (or `%{<n>ir}`): the parts of `%{i}` in reverse order, the rightmost `keep` of
/// that list (§7.3).
fn write_reversed_ip(ip: IpAddr, keep: Option<u32>, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let keep =
        |count: usize| keep.map_or(count, |k| usize::try_from(k).unwrap_or(count).min(count));
    match ip {
        IpAddr::V4(v4) => {
            let octets = v4.octets();
            for (n, octet) in octets[..keep(4)].iter().rev().enumerate() {
                if n > 0 {
                    out.push('.');
                }
                if *octet >= 100 {
                    out.push(char::from(b'0' + octet / 100));
                }
                if *octet >= 10 {
                    out.push(char::from(b'0' + octet / 10 % 10));
                }
                out.push(char::from(b'0' + octet % 10));
            }
        }
        IpAddr::V6(v6) => {
            let nibbles = v6.octets().into_iter().flat_map(|b| [b >> 4, b & 0x0f]);
            let nibbles: Vec<u8> = nibbles.collect();
            for (n, nibble) in nibbles[..keep(32)].iter().rev().enumerate() {
                if n > 0 {
                    out.push('.');
                }
                out.push(char::from(HEX[usize::from(*nibble)]));
            }
        }
    }
}

/// Splits on the delimiters, reverses, keeps the rightmost parts, joins with dots (§7.3),
/// writing to `out` without building the list of parts.
fn transform(value: &str, m: &Macro, out: &mut String) {
    if m.keep.is_none() && !m.reverse && m.delimiters.is_empty() {
        out.push_str(value);
        return;
    }
    let is_delimiter = |b: u8| {
        let bit = b.wrapping_sub(0x20);
        bit < 64 && m.mask >> bit & 1 != 0
    };
    let bytes = value.as_bytes();
    let count = bytes.iter().filter(|&&b| is_delimiter(b)).count() + 1;
    let keep = m.keep.map_or(count, |keep| {
        usize::try_from(keep).unwrap_or(usize::MAX).min(count)
    });
    // The rightmost `keep` parts of the (possibly reversed) list: in reverse order those are
    // the first `keep` parts of the value, read from the right. Delimiters are ASCII, so the
    // slices below fall on character boundaries.
    let skip = count - keep;
    if m.reverse {
        // Most values have few delimiters (an address, a domain): find them in one pass.
        let mut found = [0usize; 16];
        if count <= found.len() {
            let positions = bytes.iter().enumerate().filter(|&(_, &b)| is_delimiter(b));
            for (slot, (at, _)) in found.iter_mut().zip(positions) {
                *slot = at;
            }
            let delimiters = &found[..count - 1];
            // Part k (from the left) runs from after delimiter k-1 to delimiter k.
            let part = |k: usize| {
                let start = if k == 0 { 0 } else { delimiters[k - 1] + 1 };
                let end = delimiters.get(k).copied().unwrap_or(bytes.len());
                value.get(start..end).unwrap_or_default()
            };
            for (n, k) in (0..keep).rev().enumerate() {
                if n > 0 {
                    out.push('.');
                }
                out.push_str(part(k));
            }
            return;
        }
        let mut end = bytes.len();
        for index in 0..count {
            let start = bytes[..end]
                .iter()
                .rposition(|&b| is_delimiter(b))
                .map_or(0, |at| at + 1);
            if index >= skip {
                if index > skip {
                    out.push('.');
                }
                out.push_str(value.get(start..end).unwrap_or_default());
            }
            end = start.saturating_sub(1);
        }
    } else {
        let mut from = 0;
        let mut seen = 0;
        for (at, &b) in bytes.iter().enumerate() {
            if !is_delimiter(b) {
                continue;
            }
            if seen >= skip {
                out.push_str(value.get(from..at).unwrap_or_default());
                out.push('.');
            }
            seen += 1;
            from = at + 1;
        }
        out.push_str(value.get(from..).unwrap_or_default());
    }
}

/// URL-escapes everything but the unreserved characters of RFC 3986 §2.3.
fn url_escape(text: &str, out: &mut String) {
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
}

impl fmt::Display for MacroString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                Part::Literal(text) => f.write_str(text)?,
                Part::Percent => f.write_str("%%")?,
                Part::Space => f.write_str("%_")?,
                Part::EncodedSpace => f.write_str("%-")?,
                Part::Macro(m) => {
                    let letter = if m.escape {
                        m.letter.to_ascii_uppercase()
                    } else {
                        m.letter
                    };
                    write!(f, "%{{{letter}")?;
                    if let Some(keep) = m.keep {
                        write!(f, "{keep}")?;
                    }
                    if m.reverse {
                        f.write_str("r")?;
                    }
                    write!(f, "{}}}", m.delimiters)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_quads_match_the_standard_form() {
        let dotted = |ip: IpAddr| {
            let mut buffer = [0u8; 63];
            let len = write_dotted_ip(ip, &mut buffer);
            String::from_utf8(buffer[..len].to_vec()).unwrap()
        };
        for octet in [0u8, 1, 9, 10, 42, 99, 100, 101, 199, 200, 255] {
            let ip = std::net::Ipv4Addr::new(octet, 255 - octet, 7, octet / 2);
            assert_eq!(dotted(ip.into()), ip.to_string());
        }
        let v6: IpAddr = "2001:db8::cb01".parse().unwrap();
        assert_eq!(
            dotted(v6),
            "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1"
        );
    }

    /// The transformers against the RFC's words done the slow way: split, reverse, keep the
    /// rightmost parts, join with dots.
    #[test]
    fn transformers_match_the_definition() {
        let values = [
            "a.b.c",
            "strong-bad+x.y",
            ".lead",
            "trail.",
            "a..b",
            "",
            "-",
            "one",
            "ü.é-x",
        ];
        for value in values {
            for keep in [None, Some(1), Some(2), Some(3), Some(99)] {
                for reverse in [false, true] {
                    for delimiters in ["", ".", "-", "+-", "=_/,"] {
                        let text = format!(
                            "%{{l{}{}{delimiters}}}",
                            keep.map(|k: u32| k.to_string()).unwrap_or_default(),
                            if reverse { "r" } else { "" }
                        );
                        let parsed = MacroString::parse(&text).unwrap();
                        let Part::Macro(m) = &parsed.parts[0] else {
                            panic!("{text}")
                        };
                        let mut got = String::new();
                        transform(value, m, &mut got);
                        let split_on = if delimiters.is_empty() {
                            "."
                        } else {
                            delimiters
                        };
                        let mut parts: Vec<&str> = value.split(|c| split_on.contains(c)).collect();
                        if reverse {
                            parts.reverse();
                        }
                        let keep = keep.map_or(parts.len(), |k| (k as usize).min(parts.len()));
                        let expected = parts[parts.len() - keep..].join(".");
                        assert_eq!(got, expected, "{text} of {value:?}");
                    }
                }
            }
        }
    }

    /// `%{ir}` written directly equals the generic transform of `%{i}`'s text.
    #[test]
    fn reversed_addresses_match_the_generic_transform() {
        for ip in [
            "192.0.2.21",
            "10.0.0.1",
            "255.1.100.9",
            "2001:db8::cb01",
            "::1",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            for keep in ["", "1", "2", "3", "4", "5", "17", "32", "40"] {
                let parsed = MacroString::parse(&format!("%{{i{keep}r}}")).unwrap();
                let Part::Macro(m) = &parsed.parts[0] else {
                    panic!("{keep}")
                };
                let mut direct = String::new();
                write_reversed_ip(ip, m.keep, &mut direct);
                let mut generic = String::new();
                with_letter_value('i', &context(&ip.to_string()), |value| {
                    transform(value, m, &mut generic);
                });
                assert_eq!(direct, generic, "{ip} keep {keep}");
            }
        }
    }

    fn context(ip: &str) -> MacroContext<'static> {
        MacroContext {
            sender: "strong-bad@email.example.com",
            domain: "email.example.com",
            ip: ip.parse().unwrap(),
            helo: "mx.example.org",
            receiver: "mx.receiver.example",
            now: 1_700_000_000,
            validated: Some("mx.example.org"),
        }
    }

    fn expand(text: &str, ip: &str) -> String {
        MacroString::parse(text)
            .unwrap()
            .expand(&context(ip), true)
            .unwrap()
    }

    /// RFC 7208 §7.4, the examples.
    #[test]
    fn rfc7208_section_7_4_examples() {
        let v4 = "192.0.2.3";
        assert_eq!(expand("%{s}", v4), "strong-bad@email.example.com");
        assert_eq!(expand("%{o}", v4), "email.example.com");
        assert_eq!(expand("%{d}", v4), "email.example.com");
        assert_eq!(expand("%{d4}", v4), "email.example.com");
        assert_eq!(expand("%{d3}", v4), "email.example.com");
        assert_eq!(expand("%{d2}", v4), "example.com");
        assert_eq!(expand("%{d1}", v4), "com");
        assert_eq!(expand("%{dr}", v4), "com.example.email");
        assert_eq!(expand("%{d2r}", v4), "example.email");
        assert_eq!(expand("%{l}", v4), "strong-bad");
        assert_eq!(expand("%{l-}", v4), "strong.bad");
        assert_eq!(expand("%{lr}", v4), "strong-bad");
        assert_eq!(expand("%{lr-}", v4), "bad.strong");
        assert_eq!(expand("%{l1r-}", v4), "strong");
        assert_eq!(
            expand("%{ir}.%{v}._spf.%{d2}", v4),
            "3.2.0.192.in-addr._spf.example.com"
        );
        assert_eq!(
            expand("%{lr-}.lp._spf.%{d2}", v4),
            "bad.strong.lp._spf.example.com"
        );
        assert_eq!(
            expand("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", v4),
            "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"
        );
        assert_eq!(
            expand("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", v4),
            "3.2.0.192.in-addr.strong.lp._spf.example.com"
        );
        assert_eq!(
            expand("%{d2}.trusted-domains.example.net", v4),
            "example.com.trusted-domains.example.net"
        );
        assert_eq!(
            expand("%{ir}.%{v}._spf.%{d2}", "2001:db8::cb01"),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"
        );
    }

    #[test]
    fn escapes_and_specials() {
        assert_eq!(expand("%{L}", "192.0.2.3"), "strong-bad");
        assert_eq!(
            expand("%{S}", "192.0.2.3"),
            "strong-bad%40email.example.com"
        );
        assert_eq!(expand("%%%_%-", "192.0.2.3"), "% %20");
        assert_eq!(
            expand("%{c} %{r} %{t}", "2001:db8::1"),
            "2001:db8::1 mx.receiver.example 1700000000"
        );
    }

    #[test]
    fn errors() {
        for bad in ["%", "%x", "%{", "%{q}", "%{d0}", "%{d2x}", "%{d"] {
            assert!(MacroString::parse(bad).is_err(), "{bad}");
        }
        let t = MacroString::parse("%{t}").unwrap();
        assert!(t.expand(&context("192.0.2.1"), false).is_err());
    }

    #[test]
    fn domain_specs() {
        for good in [
            "example.com",
            "example.com.",
            "%{d}",
            "%{d}.com",
            "a.x-y",
            "foo.9a",
        ] {
            assert!(MacroString::parse(good).unwrap().is_domain_spec(), "{good}");
        }
        for bad in [
            "1.2.3.4",
            "museum",
            "example.-com",
            "example.com-",
            "foo.123",
        ] {
            assert!(!MacroString::parse(bad).unwrap().is_domain_spec(), "{bad}");
        }
    }

    #[test]
    fn round_trip() {
        for text in ["%{ir}.%{v}._spf.%{d2}", "%{L1r-+}x%%%_%-", "plain.example"] {
            assert_eq!(MacroString::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn truncation() {
        let long = format!("{}.example.com", ["abcdefghij"; 30].join("."));
        let truncated = truncate_domain(long);
        assert!(truncated.len() <= MAX_DOMAIN_LEN);
        assert!(truncated.ends_with(".example.com"));
        assert!(truncated.starts_with("abcdefghij."));
    }
}
