//! OAUTHBEARER (RFC 7628): the client sends a bearer token; this crate reads the message and
//! the caller's validator decides. A refusal goes back as a JSON error challenge, to which the
//! client answers with a lone `%x01` before the server fails the exchange (§3.2.3).
//!
//! ```text
//! client-resp = (gs2-header kvsep *kvpair kvsep) / kvsep
//! kvpair      = key "=" value kvsep      ; auth=Bearer <token>, host=..., port=...
//! ```

use crate::error::Error;

const MECHANISM: &str = "OAUTHBEARER";
const KVSEP: char = '\u{1}';

/// What an OAUTHBEARER client response carries.
#[derive(Clone, PartialEq, Eq)]
pub struct BearerRequest {
    /// The identity to act as, from the GS2 header.
    pub authzid: Option<String>,
    /// The bearer token (`auth=Bearer <token>`).
    pub token: String,
    /// `host=`, if sent.
    pub host: Option<String>,
    /// `port=`, if sent.
    pub port: Option<u16>,
}

impl std::fmt::Debug for BearerRequest {
    /// Never prints the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BearerRequest")
            .field("authzid", &self.authzid)
            .field("host", &self.host)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl BearerRequest {
    /// Reads a client response (RFC 7628 §3.1).
    ///
    /// ```
    /// use mailroom_sasl::BearerRequest;
    /// let message = b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01";
    /// let request = BearerRequest::parse(message)?;
    /// assert_eq!(request.authzid.as_deref(), Some("user@example.com"));
    /// assert_eq!(request.token, "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==");
    /// assert_eq!((request.host.as_deref(), request.port), (Some("server.example.com"), Some(143)));
    /// # Ok::<(), mailroom_sasl::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Malformed`] naming the problem, [`Error::ChannelBinding`] for `p=`.
    pub fn parse(message: &[u8]) -> Result<Self, Error> {
        let text = std::str::from_utf8(message).map_err(|_| malformed("not UTF-8"))?;
        let (gs2, rest) = text.split_once(KVSEP).ok_or(malformed("no GS2 header"))?;
        let mut gs2_parts = gs2.splitn(3, ',');
        match gs2_parts.next() {
            Some("n" | "y") => {}
            Some(flag) if flag.starts_with("p=") => return Err(Error::ChannelBinding),
            _ => return Err(malformed("a bad channel-binding flag")),
        }
        let authzid = match gs2_parts.next() {
            Some("") => None,
            Some(a) => Some(
                a.strip_prefix("a=")
                    .ok_or(malformed("a bad authzid"))?
                    .replace("=2C", ",")
                    .replace("=3D", "="),
            ),
            None => return Err(malformed("no GS2 header")),
        };
        if gs2_parts.next() != Some("") {
            return Err(malformed("the GS2 header does not end with a comma"));
        }
        // *kvpair kvsep, each kvpair ending in its own kvsep.
        let pairs = rest
            .strip_suffix(KVSEP)
            .filter(|pairs| pairs.is_empty() || pairs.ends_with(KVSEP))
            .ok_or(malformed("the response does not end with two separators"))?;
        let mut request = Self {
            authzid,
            token: String::new(),
            host: None,
            port: None,
        };
        for pair in pairs.split(KVSEP).filter(|p| !p.is_empty()) {
            let (key, value) = pair
                .split_once('=')
                .ok_or(malformed("a pair without `=`"))?;
            if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(malformed("a bad key"));
            }
            match key {
                "auth" => {
                    let (scheme, token) = value
                        .split_once(' ')
                        .ok_or(malformed("auth= has no scheme"))?;
                    let token = token.trim_start_matches(' ');
                    // b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
                    let b64 = token.trim_end_matches('=');
                    if !scheme.eq_ignore_ascii_case("Bearer")
                        || b64.is_empty()
                        || !b64
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
                    {
                        return Err(malformed("auth= is not a bearer token"));
                    }
                    request.token = token.to_owned();
                }
                "host" => request.host = Some(value.to_owned()),
                "port" => request.port = Some(value.parse().map_err(|_| malformed("a bad port"))?),
                // Other keys are extensions a server ignores.
                _ => {}
            }
        }
        if request.token.is_empty() {
            return Err(malformed("no auth=Bearer token"));
        }
        Ok(request)
    }
}

/// The JSON error challenge a server sends when the validator refuses the token (RFC 7628
/// §3.2.2): `status` (such as `invalid_token`) and, optionally, the scope and the OpenID
/// discovery address a client may use to get a better token.
pub fn error_challenge(
    status: &str,
    scope: Option<&str>,
    openid_configuration: Option<&str>,
) -> Vec<u8> {
    let mut json = format!("{{\"status\":\"{}\"", json_escape(status));
    if let Some(scope) = scope {
        json.push_str(&format!(",\"scope\":\"{}\"", json_escape(scope)));
    }
    if let Some(url) = openid_configuration {
        json.push_str(&format!(
            ",\"openid-configuration\":\"{}\"",
            json_escape(url)
        ));
    }
    json.push('}');
    json.into_bytes()
}

/// Whether a client response is the lone `%x01` a client sends after an error challenge.
pub fn is_error_acknowledgement(message: &[u8]) -> bool {
    message == [0x01]
}

fn json_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

fn malformed(problem: &'static str) -> Error {
    Error::Malformed {
        mechanism: MECHANISM,
        problem,
    }
}
