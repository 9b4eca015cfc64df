//! Header field canonicalization (RFC 6376 §3.4.1, §3.4.2).

use crate::signature::Canonicalization;

/// Appends one header field, given as it appears in the message (name, colon, value, folding,
/// and the final CRLF if it has one), canonicalized to `out`.
///
/// - simple: the field unchanged.
/// - relaxed: the name in lower case; the value unfolded, each run of white space made one
///   space, white space at the ends of the value and around the colon removed; then CRLF
///   (only if the input ended with one, so the DKIM-Signature field itself can be hashed
///   without it, §3.7).
///
/// ```
/// use mailroom_dkim::{Canonicalization, canonicalize_header};
/// let mut out = Vec::new();
/// canonicalize_header(Canonicalization::Relaxed, b"SubJect :  A  \r\n\t folded\t line \r\n", &mut out);
/// assert_eq!(out, b"subject:A folded line\r\n");
/// ```
pub fn canonicalize_header(canonicalization: Canonicalization, field: &[u8], out: &mut Vec<u8>) {
    match canonicalization {
        Canonicalization::Simple => out.extend_from_slice(field),
        Canonicalization::Relaxed => relaxed(field, out),
    }
}

fn relaxed(field: &[u8], out: &mut Vec<u8>) {
    let (body, crlf) = match field.strip_suffix(b"\r\n") {
        Some(body) => (body, true),
        None => (field, false),
    };
    // Names are short: a plain loop finds the colon sooner than a call to memchr does.
    let (name, value) = match body.iter().position(|&c| c == b':') {
        Some(colon) => (&body[..colon], &body[colon + 1..]),
        None => (body, &b""[..]),
    };
    let name_end = name
        .iter()
        .rposition(|&c| !is_wsp(c))
        .map_or(0, |last| last + 1);
    out.reserve(field.len());
    out.extend(name[..name_end].iter().map(u8::to_ascii_lowercase));
    out.push(b':');
    // Most values are words with one space between them, after a space or two: then relaxed
    // only drops the white space at the ends, and the rest is copied whole.
    let trimmed = trim_wsp(value);
    if is_plain(trimmed) {
        out.extend_from_slice(trimmed);
    } else {
        unfold(value, out);
    }
    if crlf {
        out.extend_from_slice(b"\r\n");
    }
}

/// The value without the white space at its ends.
fn trim_wsp(value: &[u8]) -> &[u8] {
    let start = value
        .iter()
        .position(|&c| !is_wsp(c))
        .unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|&c| !is_wsp(c))
        .map_or(start, |last| last + 1);
    &value[start..end]
}

/// Whether relaxed leaves a value with no white space at its ends as it is: it has no tab, CR
/// or LF, and no two spaces in a row. Folds without early exit, which compile to SIMD compares.
fn is_plain(value: &[u8]) -> bool {
    let odd = value
        .iter()
        .fold(false, |odd, &c| odd | matches!(c, b'\t' | b'\r' | b'\n'));
    let doubled = value
        .iter()
        .zip(value.iter().skip(1))
        .fold(false, |doubled, (&a, &b)| {
            doubled | (a == b' ' && b == b' ')
        });
    !(odd | doubled)
}

/// Appends a value unfolded, each run of white space one space and none at its ends.
fn unfold(value: &[u8], out: &mut Vec<u8>) {
    let mut pending_space = false;
    let mut wrote_value = false;
    let mut rest = value;
    while !rest.is_empty() {
        // Octets kept as they are, copied as one piece.
        let kept = rest.iter().position(|&c| is_blank(c)).unwrap_or(rest.len());
        if kept > 0 {
            if pending_space && wrote_value {
                out.push(b' ');
            }
            out.extend_from_slice(&rest[..kept]);
            pending_space = false;
            wrote_value = true;
        }
        // Then white space and line breaks. Unfolding removes CR and LF (§3.4.2); a folded
        // line's leading WSP is the space. A bare CR or LF, which RFC 5322 allows in no field,
        // is dropped the same way (dkimpy drops a bare LF too).
        let blank = rest[kept..].iter().take_while(|&&c| is_blank(c)).count();
        pending_space |= rest[kept..kept + blank].iter().any(|&c| is_wsp(c));
        rest = &rest[kept + blank..];
    }
}

fn is_wsp(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// White space or part of a line break: what relaxed does not copy as it is.
fn is_blank(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relaxed_of(field: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        canonicalize_header(Canonicalization::Relaxed, field, &mut out);
        out
    }

    #[test]
    fn rfc6376_section_3_4_5_example() {
        assert_eq!(relaxed_of(b"A: X\r\n"), b"a:X\r\n");
        assert_eq!(relaxed_of(b"B : Y\t\r\n\tZ  \r\n"), b"b:Y Z\r\n");
    }

    #[test]
    fn simple_is_unchanged() {
        let mut out = Vec::new();
        canonicalize_header(Canonicalization::Simple, b"B : Y\t\r\n\tZ  \r\n", &mut out);
        assert_eq!(out, b"B : Y\t\r\n\tZ  \r\n");
    }

    #[test]
    fn empty_value_and_no_crlf() {
        assert_eq!(relaxed_of(b"X-Empty:   \r\n"), b"x-empty:\r\n");
        assert_eq!(
            relaxed_of(b"DKIM-Signature: a=1; b="),
            b"dkim-signature:a=1; b="
        );
    }

    #[test]
    fn plain_values_are_copied_and_others_unfolded() {
        assert_eq!(relaxed_of(b"To:  a b  \r\n"), b"to:a b\r\n");
        assert_eq!(relaxed_of(b"To: \ta b\t\r\n"), b"to:a b\r\n");
        assert_eq!(relaxed_of(b"To: a  b\r\n"), b"to:a b\r\n");
        assert_eq!(relaxed_of(b"To: a\tb\r\n"), b"to:a b\r\n");
        assert_eq!(relaxed_of(b"To: a\r\n b\r\n"), b"to:a b\r\n");
        assert_eq!(relaxed_of(b"To: a\rb\r\n"), b"to:ab\r\n");
        assert_eq!(relaxed_of(b"To: \t \r\n"), b"to:\r\n");
    }

    #[test]
    fn utf8_bytes_pass_through() {
        assert_eq!(
            relaxed_of("Subject:  Grüße  aus\r\n Köln\r\n".as_bytes()),
            "subject:Grüße aus Köln\r\n".as_bytes()
        );
    }
}
