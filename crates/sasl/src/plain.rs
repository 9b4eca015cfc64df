//! PLAIN (RFC 4616): `[authzid] NUL authcid NUL passwd`, in one message.

use crate::error::Error;

/// What a PLAIN message carries.
#[derive(Clone, PartialEq, Eq)]
pub struct PlainCredentials {
    /// The identity to act as, when different from the authentication identity.
    pub authzid: Option<String>,
    /// The authentication identity (user name).
    pub authcid: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for PlainCredentials {
    /// Never prints the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlainCredentials")
            .field("authzid", &self.authzid)
            .field("authcid", &self.authcid)
            .finish_non_exhaustive()
    }
}

const MECHANISM: &str = "PLAIN";

impl PlainCredentials {
    /// Reads a PLAIN message (already base64-decoded).
    ///
    /// ```
    /// use mailroom_sasl::PlainCredentials;
    /// let creds = PlainCredentials::decode(b"\0tim\0tanstaaftanstaaf")?;
    /// assert_eq!((creds.authzid, creds.authcid.as_str(), creds.password.as_str()), (None, "tim", "tanstaaftanstaaf"));
    /// # Ok::<(), mailroom_sasl::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Malformed`]: not three fields, an empty user name or password, a field over
    /// 255 octets, or not UTF-8.
    pub fn decode(message: &[u8]) -> Result<Self, Error> {
        let malformed = |problem| Error::Malformed {
            mechanism: MECHANISM,
            problem,
        };
        let text = std::str::from_utf8(message).map_err(|_| malformed("not UTF-8"))?;
        let mut fields = text.split('\0');
        let (Some(authzid), Some(authcid), Some(password), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(malformed("not three NUL-separated fields"));
        };
        // RFC 4616 §2: authcid and passwd are 1 to 255 octets, authzid at most 255.
        if authcid.is_empty() || password.is_empty() {
            return Err(malformed("an empty user name or password"));
        }
        if [authzid, authcid, password].iter().any(|f| f.len() > 255) {
            return Err(malformed("a field longer than 255 octets"));
        }
        Ok(Self {
            authzid: (!authzid.is_empty()).then(|| authzid.to_owned()),
            authcid: authcid.to_owned(),
            password: password.to_owned(),
        })
    }

    /// Writes the PLAIN message a client sends.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(self.authzid.as_deref().unwrap_or("").as_bytes());
        out.push(0);
        out.extend_from_slice(self.authcid.as_bytes());
        out.push(0);
        out.extend_from_slice(self.password.as_bytes());
        out
    }
}
