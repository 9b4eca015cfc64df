//! Reading an Authentication-Results field (RFC 8601 §2.2). Lenient where real headers are
//! (unquoted `header.b=` values with `/` and `=`, `_` in keywords, a trailing `;`), strict
//! where a wrong reading could be trusted (the authserv-id, the version, unbalanced quotes and
//! comments).
//!
//! ```text
//! authres-payload = [CFWS] authserv-id [ CFWS authres-version ] ( no-result / 1*resinfo ) [CFWS]
//! resinfo         = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ]
//! methodspec      = [CFWS] method [CFWS] "=" [CFWS] result
//! propspec        = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
//! ```

use super::{AuthenticationResults, MethodResult, Property};
use crate::error::Error;

/// The deepest comment nesting read; deeper is refused rather than recursed into.
const MAX_COMMENT_DEPTH: usize = 64;

impl AuthenticationResults {
    /// Parses the value of an Authentication-Results field (the text after the colon; folding
    /// whitespace is allowed anywhere CFWS is).
    ///
    /// ```
    /// use mailroom_dmarc::AuthenticationResults;
    /// let value = "mx.example.org 1; spf=pass (sender is authorized) smtp.mailfrom=example.com;\r\n\
    ///              dkim=fail reason=\"bad signature\" header.d=example.com header.b=Ab/+9x==";
    /// let parsed = AuthenticationResults::parse(value)?;
    /// assert_eq!(parsed.authserv_id, "mx.example.org");
    /// let spf = parsed.method("spf").next().unwrap();
    /// assert_eq!((spf.result.as_str(), spf.comment.as_deref()), ("pass", Some("sender is authorized")));
    /// let dkim = parsed.method("dkim").next().unwrap();
    /// assert_eq!(dkim.reason.as_deref(), Some("bad signature"));
    /// assert_eq!(dkim.get("header", "b"), Some("Ab/+9x=="));
    /// # Ok::<(), mailroom_dmarc::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::AuthenticationResults`] with the byte offset and what was expected there.
    pub fn parse(value: &str) -> Result<Self, Error> {
        let mut cursor = Cursor {
            text: value,
            pos: 0,
        };
        cursor.cfws()?;
        let authserv_id = cursor.value("an authserv-id")?;
        cursor.cfws()?;
        if cursor.peek().is_some_and(|c| c.is_ascii_digit()) {
            let version = cursor.take_while(|c| c.is_ascii_digit());
            // RFC 8601 §2.2: only version 1 is defined; a later one cannot be read safely.
            if version.trim_start_matches('0') != "1" {
                return Err(cursor.error("authres-version 1"));
            }
            cursor.cfws()?;
        }
        let mut results = Vec::new();
        while !cursor.at_end() {
            cursor.expect(';', "`;`")?;
            cursor.cfws()?;
            if cursor.at_end() {
                break;
            }
            let method = cursor.keyword("a method")?;
            cursor.cfws()?;
            if results.is_empty() && method.eq_ignore_ascii_case("none") && cursor.at_end() {
                break;
            }
            results.push(cursor.resinfo(&method)?);
        }
        Ok(Self {
            authserv_id,
            results,
        })
    }
}

/// The authserv-id of an Authentication-Results value, even when the rest does not parse:
/// what a receiver compares with its own name to strip fields claiming to be from it
/// (RFC 8601 §5).
///
/// ```
/// assert_eq!(mailroom_dmarc::authserv_id(" mx.example.org; spf=pass (((").as_deref(), Some("mx.example.org"));
/// ```
pub fn authserv_id(value: &str) -> Option<String> {
    let mut cursor = Cursor {
        text: value,
        pos: 0,
    };
    cursor.cfws().ok()?;
    cursor.value("an authserv-id").ok()
}

/// A position in the field value.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    /// The rest of one resinfo after its method keyword.
    fn resinfo(&mut self, method: &str) -> Result<MethodResult, Error> {
        if self.eat('/') {
            self.cfws()?;
            if self.take_while(|c| c.is_ascii_digit()).is_empty() {
                return Err(self.error("a method version"));
            }
            self.cfws()?;
        }
        self.expect('=', "`=` after the method")?;
        self.cfws()?;
        let result = self.keyword("a result")?;
        let mut out = MethodResult::new(method.to_ascii_lowercase(), result.to_ascii_lowercase());
        out.comment = self.cfws()?;
        while !self.at_end() && self.peek() != Some(';') {
            let ptype = self.keyword("a property or `reason=`")?;
            self.cfws()?;
            if ptype.eq_ignore_ascii_case("reason") && self.eat('=') {
                self.cfws()?;
                out.reason = Some(self.value("a reason")?);
            } else {
                self.expect('.', "`.` in ptype.property")?;
                self.cfws()?;
                let name = self.keyword("a property name")?;
                self.cfws()?;
                self.expect('=', "`=` after the property")?;
                self.cfws()?;
                let value = self.pvalue()?;
                out.properties.push(Property {
                    ptype: ptype.to_ascii_lowercase(),
                    name: name.to_ascii_lowercase(),
                    value,
                });
            }
            let comment = self.cfws()?;
            if out.comment.is_none() {
                out.comment = comment;
            }
        }
        Ok(out)
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char, what: &'static str) -> Result<(), Error> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    fn error(&self, expected: &'static str) -> Error {
        Error::AuthenticationResults {
            offset: self.pos,
            expected,
        }
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &str {
        let start = self.pos;
        let rest = &self.text[start..];
        let len = rest.find(|c| !keep(c)).unwrap_or(rest.len());
        self.pos += len;
        &self.text[start..start + len]
    }

    /// A keyword: letters, digits, `-` and `_`.
    fn keyword(&mut self, what: &'static str) -> Result<String, Error> {
        let word = self.take_while(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if word.is_empty() {
            Err(self.error(what))
        } else {
            Ok(word.to_owned())
        }
    }

    /// A quoted-string or a run of characters that cannot end a value.
    fn value(&mut self, what: &'static str) -> Result<String, Error> {
        if self.peek() == Some('"') {
            return self.quoted();
        }
        let word = self.take_while(|c| !c.is_whitespace() && !"();\"=".contains(c));
        if word.is_empty() {
            Err(self.error(what))
        } else {
            Ok(word.to_owned())
        }
    }

    /// A property value: as [`Self::value`], but `=` may appear inside (base64 in `header.b=`).
    fn pvalue(&mut self) -> Result<String, Error> {
        if self.peek() == Some('"') {
            return self.quoted();
        }
        let word = self.take_while(|c| !c.is_whitespace() && !"();\"".contains(c));
        if word.is_empty() {
            Err(self.error("a property value"))
        } else {
            Ok(word.to_owned())
        }
    }

    /// A quoted-string, unescaped.
    fn quoted(&mut self) -> Result<String, Error> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.text[self.pos..].char_indices();
        while let Some((at, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += at + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, escaped)) => out.push(escaped),
                    None => break,
                },
                '\r' | '\n' => {}
                c => out.push(c),
            }
        }
        self.pos = start;
        Err(self.error("a closing `\"`"))
    }

    /// Skips whitespace and comments; returns the text of the first comment, unescaped.
    fn cfws(&mut self) -> Result<Option<String>, Error> {
        let mut first = None;
        loop {
            self.take_while(char::is_whitespace);
            if self.peek() != Some('(') {
                return Ok(first);
            }
            let comment = self.comment()?;
            if first.is_none() {
                first = Some(comment.trim().to_owned());
            }
        }
    }

    /// One comment, nested comments included in its text.
    fn comment(&mut self) -> Result<String, Error> {
        let start = self.pos;
        let mut depth = 0usize;
        let mut out = String::new();
        let mut chars = self.text[self.pos..].char_indices();
        while let Some((at, c)) = chars.next() {
            match c {
                '(' => {
                    depth += 1;
                    if depth > MAX_COMMENT_DEPTH {
                        self.pos = start + at;
                        return Err(self.error("comments nested less deeply"));
                    }
                    if depth > 1 {
                        out.push(c);
                    }
                }
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos = start + at + 1;
                        return Ok(out);
                    }
                    out.push(c);
                }
                '\\' => match chars.next() {
                    Some((_, escaped)) => out.push(escaped),
                    None => break,
                },
                '\r' | '\n' => {}
                c => out.push(c),
            }
        }
        self.pos = start;
        Err(self.error("a closing `)`"))
    }
}
