//! xtext (RFC 3461 §4): printable ASCII with `+` and `=` and everything else written `+XX`.

/// Decodes xtext; `None` when it is not valid (a bad character or `+` without two upper-case
/// hex digits), or does not decode to UTF-8.
pub(crate) fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'+' {
            let hex = |at: usize| {
                bytes
                    .get(at)
                    .copied()
                    .filter(|h| h.is_ascii_digit() || (b'A'..=b'F').contains(h))
                    .and_then(|h| char::from(h).to_digit(16))
            };
            let value = hex(i + 1)? * 16 + hex(i + 2)?;
            out.push(u8::try_from(value).ok()?);
            i += 3;
        } else if (b'!'..=b'~').contains(&b) && b != b'=' {
            out.push(b);
            i += 1;
        } else {
            return None;
        }
    }
    String::from_utf8(out).ok()
}

/// Encodes text as xtext.
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if (b'!'..=b'~').contains(&b) && b != b'+' && b != b'=' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("+{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{decode, encode};

    #[test]
    fn rfc3461_examples_and_round_trips() {
        assert_eq!(
            decode("joe+2Bsmith@example.org").as_deref(),
            Some("joe+smith@example.org")
        );
        assert_eq!(decode("a+3Db").as_deref(), Some("a=b"));
        assert_eq!(decode("bad=").as_deref(), None);
        assert_eq!(decode("+2b").as_deref(), None, "hex digits are upper case");
        assert_eq!(decode("+2").as_deref(), None);
        for text in ["plain", "a+b=c", "space here", "ünïcode", ""] {
            assert_eq!(decode(&encode(text)).as_deref(), Some(text));
        }
    }
}
