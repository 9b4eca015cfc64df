//! The EHLO reply's service extensions (RFC 5321 §4.1.1.1): written by a server, read by a
//! client to decide what it may use.

use crate::reply::Reply;

/// The extensions a server offers in its EHLO reply.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// `PIPELINING` (RFC 2920).
    pub pipelining: bool,
    /// `SIZE [n]` (RFC 1870): `Some(0)` when offered without a fixed maximum.
    pub size: Option<u64>,
    /// `8BITMIME` (RFC 6152).
    pub eight_bit_mime: bool,
    /// `BINARYMIME` (RFC 3030).
    pub binary_mime: bool,
    /// `CHUNKING` (RFC 3030).
    pub chunking: bool,
    /// `SMTPUTF8` (RFC 6531).
    pub smtputf8: bool,
    /// `ENHANCEDSTATUSCODES` (RFC 2034).
    pub enhanced_status_codes: bool,
    /// `DSN` (RFC 3461).
    pub dsn: bool,
    /// `STARTTLS` (RFC 3207).
    pub starttls: bool,
    /// `REQUIRETLS` (RFC 8689).
    pub requiretls: bool,
    /// `AUTH` mechanisms (RFC 4954), in upper case; empty when AUTH is not offered.
    pub auth: Vec<String>,
}

impl Capabilities {
    /// The EHLO reply: the greeting line (`host` and a text), then one line per extension.
    ///
    /// ```
    /// use mailroom_mta_core::Capabilities;
    /// let caps = Capabilities { pipelining: true, size: Some(10_000_000), starttls: true, ..Default::default() };
    /// assert_eq!(
    ///     caps.ehlo_reply("mx.example.org", "at your service").to_string(),
    ///     "250-mx.example.org at your service\r\n250-PIPELINING\r\n250-SIZE 10000000\r\n250 STARTTLS\r\n"
    /// );
    /// ```
    pub fn ehlo_reply(&self, host: &str, greeting: &str) -> Reply {
        let mut lines = vec![format!("{host} {greeting}").trim_end().to_owned()];
        let flags = [
            (self.pipelining, "PIPELINING"),
            (self.eight_bit_mime, "8BITMIME"),
            (self.binary_mime, "BINARYMIME"),
            (self.chunking, "CHUNKING"),
            (self.smtputf8, "SMTPUTF8"),
            (self.enhanced_status_codes, "ENHANCEDSTATUSCODES"),
            (self.dsn, "DSN"),
            (self.starttls, "STARTTLS"),
            (self.requiretls, "REQUIRETLS"),
        ];
        for (index, (on, keyword)) in flags.into_iter().enumerate() {
            if index == 1
                && let Some(size) = self.size
            {
                lines.push(if size == 0 {
                    "SIZE".to_owned()
                } else {
                    format!("SIZE {size}")
                });
            }
            if on {
                lines.push(keyword.to_owned());
            }
        }
        if !self.auth.is_empty() {
            lines.push(format!("AUTH {}", self.auth.join(" ")));
        }
        Reply {
            code: 250,
            enhanced: None,
            lines,
        }
    }

    /// Reads the extensions from an EHLO reply; unknown keywords are ignored.
    pub fn from_ehlo_reply(reply: &Reply) -> Self {
        let mut caps = Self::default();
        // The first line is the greeting; each further line is `keyword *(SP param)`.
        for line in reply.lines.iter().skip(1) {
            let mut words = line.split_ascii_whitespace();
            let Some(keyword) = words.next() else {
                continue;
            };
            match keyword.to_ascii_uppercase().as_str() {
                "PIPELINING" => caps.pipelining = true,
                "SIZE" => caps.size = Some(words.next().and_then(|n| n.parse().ok()).unwrap_or(0)),
                "8BITMIME" => caps.eight_bit_mime = true,
                "BINARYMIME" => caps.binary_mime = true,
                "CHUNKING" => caps.chunking = true,
                "SMTPUTF8" => caps.smtputf8 = true,
                "ENHANCEDSTATUSCODES" => caps.enhanced_status_codes = true,
                "DSN" => caps.dsn = true,
                "STARTTLS" => caps.starttls = true,
                "REQUIRETLS" => caps.requiretls = true,
                "AUTH" => {
                    for mechanism in words {
                        let mechanism = mechanism.to_ascii_uppercase();
                        if !caps.auth.contains(&mechanism) {
                            caps.auth.push(mechanism);
                        }
                    }
                }
                _ => {}
            }
        }
        caps
    }
}
