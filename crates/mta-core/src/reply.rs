//! SMTP replies (RFC 5321 §4.2) with enhanced status codes (RFC 3463, RFC 2034): written one
//! or several lines long, and read back.
//!
//! ```text
//! Reply-line = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF
//! ```

use std::fmt;

use crate::error::Error;

/// An enhanced status code `class.subject.detail` (RFC 3463 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnhancedCode {
    /// 2 (success), 4 (persistent transient failure) or 5 (permanent failure).
    pub class: u8,
    /// The subject: 0 to 999.
    pub subject: u16,
    /// The detail: 0 to 999.
    pub detail: u16,
}

impl EnhancedCode {
    /// The code `class.subject.detail`.
    pub const fn new(class: u8, subject: u16, detail: u16) -> Self {
        Self {
            class,
            subject,
            detail,
        }
    }

    /// Reads `class.subject.detail` (RFC 3463 §2: 1 digit, then 1 to 3 digits twice).
    fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('.');
        let class = parts.next()?;
        let subject = parts.next()?;
        let detail = parts.next()?;
        let digits = |part: &str, max: usize| {
            !part.is_empty() && part.len() <= max && part.bytes().all(|b| b.is_ascii_digit())
        };
        if parts.next().is_some()
            || !digits(class, 1)
            || !digits(subject, 3)
            || !digits(detail, 3)
            || !matches!(class, "2" | "4" | "5")
        {
            return None;
        }
        Some(Self::new(
            class.parse().ok()?,
            subject.parse().ok()?,
            detail.parse().ok()?,
        ))
    }
}

impl fmt::Display for EnhancedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// A reply: a three-digit code, an optional enhanced status code, and one or more lines of text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reply {
    /// The reply code, 200 to 599.
    pub code: u16,
    /// The enhanced status code, written at the start of every line.
    pub enhanced: Option<EnhancedCode>,
    /// The text, one entry per line (never empty; an entry may be empty).
    pub lines: Vec<String>,
}

impl Reply {
    /// A reply whose text may span lines (split at `\n`); control characters are dropped, so no
    /// text can end a reply line early.
    ///
    /// ```
    /// use mailroom_mta_core::{EnhancedCode, Reply};
    /// let reply = Reply::new(250, Some(EnhancedCode::new(2, 1, 0)), "sender ok");
    /// assert_eq!(reply.to_string(), "250 2.1.0 sender ok\r\n");
    /// let ehlo = Reply::new(250, None, "mx.example.org\nPIPELINING\nSMTPUTF8");
    /// assert_eq!(ehlo.to_string(), "250-mx.example.org\r\n250-PIPELINING\r\n250 SMTPUTF8\r\n");
    /// assert_eq!(Reply::parse(&ehlo.to_string())?, ehlo);
    /// # Ok::<(), mailroom_mta_core::Error>(())
    /// ```
    pub fn new(code: u16, enhanced: Option<EnhancedCode>, text: impl AsRef<str>) -> Self {
        let lines = text
            .as_ref()
            .split('\n')
            .map(|line| line.chars().filter(|c| !c.is_control()).collect())
            .collect();
        Self {
            code,
            enhanced,
            lines,
        }
    }

    /// A one-line reply with an enhanced status code, as most replies are.
    ///
    /// ```
    /// use mailroom_mta_core::Reply;
    /// let reply = Reply::coded(550, (5, 1, 1), "no such user");
    /// assert_eq!(reply.to_string(), "550 5.1.1 no such user\r\n");
    /// ```
    pub fn coded(code: u16, (class, subject, detail): (u8, u16, u16), text: &str) -> Self {
        Self::new(code, Some(EnhancedCode::new(class, subject, detail)), text)
    }

    /// Whether the code is 2xx.
    pub fn is_positive(&self) -> bool {
        (200..300).contains(&self.code)
    }

    /// Whether the code is 4xx: the same command may succeed later.
    pub fn is_transient(&self) -> bool {
        (400..500).contains(&self.code)
    }

    /// Whether the code is 5xx: the command will not succeed as it is.
    pub fn is_permanent(&self) -> bool {
        (500..600).contains(&self.code)
    }

    /// The text of all lines, joined with `\n`.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// Reads a whole reply: every line with the same code, `-` after the code on all lines
    /// but the last, CRLF (or LF) at each end. An enhanced code at the start of the first
    /// line whose class matches the reply code's first digit is read as such (RFC 2034 §3).
    ///
    /// # Errors
    ///
    /// [`Error::Reply`] naming what is wrong.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let problem = |problem| Error::Reply { problem };
        // Each line ends in LF, most in CRLF: the CR is taken off line by line below, so a
        // CR that is part of the last line's text is kept.
        let body = text
            .strip_suffix('\n')
            .ok_or(problem("the reply does not end with a line end"))?;
        let mut code = None;
        let mut enhanced = None;
        let mut lines = Vec::new();
        let raw: Vec<&str> = body.split('\n').collect();
        for (index, line) in raw.iter().enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let (this_code, last, rest) = parse_line(line).ok_or(problem("a line has no code"))?;
            if *code.get_or_insert(this_code) != this_code {
                return Err(problem("the lines have different codes"));
            }
            if last != (index + 1 == raw.len()) {
                return Err(problem(
                    "only the last line may have a space after the code",
                ));
            }
            let mut rest = rest;
            // The enhanced code repeats on every line; keep the first, strip all.
            if let Some((first, after)) = rest.split_once(' ').or(Some((rest, "")))
                && let Some(found) = EnhancedCode::parse(first)
                && u16::from(found.class) == this_code / 100
            {
                enhanced.get_or_insert(found);
                rest = after;
            }
            lines.push(rest.to_owned());
        }
        Ok(Self {
            code: code.ok_or(problem("the reply is empty"))?,
            enhanced,
            lines,
        })
    }
}

/// One reply line: its code, whether it is the last line, and its text.
pub(crate) fn parse_line(line: &str) -> Option<(u16, bool, &str)> {
    let digits = line.get(..3)?;
    let bytes = digits.as_bytes();
    // RFC 5321 §4.2: the first digit 2 to 5, the second 0 to 5.
    if !(b'2'..=b'5').contains(&bytes[0])
        || !(b'0'..=b'5').contains(&bytes[1])
        || !bytes[2].is_ascii_digit()
    {
        return None;
    }
    let code = digits.parse().ok()?;
    match line.as_bytes().get(3) {
        None => Some((code, true, "")),
        Some(b' ') => Some((code, true, &line[4..])),
        Some(b'-') => Some((code, false, &line[4..])),
        Some(_) => None,
    }
}

impl fmt::Display for Reply {
    /// The reply as sent: every line with the code, `-` on all but the last, CRLF each.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.lines.len().max(1);
        for index in 0..count {
            let separator = if index + 1 == count { ' ' } else { '-' };
            write!(f, "{}{separator}", self.code)?;
            if let Some(enhanced) = self.enhanced {
                write!(f, "{enhanced} ")?;
            }
            let line = self.lines.get(index).map_or("", String::as_str);
            write!(f, "{line}\r\n")?;
        }
        Ok(())
    }
}
