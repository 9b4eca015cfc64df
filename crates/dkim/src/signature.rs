//! The DKIM-Signature header field (RFC 6376 §3.5): parsed and validated, and rendered folded at
//! 78 columns with `b=` last.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::error::{Error, KeyType, Record};
use crate::signed_headers::SignedHeaders;
use crate::tag_list::{self, strip_fws};

/// The header field name.
pub const HEADER_NAME: &str = "DKIM-Signature";

/// Lines of a rendered signature stay within this many octets (RFC 5322 §2.1.1).
const LINE_LIMIT: usize = 78;

/// How much of a bad value an error quotes.
const MAX_QUOTED_VALUE: usize = 60;

/// A signing algorithm (`a=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// RSA PKCS#1 v1.5 with SHA-256 (RFC 6376).
    RsaSha256,
    /// Ed25519 over the SHA-256 of the data (RFC 8463).
    Ed25519Sha256,
    /// RSA with SHA-1: parsed so that verification can say why it fails (RFC 8301 §3.1).
    RsaSha1,
}

impl Algorithm {
    /// The type of key this algorithm needs.
    pub fn key_type(self) -> KeyType {
        match self {
            Self::RsaSha256 | Self::RsaSha1 => KeyType::Rsa,
            Self::Ed25519Sha256 => KeyType::Ed25519,
        }
    }

    fn parse(value: &str) -> Result<Self, Error> {
        [Self::RsaSha256, Self::Ed25519Sha256, Self::RsaSha1]
            .into_iter()
            .find(|algorithm| algorithm.as_str().eq_ignore_ascii_case(value))
            .ok_or_else(|| Error::UnsupportedAlgorithm {
                value: shorten(value),
            })
    }

    /// The name `a=` gives it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RsaSha256 => "rsa-sha256",
            Self::Ed25519Sha256 => "ed25519-sha256",
            Self::RsaSha1 => "rsa-sha1",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A canonicalization algorithm (`c=`, RFC 6376 §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Canonicalization {
    /// Bytes as they are, but for trailing empty lines of the body.
    #[default]
    Simple,
    /// Tolerates common rewriting: header case and folding, runs of white space.
    Relaxed,
}

impl Canonicalization {
    fn parse(value: &str) -> Option<Self> {
        [Self::Simple, Self::Relaxed]
            .into_iter()
            .find(|canonicalization| canonicalization.as_str().eq_ignore_ascii_case(value))
    }

    /// The name `c=` gives it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Simple => "simple",
            Self::Relaxed => "relaxed",
        }
    }
}

impl fmt::Display for Canonicalization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed DKIM-Signature (RFC 6376 §3.5), checked as §6.1.1 asks before any key lookup.
///
/// ```
/// use mailroom_dkim::{Algorithm, Signature};
/// let sig = Signature::parse("v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.org; \
///     s=mail; h=from:to:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA")?;
/// assert_eq!(sig.algorithm, Algorithm::Ed25519Sha256);
/// assert_eq!(sig.signed_headers, ["from", "to", "subject"]);
/// assert!(sig.to_header().starts_with("DKIM-Signature: v=1; a=ed25519-sha256;"));
/// # Ok::<(), mailroom_dkim::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// `a=`: the signing algorithm.
    pub algorithm: Algorithm,
    /// `b=`: the signature bytes.
    pub signature: Vec<u8>,
    /// `bh=`: the hash of the canonicalized body.
    pub body_hash: Vec<u8>,
    /// `c=` before the slash: how header fields were canonicalized.
    pub header_canonicalization: Canonicalization,
    /// `c=` after the slash: how the body was canonicalized.
    pub body_canonicalization: Canonicalization,
    /// `d=`: the signing domain, as written.
    pub domain: String,
    /// `s=`: the selector, as written.
    pub selector: String,
    /// `h=`: the signed header field names, in order, as written.
    pub signed_headers: SignedHeaders,
    /// `i=`: the agent or user identifier, if given.
    pub identity: Option<String>,
    /// `l=`: how many octets of canonicalized body are signed, if limited.
    pub body_length: Option<u64>,
    /// `t=`: when the signature was made, in seconds since the Unix epoch.
    pub timestamp: Option<u64>,
    /// `x=`: when the signature expires, in seconds since the Unix epoch.
    pub expiration: Option<u64>,
    /// `z=`: the copied header fields, as written (diagnostic only).
    pub copied_headers: Option<String>,
}

impl Signature {
    /// Parses and checks the value of a DKIM-Signature field (the text after the colon).
    ///
    /// Checks RFC 6376 §3.5 and §6.1.1: `v=1`; the required tags; `h=` includes From; `i=` is
    /// within `d=`; `x=` after `t=`; `q=` offers `dns/txt`; the domain and selector are names.
    /// Unknown tags are ignored.
    ///
    /// # Errors
    ///
    /// The first problem found, naming the tag.
    pub fn parse(value: &str) -> Result<Self, Error> {
        Self::parse_with_b(value).map(|(signature, _)| signature)
    }

    /// Parses as [`Signature::parse`] does, and also says where the `b=` value (with the white
    /// space around it) sits in `value`, for the verifier to blank (§3.7).
    pub(crate) fn parse_with_b(value: &str) -> Result<(Self, std::ops::Range<usize>), Error> {
        // Each known tag goes to its slot as it is read; names are unique in a valid tag-list.
        let mut values: [Option<&str>; KNOWN_TAGS] = [None; KNOWN_TAGS];
        let mut b_range = 0..0;
        tag_list::parse_each(value, Record::Signature, |tag| {
            if let Some(slot) = tag_slot(tag.name) {
                values[slot] = Some(tag.value);
                if tag.name == "b" {
                    b_range = tag.raw_value;
                }
            }
        })?;
        let get = |name: &str| tag_slot(name).and_then(|slot| values[slot]);
        // Not `ok_or`: an error value made for every tag present would be dropped again.
        let require = |name: &'static str| match get(name) {
            Some(value) => Ok(value),
            None => Err(Error::MissingTag {
                record: Record::Signature,
                tag: name,
            }),
        };
        let invalid = |tag: &'static str, value: &str| Error::InvalidTag {
            record: Record::Signature,
            tag,
            value: shorten(value),
        };

        let version = require("v")?;
        if version != "1" {
            return Err(invalid("v", version));
        }
        let algorithm = Algorithm::parse(require("a")?)?;
        let signature = decode_base64(require("b")?).ok_or_else(|| invalid("b", "…"))?;
        let body_hash = decode_base64(require("bh")?).ok_or_else(|| invalid("bh", "…"))?;
        let (header_canonicalization, body_canonicalization) = match get("c") {
            None => (Canonicalization::Simple, Canonicalization::Simple),
            Some(c) => {
                let (header, body) = c.split_once('/').unwrap_or((c, "simple"));
                match (
                    Canonicalization::parse(header),
                    Canonicalization::parse(body),
                ) {
                    (Some(header), Some(body)) => (header, body),
                    _ => return Err(invalid("c", c)),
                }
            }
        };
        let domain = require("d")?;
        if !is_domain_name(domain) {
            return Err(invalid("d", domain));
        }
        let selector = require("s")?;
        if !is_domain_name(selector) {
            return Err(invalid("s", selector));
        }
        let h = require("h")?;
        let signed_headers = SignedHeaders::parse(h).ok_or_else(|| invalid("h", h))?;
        if !signed_headers.contains("from") {
            return Err(Error::FromNotSigned);
        }
        // §3.5: i= is dkim-quoted-printable.
        let identity = get("i")
            .map(|i| decode_quoted_printable(i).ok_or_else(|| invalid("i", i)))
            .transpose()?;
        if let Some(identity) = &identity {
            let within = identity
                .rsplit_once('@')
                .is_some_and(|(_, auid_domain)| is_within(auid_domain, domain));
            if !within {
                return Err(Error::IdentityOutsideDomain {
                    identity: shorten(identity),
                    domain: domain.to_owned(),
                });
            }
        }
        let number = |tag: &'static str, max_digits: usize| -> Result<Option<u64>, Error> {
            get(tag)
                .map(|v| {
                    if v.is_empty()
                        || v.len() > max_digits
                        || !v.bytes().all(|c| c.is_ascii_digit())
                    {
                        return Err(invalid(tag, v));
                    }
                    v.parse().map_err(|_| invalid(tag, v))
                })
                .transpose()
        };
        // RFC 6376 §3.5: l= is 1*76DIGIT, t= and x= are 1*12DIGIT.
        let body_length = number("l", 76)?;
        let timestamp = number("t", 12)?;
        let expiration = number("x", 12)?;
        if let (Some(t), Some(x)) = (timestamp, expiration)
            && x <= t
        {
            return Err(invalid("x", get("x").unwrap_or_default()));
        }
        if let Some(q) = get("q") {
            let offers_dns = q
                .split(':')
                .any(|method| tag_list::trim_fws(method).eq_ignore_ascii_case("dns/txt"));
            if !offers_dns {
                return Err(invalid("q", q));
            }
        }
        let signature = Self {
            algorithm,
            signature,
            body_hash,
            header_canonicalization,
            body_canonicalization,
            domain: domain.to_owned(),
            selector: selector.to_owned(),
            signed_headers,
            identity,
            body_length,
            timestamp,
            expiration,
            copied_headers: get("z").map(str::to_owned),
        };
        Ok((signature, b_range))
    }

    /// The whole header field, `DKIM-Signature: ...`, folded at 78 columns with `b=` last,
    /// without the final CRLF.
    pub fn to_header(&self) -> String {
        self.unsigned_header().finish(&self.signature)
    }

    /// The header field with `b=` empty: what the signer hashes (RFC 6376 §3.7). Finishing it
    /// with the signature only appends to this text, so the folding of everything before `b=`
    /// is the same in both, and the signer renders the field once.
    pub(crate) fn unsigned_header(&self) -> UnsignedHeader {
        let mut out = Folder::new(HEADER_NAME);
        out.atom(&["v=1;"]);
        out.atom(&["a=", self.algorithm.as_str(), ";"]);
        out.atom(&[
            "c=",
            self.header_canonicalization.as_str(),
            "/",
            self.body_canonicalization.as_str(),
            ";",
        ]);
        out.atom(&["d=", &self.domain, ";"]);
        out.atom(&["s=", &self.selector, ";"]);
        if let Some(identity) = &self.identity {
            out.atom(&["i=", &encode_quoted_printable(identity), ";"]);
        }
        let mut digits = [0; 20];
        for (tag, number) in [
            ("t=", self.timestamp),
            ("x=", self.expiration),
            ("l=", self.body_length),
        ] {
            if let Some(number) = number {
                out.atom(&[tag, decimal(number, &mut digits), ";"]);
            }
        }
        if let Some(z) = &self.copied_headers {
            out.atom(&["z=", z, ";"]);
        }
        let last = self.signed_headers.len().saturating_sub(1);
        for (i, name) in self.signed_headers.iter().enumerate() {
            let end = if i == last { ";" } else { "" };
            if i == 0 {
                out.atom(&["h=", name, end]);
            } else {
                out.glued_atom(&[":", name, end]);
            }
        }
        out.atom(&["bh="]);
        out.breakable(&BASE64.encode(&self.body_hash));
        out.text(";");
        out.atom(&["b="]);
        UnsignedHeader(out)
    }

    /// The Agent or User Identifier: `i=`, or `@` and `d=` when `i=` is absent (§3.5).
    pub fn auid(&self) -> String {
        self.identity
            .clone()
            .unwrap_or_else(|| format!("@{}", self.domain))
    }
}

/// A rendered DKIM-Signature field that ends in an empty `b=`.
pub(crate) struct UnsignedHeader(Folder);

impl UnsignedHeader {
    /// The text so far: what is hashed.
    pub(crate) fn text(&self) -> &str {
        &self.0.out
    }

    /// The whole field: the signature appended as folded base64.
    pub(crate) fn finish(mut self, signature: &[u8]) -> String {
        self.0.breakable(&BASE64.encode(signature));
        self.0.finish()
    }
}

/// Writes a header field, breaking lines with CRLF and a tab before 78 octets.
struct Folder {
    out: String,
    column: usize,
}

impl Folder {
    fn new(name: &str) -> Self {
        let mut out = String::with_capacity(600);
        out.push_str(name);
        out.push(':');
        Self {
            out,
            column: name.len() + 1,
        }
    }

    /// Adds a space, or a line break when the atom would not fit, then the atom. Atoms come in
    /// pieces, written one after another, so rendering needs no formatting.
    fn atom(&mut self, pieces: &[&str]) {
        let len: usize = pieces.iter().map(|piece| piece.len()).sum();
        if self.column + 1 + len > LINE_LIMIT {
            self.out.push_str("\r\n\t");
            self.column = 1;
        } else {
            self.out.push(' ');
            self.column += 1;
        }
        for piece in pieces {
            self.text(piece);
        }
    }

    /// Adds the atom right after the previous one, or after a line break when it would not fit.
    fn glued_atom(&mut self, pieces: &[&str]) {
        let len: usize = pieces.iter().map(|piece| piece.len()).sum();
        if self.column + len > LINE_LIMIT {
            self.out.push_str("\r\n\t");
            self.column = 1;
        }
        for piece in pieces {
            self.text(piece);
        }
    }

    /// Adds text that may be broken anywhere (base64, where white space is ignored).
    fn breakable(&mut self, mut text: &str) {
        while !text.is_empty() {
            let room = LINE_LIMIT.saturating_sub(self.column);
            if room == 0 {
                self.out.push_str("\r\n\t");
                self.column = 1;
                continue;
            }
            let (now, rest) = text.split_at(room.min(text.len()));
            self.text(now);
            text = rest;
        }
    }

    fn text(&mut self, text: &str) {
        self.out.push_str(text);
        self.column += text.len();
    }

    fn finish(self) -> String {
        self.out
    }
}

/// Decodes base64 with any folding white space inside removed.
pub(crate) fn decode_base64(value: &str) -> Option<Vec<u8>> {
    // Values up to the 684 characters of an RSA-4096 b= are gathered without their folding
    // white space, and decoded, on the stack, in buffers about their size (zeroing larger ones
    // costs more than decoding the 44 characters of a bh=); only the result is allocated.
    match value.len() {
        0..=128 => decode_gathered::<128, 96>(value.as_bytes()),
        129..=1024 => decode_gathered::<1024, 768>(value.as_bytes()),
        _ => BASE64.decode(strip_fws(value).as_bytes()).ok(),
    }
}

/// [`decode_base64`] of at most `N` octets, which decode to at most `D`.
fn decode_gathered<const N: usize, const D: usize>(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut gathered = [0u8; N];
    let mut len = 0;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        // Eight octets with none below 0x21 are copied whole: base64 has none, and white space
        // is all below. (The usual test for a zero octet, moved up to 0x21.)
        let bits = u64::from_le_bytes(word.try_into().unwrap_or_default());
        if bits.wrapping_sub(0x2121_2121_2121_2121) & !bits & 0x8080_8080_8080_8080 == 0 {
            gathered.get_mut(len..len + 8)?.copy_from_slice(word);
            len += 8;
        } else {
            len = gather_octets(word, &mut gathered, len);
        }
    }
    len = gather_octets(words.remainder(), &mut gathered, len);
    let mut decoded = [0u8; D];
    let decoded_len = BASE64.decode_slice(&gathered[..len], &mut decoded).ok()?;
    // Copied rather than decoded into a zeroed Vec, which would be a calloc (see
    // `hash::gathering_buffer`).
    Some(decoded[..decoded_len].to_vec())
}

/// Writes `bytes` to `out` from `len` on without their folding white space; returns the new
/// length. Each octet is written, and kept unless it is white space: no branch per octet.
fn gather_octets(bytes: &[u8], out: &mut [u8], mut len: usize) -> usize {
    for &c in bytes {
        out[len] = c;
        len += usize::from(!tag_list::is_fws(c));
    }
    len
}

/// Decodes dkim-quoted-printable (RFC 6376 §2.11): `=XX` is the octet XX; white space is
/// ignored. `None` when an escape is not two hex digits or the result is not UTF-8.
fn decode_quoted_printable(value: &str) -> Option<String> {
    let bytes = strip_fws(value).into_owned().into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Encodes dkim-quoted-printable: octets other than dkim-safe-char (%x21-3A / %x3C / %x3E-7E)
/// become `=XX`.
fn encode_quoted_printable(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            0x21..=0x3a | 0x3c | 0x3e..=0x7e => out.push(char::from(byte)),
            _ => out.push_str(&format!("={byte:02X}")),
        }
    }
    out
}

/// Whether `name` is a domain name (RFC 5321 §4.1.2, with U-labels as RFC 8616 allows and the
/// `_` real selectors use): dot-separated non-empty labels of letters, digits, `-` and `_`.
pub(crate) fn is_domain_name(name: &str) -> bool {
    is_plain_domain_name(name.as_bytes()) || is_any_domain_name(name)
}

/// The usual name, short and in lower case, decided in one pass over its octets: a name this
/// accepts, [`is_any_domain_name`] accepts too.
fn is_plain_domain_name(name: &[u8]) -> bool {
    if name.is_empty() || name.len() > 63 {
        return false;
    }
    let mut label = 0;
    for &c in name {
        if c == b'.' {
            if label == 0 {
                return false;
            }
            label = 0;
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_' {
            label += 1;
        } else {
            return false;
        }
    }
    label != 0
}

/// Whether `name` is a domain name: labels of letters (of any script), digits, `-` and `_`,
/// that make a valid name once converted to A-labels.
fn is_any_domain_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        })
        && mailroom_dns::to_ascii_cow(name).is_ok()
}

/// Whether `domain` is `parent` or a subdomain of it, comparing A-labels without case.
pub(crate) fn is_within(domain: &str, parent: &str) -> bool {
    let (Ok(domain), Ok(parent)) = (
        mailroom_dns::to_ascii_cow(domain),
        mailroom_dns::to_ascii_cow(parent),
    ) else {
        return false;
    };
    domain == parent
        || domain
            .strip_suffix(&*parent)
            .is_some_and(|prefix| prefix.ends_with('.'))
}

/// A number in decimal, written into `digits` (a `u64` has at most 20).
fn decimal(mut number: u64, digits: &mut [u8; 20]) -> &str {
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (number % 10) as u8;
        number /= 10;
        if number == 0 {
            break;
        }
    }
    std::str::from_utf8(&digits[start..]).unwrap_or_default()
}

/// How many tags of a signature [`tag_slot`] knows.
const KNOWN_TAGS: usize = 14;

/// A slot for each tag RFC 6376 §3.5 defines; other tags are ignored.
fn tag_slot(name: &str) -> Option<usize> {
    Some(match name {
        "v" => 0,
        "a" => 1,
        "b" => 2,
        "bh" => 3,
        "c" => 4,
        "d" => 5,
        "h" => 6,
        "i" => 7,
        "l" => 8,
        "q" => 9,
        "s" => 10,
        "t" => 11,
        "x" => 12,
        "z" => 13,
        _ => return None,
    })
}

fn shorten(value: &str) -> String {
    match value.char_indices().nth(MAX_QUOTED_VALUE) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "v=1; a=rsa-sha256; d=example.net; s=brisbane; h=from; bh=AAAA; b=AAAA";

    #[test]
    fn base64_values_of_every_size_folded_or_not() {
        // Values up to 128 and up to 1024 characters are gathered in stack buffers of those
        // sizes, longer ones in a string.
        for octets in [0, 1, 32, 64, 65, 96, 97, 256, 512, 765, 766, 767, 768, 1024] {
            let data: Vec<u8> = (0..=255u8).cycle().step_by(7).take(octets).collect();
            let encoded = BASE64.encode(&data);
            assert_eq!(decode_base64(&encoded), Some(data.clone()), "{octets}");
            for every in [1, 5, 70] {
                let mut folded = String::new();
                for (i, c) in encoded.chars().enumerate() {
                    if i > 0 && i % every == 0 {
                        folded.push_str(if i % 2 == 0 { "\r\n\t" } else { " " });
                    }
                    folded.push(c);
                }
                assert_eq!(
                    decode_base64(&folded),
                    Some(data.clone()),
                    "{octets} by {every}"
                );
            }
        }
        assert_eq!(decode_base64("AA A"), None);
        assert_eq!(decode_base64("A\r\n A="), None);
        // Other octets below 0x21, in a word of eight or after it, are not white space.
        for bad in ["AAAAAAA\x0bAAAA", "AAAAAAAAAAA\x00", "AA\x7fA"] {
            assert_eq!(decode_base64(bad), None, "{bad:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn base64_decoding_agrees_with_stripping_then_decoding(
            data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..800),
            inserts in proptest::collection::vec((0usize..1100, "[ \t\r\n\u{0}\u{b}\u{7f}é=A]"), 0..6),
        ) {
            // Valid base64 with octets put in: white space, which is skipped, or others, which
            // make it invalid.
            let mut text = BASE64.encode(&data);
            for (at, octet) in inserts {
                let at = (0..=at % (text.len() + 1))
                    .rev()
                    .find(|&at| text.is_char_boundary(at))
                    .unwrap_or(0);
                text.insert_str(at, &octet);
            }
            let reference = BASE64.decode(strip_fws(&text).as_bytes()).ok();
            proptest::prop_assert_eq!(decode_base64(&text), reference);
        }

        #[test]
        fn plain_domain_names_are_domain_names(name in proptest::prop_oneof![
            "[a-z0-9_-]{0,10}(\\.[a-z0-9_-]{0,10}){0,6}\\.?",
            "[a-z]{0,70}(\\.[a-z]{0,5}){0,2}",
            "[a-zA-Z0-9._é-]{0,70}",
        ]) {
            if is_plain_domain_name(name.as_bytes()) {
                proptest::prop_assert!(is_any_domain_name(&name), "{name}");
            }
        }

        #[test]
        fn folded_base64_reads_back(
            data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..800),
            folds in proptest::collection::vec((0usize..1100, 0usize..3), 0..20),
        ) {
            let mut text = BASE64.encode(&data);
            for (at, kind) in folds {
                text.insert_str(at % (text.len() + 1), ["\r\n\t", " ", "\t"][kind]);
            }
            proptest::prop_assert_eq!(decode_base64(&text), Some(data));
        }
    }

    fn parse_err(value: &str) -> Error {
        Signature::parse(value).unwrap_err()
    }

    #[test]
    fn defaults() {
        let sig = Signature::parse(MINIMAL).unwrap();
        assert_eq!(sig.header_canonicalization, Canonicalization::Simple);
        assert_eq!(sig.body_canonicalization, Canonicalization::Simple);
        assert_eq!(sig.auid(), "@example.net");
        let relaxed = Signature::parse(&format!("{MINIMAL}; c=relaxed")).unwrap();
        assert_eq!(
            (
                relaxed.header_canonicalization,
                relaxed.body_canonicalization
            ),
            (Canonicalization::Relaxed, Canonicalization::Simple)
        );
    }

    #[test]
    fn required_tags() {
        for tag in ["v", "a", "b", "bh", "d", "h", "s"] {
            let without: Vec<&str> = MINIMAL
                .split("; ")
                .filter(|spec| !spec.starts_with(&format!("{tag}=")))
                .collect();
            assert!(
                matches!(parse_err(&without.join("; ")), Error::MissingTag { tag: t, .. } if t == tag),
                "{tag}"
            );
        }
    }

    #[test]
    fn validation() {
        assert!(matches!(
            parse_err(&MINIMAL.replace("v=1", "v=2")),
            Error::InvalidTag { tag: "v", .. }
        ));
        assert_eq!(
            parse_err(&MINIMAL.replace("h=from", "h=to:subject")),
            Error::FromNotSigned
        );
        assert!(matches!(
            parse_err(&MINIMAL.replace("a=rsa-sha256", "a=rsa-sha512")),
            Error::UnsupportedAlgorithm { .. }
        ));
        assert!(matches!(
            parse_err(&format!("{MINIMAL}; i=joe@football.example.com")),
            Error::IdentityOutsideDomain { .. }
        ));
        assert!(Signature::parse(&format!("{MINIMAL}; i=joe@Mail.Example.NET")).is_ok());
        assert!(matches!(
            parse_err(&format!("{MINIMAL}; i=joe@badexample.net")),
            Error::IdentityOutsideDomain { .. }
        ));
        assert!(matches!(
            parse_err(&format!("{MINIMAL}; t=200; x=100")),
            Error::InvalidTag { tag: "x", .. }
        ));
        assert!(matches!(
            parse_err(&format!("{MINIMAL}; t=1234567890123")),
            Error::InvalidTag { tag: "t", .. }
        ));
        assert!(matches!(
            parse_err(&format!("{MINIMAL}; l=-1")),
            Error::InvalidTag { tag: "l", .. }
        ));
        assert!(matches!(
            parse_err(&format!("{MINIMAL}; q=http")),
            Error::InvalidTag { tag: "q", .. }
        ));
        assert!(Signature::parse(&format!("{MINIMAL}; q=foo/bar:dns/txt")).is_ok());
        assert!(matches!(
            parse_err(&MINIMAL.replace("example.net", "legitimate.com(.attacker.com")),
            Error::InvalidTag { tag: "d", .. }
        ));
        assert!(matches!(
            parse_err(&MINIMAL.replace("b=AAAA", "b=!!")),
            Error::InvalidTag { tag: "b", .. }
        ));
        assert!(matches!(
            parse_err(&format!("{MINIMAL}; c=fancy/simple")),
            Error::InvalidTag { tag: "c", .. }
        ));
        assert!(
            Signature::parse(&format!("{MINIMAL}; foo=bar")).is_ok(),
            "unknown tags are ignored"
        );
    }

    #[test]
    fn rendering_folds_and_round_trips() {
        let mut sig = Signature::parse(MINIMAL).unwrap();
        sig.signature = vec![0xAB; 256];
        sig.body_hash = vec![0xCD; 32];
        sig.signed_headers = [
            "from",
            "to",
            "subject",
            "date",
            "message-id",
            "mime-version",
            "content-type",
            "from",
            "to",
            "subject",
            "date",
        ]
        .into_iter()
        .collect();
        sig.timestamp = Some(1_700_000_000);
        let header = sig.to_header();
        for line in header.split("\r\n") {
            assert!(line.len() <= LINE_LIMIT, "{line:?} is {} long", line.len());
        }
        assert!(header.starts_with(sig.unsigned_header().text()));
        let value = header.strip_prefix("DKIM-Signature:").unwrap();
        assert_eq!(Signature::parse(value).unwrap(), sig);
    }

    #[test]
    fn numbers_render_in_decimal() {
        let mut digits = [0; 20];
        assert_eq!(decimal(0, &mut digits), "0");
        assert_eq!(decimal(1_700_000_000, &mut digits), "1700000000");
        assert_eq!(decimal(u64::MAX, &mut digits), u64::MAX.to_string());
    }

    #[test]
    fn identity_is_quoted_printable() {
        let sig = Signature::parse(&format!("{MINIMAL}; i=joe=40sub.example.net")).unwrap();
        assert_eq!(sig.identity.as_deref(), Some("joe@sub.example.net"));
        let mut odd = sig.clone();
        odd.identity = Some("j;o=e x@example.net".into());
        assert!(odd.to_header().contains("i=j=3Bo=3De=20x@example.net;"));
        let value = odd.to_header();
        assert_eq!(
            Signature::parse(value.strip_prefix("DKIM-Signature:").unwrap()).unwrap(),
            odd
        );
        assert!(matches!(
            parse_err(&format!("{MINIMAL}; i=joe=4@example.net")),
            Error::InvalidTag { tag: "i", .. }
        ));
    }

    #[test]
    fn within() {
        assert!(is_within("mail.example.com", "Example.com."));
        assert!(is_within("example.com", "example.com"));
        assert!(!is_within("badexample.com", "example.com"));
        assert!(is_within("bücher.example", "xn--bcher-kva.example"));
    }
}
