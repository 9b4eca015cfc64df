//! Writing an Authentication-Results field (RFC 8601 §2.2) that cannot carry injected header
//! text: keywords are reduced to keyword characters, other values quoted, control characters
//! dropped.

use super::{AuthenticationResults, MethodResult};

/// Where the header is folded (RFC 5322 §2.1.1 recommends 78 characters).
const FOLD_AT: usize = 78;

/// The field name.
const NAME: &str = "Authentication-Results:";

impl AuthenticationResults {
    /// The field value on one line: `authserv-id; method=result …; …`.
    pub fn value(&self) -> String {
        let mut out = value(&self.authserv_id);
        if self.results.is_empty() {
            out.push_str("; none");
        }
        for result in &self.results {
            out.push_str("; ");
            out.push_str(&result.items().join(" "));
        }
        out
    }

    /// The whole header field, name included, folded before each result and wherever a line
    /// would pass 78 characters; lines end in CRLF except the last.
    ///
    /// ```
    /// use mailroom_dmarc::{AuthenticationResults, MethodResult};
    /// let mut results = AuthenticationResults::new("mx.example.org");
    /// results.push(MethodResult::new("dkim", "pass").property("header", "d", "example.com"));
    /// results.push(MethodResult::new("dmarc", "pass").property("header", "from", "example.com"));
    /// assert_eq!(
    ///     results.header(),
    ///     "Authentication-Results: mx.example.org;\r\n\tdkim=pass header.d=example.com;\r\n\tdmarc=pass header.from=example.com"
    /// );
    /// ```
    pub fn header(&self) -> String {
        let mut out = format!("{NAME} {}", value(&self.authserv_id));
        if self.results.is_empty() {
            out.push_str("; none");
            return out;
        }
        let count = self.results.len();
        for (index, result) in self.results.iter().enumerate() {
            out.push_str(";\r\n\t");
            let mut line = 1;
            for (n, item) in result.items().into_iter().enumerate() {
                let tail = usize::from(index + 1 < count);
                if n > 0 && line + 1 + item.len() + tail > FOLD_AT {
                    out.push_str("\r\n\t");
                    line = 1;
                } else if n > 0 {
                    out.push(' ');
                    line += 1;
                }
                line += item.chars().count();
                out.push_str(&item);
            }
        }
        out
    }
}

impl std::fmt::Display for AuthenticationResults {
    /// The field value on one line, as [`AuthenticationResults::value`].
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.value())
    }
}

impl MethodResult {
    /// The pieces of one resinfo, each safe to write and none containing a space outside a
    /// quoted string or comment.
    fn items(&self) -> Vec<String> {
        let mut items = vec![format!(
            "{}={}",
            keyword(&self.method),
            keyword(&self.result)
        )];
        if let Some(comment) = &self.comment {
            items.push(comment_text(comment));
        }
        if let Some(reason) = &self.reason {
            items.push(format!("reason={}", quoted(reason)));
        }
        for property in &self.properties {
            items.push(format!(
                "{}.{}={}",
                keyword(&property.ptype),
                keyword(&property.name),
                pvalue(&property.value)
            ));
        }
        items
    }
}

/// An RFC 8601 keyword (letters, digits, `-`; `_` is seen in the wild), in lower case;
/// anything else is dropped, and an empty result becomes `unknown`.
fn keyword(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if kept.is_empty() {
        "unknown".to_owned()
    } else {
        kept
    }
}

/// A `value` (RFC 2045 §5.1): a token as it is, anything else as a quoted-string.
fn value(text: &str) -> String {
    if !text.is_empty() && text.bytes().all(is_token_byte) {
        text.to_owned()
    } else {
        quoted(text)
    }
}

/// A `pvalue` (RFC 8601 §2.2): a token, or `local-part@domain` (which may contain `@`), or
/// else a quoted-string.
fn pvalue(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| is_token_byte(b) || b == b'@' || b == b'/' || b == b'=');
    if plain { text.to_owned() } else { quoted(text) }
}

/// RFC 2045 token characters: printable ASCII except space and tspecials.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b)
}

/// A quoted-string with `"` and `\` escaped and control characters dropped.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars().filter(|c| !c.is_control()) {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A comment (RFC 5322 §3.2.2) with parentheses and `\` escaped, control characters dropped.
fn comment_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('(');
    for c in text.chars().filter(|c| !c.is_control()) {
        if matches!(c, '(' | ')' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push(')');
    out
}
