//! The master-file reader behind [`Zone::from_text`](super::Zone::from_text): RFC 1035 §5.1
//! tokens (quoted strings, escapes, parentheses, comments), then one record per entry.
//!
//! ```text
//! entry     = owner [ttl] [class] type rdata      ; ttl and class in either order
//!           / blank [ttl] [class] type rdata      ; a leading blank reuses the last owner
//!                                                 ; (only when a TTL, class or type follows)
//!           / "$TTL" ttl
//!           / "$ORIGIN" name                      ; later names without a final dot are
//!                                                 ; relative to it, and "@" is it
//! class     = "IN"
//! type      = "A" / "AAAA" / "MX" / "TXT" / "PTR" / "CNAME" / "TIMEOUT"
//! ```

use super::{DEFAULT_TTL, RecordData};
use crate::answer::{Mx, Txt};
use crate::error::{DnsError, ZoneProblem};
use crate::name::to_ascii;

/// The largest TTL: RFC 2181 §8 limits TTLs to 2^31 - 1 seconds.
const MAX_TTL: u64 = (1 << 31) - 1;

/// The longest character-string: one length octet (RFC 1035 §3.3).
const MAX_STRING_LEN: usize = 255;

/// The classes and types a continuation line may start with.
const KEYWORDS: &[&str] = &[
    "IN", "CH", "HS", "CS", "ANY", "A", "AAAA", "MX", "TXT", "PTR", "CNAME", "TIMEOUT",
];

/// How much of a bad token an error message quotes.
const MAX_QUOTED_TEXT: usize = 60;

/// One record read from the text; `data` is `None` for a `TIMEOUT` marker.
#[derive(Debug)]
pub(super) struct ParsedRecord {
    pub(super) line: usize,
    pub(super) name: String,
    pub(super) ttl: u32,
    pub(super) data: Option<RecordData>,
}

#[derive(Debug)]
struct Token {
    bytes: Vec<u8>,
    quoted: bool,
    /// Whether the token began with an escape, so a `\$` is not a directive.
    escaped_start: bool,
    line: usize,
}

impl Token {
    fn text(&self) -> String {
        let text = String::from_utf8_lossy(&self.bytes);
        match text.char_indices().nth(MAX_QUOTED_TEXT) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text.into_owned(),
        }
    }

    /// The token as an unquoted word in ASCII upper case, for keywords.
    fn keyword(&self) -> Option<String> {
        (!self.quoted).then(|| String::from_utf8_lossy(&self.bytes).to_ascii_uppercase())
    }

    fn error(&self, problem: ZoneProblem) -> DnsError {
        DnsError::ZoneSyntax {
            line: self.line,
            problem,
            text: self.text(),
        }
    }
}

/// One record's worth of tokens: a line, or several joined by parentheses.
#[derive(Debug)]
struct Entry {
    line: usize,
    blank_owner: bool,
    tokens: Vec<Token>,
}

/// Reads every record in `text`.
pub(super) fn records(text: &str) -> Result<Vec<ParsedRecord>, DnsError> {
    let mut out = Vec::new();
    let mut owner: Option<String> = None;
    let mut default_ttl = DEFAULT_TTL;
    let mut origin: Option<String> = None;
    for entry in entries(text)? {
        let mut tokens = entry.tokens.iter();
        // RFC 1035 §5.1: a line starting with a blank continues the previous owner. Indented
        // text (as in code) also starts with a blank, so a line whose first word cannot be a
        // TTL, class or type names its own owner.
        let continues_owner = entry.blank_owner
            && entry.tokens.first().is_some_and(|first| {
                parse_ttl(first).is_ok()
                    || first
                        .keyword()
                        .is_some_and(|k| KEYWORDS.contains(&k.as_str()))
            });
        if !continues_owner {
            let Some(first) = tokens.next() else { continue };
            if !first.escaped_start && first.keyword().is_some_and(|k| k.starts_with('$')) {
                let directive = first.keyword().unwrap_or_default();
                let value = tokens.next();
                match (directive.as_str(), value) {
                    ("$TTL", Some(ttl)) => default_ttl = parse_ttl(ttl)?,
                    ("$TTL", None) => return Err(first.error(ZoneProblem::BadTtl)),
                    // RFC 1035 §5.1: the origin may itself be given relative to the last one.
                    ("$ORIGIN", Some(name)) => origin = Some(parse_name(name, origin.as_deref())?),
                    ("$ORIGIN", None) => return Err(first.error(ZoneProblem::BadName)),
                    _ => return Err(first.error(ZoneProblem::UnsupportedDirective)),
                }
                if let Some(extra) = tokens.next() {
                    return Err(extra.error(ZoneProblem::WrongFieldCount));
                }
                continue;
            }
            owner = Some(parse_name(first, origin.as_deref())?);
        }
        let Some(name) = owner.clone() else {
            return Err(DnsError::ZoneSyntax {
                line: entry.line,
                problem: ZoneProblem::MissingOwner,
                text: entry.tokens.first().map(Token::text).unwrap_or_default(),
            });
        };
        let mut ttl = default_ttl;
        let record_type = loop {
            let Some(token) = tokens.next() else {
                return Err(DnsError::ZoneSyntax {
                    line: entry.line,
                    problem: ZoneProblem::MissingType,
                    text: name,
                });
            };
            let keyword = token.keyword().unwrap_or_default();
            if keyword.starts_with(|c: char| c.is_ascii_digit()) {
                ttl = parse_ttl(token)?;
            } else if matches!(keyword.as_str(), "CH" | "HS" | "CS" | "ANY") {
                return Err(token.error(ZoneProblem::UnsupportedClass));
            } else if keyword != "IN" {
                break token;
            }
        };
        let rdata: Vec<&Token> = tokens.collect();
        let data = parse_rdata(record_type, &rdata, origin.as_deref())?;
        out.push(ParsedRecord {
            line: record_type.line,
            name,
            ttl,
            data,
        });
    }
    Ok(out)
}

fn parse_rdata(
    record_type: &Token,
    rdata: &[&Token],
    origin: Option<&str>,
) -> Result<Option<RecordData>, DnsError> {
    let keyword = record_type
        .keyword()
        .ok_or_else(|| record_type.error(ZoneProblem::UnknownType))?;
    let expect = |count: usize| {
        if rdata.len() == count {
            Ok(())
        } else {
            let token = rdata.get(count).copied().unwrap_or(record_type);
            Err(token.error(ZoneProblem::WrongFieldCount))
        }
    };
    let data = match keyword.as_str() {
        "TIMEOUT" => {
            expect(0)?;
            return Ok(None);
        }
        "A" => {
            expect(1)?;
            RecordData::A(parse_word(rdata[0], ZoneProblem::BadIpv4)?)
        }
        "AAAA" => {
            expect(1)?;
            RecordData::Aaaa(parse_word(rdata[0], ZoneProblem::BadIpv6)?)
        }
        "MX" => {
            expect(2)?;
            let preference = parse_word(rdata[0], ZoneProblem::BadPreference)?;
            let exchange = if rdata[1].bytes == b"." {
                String::new()
            } else {
                parse_name(rdata[1], origin)?
            };
            RecordData::Mx(Mx {
                preference,
                exchange,
            })
        }
        "TXT" => {
            if rdata.is_empty() {
                return Err(record_type.error(ZoneProblem::EmptyTxt));
            }
            if let Some(long) = rdata.iter().find(|t| t.bytes.len() > MAX_STRING_LEN) {
                return Err(long.error(ZoneProblem::StringTooLong));
            }
            RecordData::Txt(Txt::new(rdata.iter().map(|t| &t.bytes)))
        }
        "PTR" => {
            expect(1)?;
            RecordData::Ptr(parse_name(rdata[0], origin)?)
        }
        "CNAME" => {
            expect(1)?;
            RecordData::Cname(parse_name(rdata[0], origin)?)
        }
        _ => return Err(record_type.error(ZoneProblem::UnknownType)),
    };
    Ok(Some(data))
}

/// Parses an unquoted token with `FromStr`.
fn parse_word<T: std::str::FromStr>(token: &Token, problem: ZoneProblem) -> Result<T, DnsError> {
    if token.quoted {
        return Err(token.error(problem));
    }
    std::str::from_utf8(&token.bytes)
        .ok()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| token.error(problem))
}

/// Reads a domain name (RFC 1035 §5.1): `@` is the origin, and a name without a final dot is
/// relative to the origin. With no `$ORIGIN` given, every name is taken as absolute, dot or
/// not.
fn parse_name(token: &Token, origin: Option<&str>) -> Result<String, DnsError> {
    let text = std::str::from_utf8(&token.bytes).map_err(|_| token.error(ZoneProblem::BadName))?;
    if token.quoted {
        return Err(token.error(ZoneProblem::BadName));
    }
    let name = match (text, origin) {
        ("@", Some(origin)) => return Ok(origin.to_owned()),
        ("@", None) => return Err(token.error(ZoneProblem::NoOrigin)),
        (relative, Some(origin)) if !relative.ends_with('.') => {
            to_ascii(&format!("{relative}.{origin}"))
        }
        (name, _) => to_ascii(name),
    };
    name.map_err(|_| token.error(ZoneProblem::BadName))
}

/// Reads a TTL: seconds, or BIND-style units such as `1h30m` (s, m, h, d, w).
fn parse_ttl(token: &Token) -> Result<u32, DnsError> {
    let bad = || token.error(ZoneProblem::BadTtl);
    let text = token.keyword().ok_or_else(bad)?;
    let mut total: u64 = 0;
    let mut number: Option<u64> = None;
    for c in text.chars() {
        if let Some(digit) = c.to_digit(10) {
            let n = number.unwrap_or(0) * 10 + u64::from(digit);
            if n > MAX_TTL {
                return Err(bad());
            }
            number = Some(n);
            continue;
        }
        let unit = match c {
            'S' => 1,
            'M' => 60,
            'H' => 3600,
            'D' => 86_400,
            'W' => 604_800,
            _ => return Err(bad()),
        };
        total += number.take().ok_or_else(bad)? * unit;
        if total > MAX_TTL {
            return Err(bad());
        }
    }
    total += number.unwrap_or(0);
    if text.is_empty() || total > MAX_TTL {
        return Err(bad());
    }
    u32::try_from(total).map_err(|_| bad())
}

/// Splits the text into entries of tokens (RFC 1035 §5.1): blanks separate tokens, `;` starts a
/// comment, `(` and `)` let an entry run over several lines, `"` quotes a string, and `\X` or
/// `\DDD` stand for one octet.
fn entries(text: &str) -> Result<Vec<Entry>, DnsError> {
    let bytes = text.as_bytes();
    let mut entries = Vec::new();
    let mut current: Option<Entry> = None;
    let mut line = 1;
    let mut line_starts_blank = false;
    let mut at_line_start = true;
    let mut open_paren_line = 0;
    let mut depth = 0usize;
    let mut i = 0;
    let syntax = |line: usize, problem, text: &[u8]| DnsError::ZoneSyntax {
        line,
        problem,
        text: String::from_utf8_lossy(&text[..text.len().min(MAX_QUOTED_TEXT)]).into_owned(),
    };
    while i < bytes.len() {
        let byte = bytes[i];
        if at_line_start && depth == 0 {
            line_starts_blank = matches!(byte, b' ' | b'\t');
        }
        at_line_start = false;
        match byte {
            b'\n' => {
                line += 1;
                at_line_start = true;
                i += 1;
                if depth == 0 {
                    entries.extend(current.take().filter(|e| !e.tokens.is_empty()));
                }
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b';' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' => {
                if depth == 0 {
                    open_paren_line = line;
                }
                depth += 1;
                i += 1;
            }
            b')' => {
                if depth == 0 {
                    return Err(syntax(line, ZoneProblem::UnbalancedParentheses, b")"));
                }
                depth -= 1;
                i += 1;
            }
            _ => {
                let quoted = byte == b'"';
                let start_line = line;
                let start = i;
                if quoted {
                    i += 1;
                }
                let mut token = Vec::new();
                loop {
                    let Some(&b) = bytes.get(i) else {
                        if quoted {
                            return Err(syntax(
                                start_line,
                                ZoneProblem::UnclosedQuote,
                                &bytes[start..],
                            ));
                        }
                        break;
                    };
                    match b {
                        b'"' if quoted => {
                            i += 1;
                            break;
                        }
                        b'\n' if quoted => {
                            return Err(syntax(
                                start_line,
                                ZoneProblem::UnclosedQuote,
                                &bytes[start..i],
                            ));
                        }
                        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'(' | b')' | b'"' if !quoted => {
                            break;
                        }
                        b'\\' => {
                            let (octet, used) = escape(&bytes[i + 1..]).ok_or_else(|| {
                                syntax(start_line, ZoneProblem::BadEscape, &bytes[i..])
                            })?;
                            token.push(octet);
                            i += 1 + used;
                        }
                        _ => {
                            token.push(b);
                            i += 1;
                        }
                    }
                }
                let entry = current.get_or_insert_with(|| Entry {
                    line: start_line,
                    blank_owner: line_starts_blank,
                    tokens: Vec::new(),
                });
                entry.tokens.push(Token {
                    bytes: token,
                    quoted,
                    escaped_start: bytes[start] == b'\\',
                    line: start_line,
                });
            }
        }
    }
    if depth > 0 {
        return Err(syntax(
            open_paren_line,
            ZoneProblem::UnbalancedParentheses,
            b"(",
        ));
    }
    entries.extend(current.filter(|e| !e.tokens.is_empty()));
    Ok(entries)
}

/// Decodes the escape after a backslash: `\DDD` (a decimal octet, at most 255) or `\X` (the
/// octet X itself). Returns the octet and how many bytes the escape used after the backslash.
fn escape(rest: &[u8]) -> Option<(u8, usize)> {
    let first = *rest.first()?;
    if first.is_ascii_digit() {
        let digits = rest.get(..3)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let value = digits
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        return u8::try_from(value).ok().map(|octet| (octet, 3));
    }
    (first != b'\n').then_some((first, 1))
}
