//! SCRAM-SHA-256 (RFC 5802, RFC 7677), server and client. The server keeps only the salted
//! keys (`StoredKey`, `ServerKey`), never the password; proofs are compared in constant time.
//! Nonces come in from the caller (sans-IO), as does the user lookup between the steps.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ring::{digest, hmac, pbkdf2};
use subtle::ConstantTimeEq;

use crate::error::Error;

const MECHANISM: &str = "SCRAM-SHA-256";

/// The iteration count RFC 7677 §4 asks for at least.
pub const MIN_ITERATIONS: u32 = 4096;

/// What a server stores for one user (RFC 5802 §3): never the password.
#[derive(Clone, PartialEq, Eq)]
pub struct ScramCredentials {
    /// The salt.
    pub salt: Vec<u8>,
    /// The PBKDF2 iteration count.
    pub iterations: u32,
    /// `H(ClientKey)`.
    pub stored_key: [u8; 32],
    /// `HMAC(SaltedPassword, "Server Key")`.
    pub server_key: [u8; 32],
}

impl std::fmt::Debug for ScramCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScramCredentials")
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

impl ScramCredentials {
    /// Derives the stored keys from a password (SASLprep-ed, RFC 4013), a salt and an
    /// iteration count: what a server keeps when a user sets a password.
    ///
    /// # Errors
    ///
    /// [`Error::Prohibited`] when SASLprep refuses the password.
    pub fn derive(password: &str, salt: &[u8], iterations: u32) -> Result<Self, Error> {
        let salted = salted_password(password, salt, iterations)?;
        let client_key = hmac_sha256(&salted, b"Client Key");
        Ok(Self {
            salt: salt.to_vec(),
            iterations,
            stored_key: sha256(&client_key),
            server_key: hmac_sha256(&salted, b"Server Key"),
        })
    }
}

/// Who a client-first message names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScramUser {
    /// The user name, SASLprep-ed.
    pub username: String,
    /// The identity to act as, if the client named one.
    pub authzid: Option<String>,
}

/// The server side of one SCRAM-SHA-256 exchange.
///
/// ```
/// use mailroom_sasl::{ScramClient, ScramCredentials, ScramServer};
/// let stored = ScramCredentials::derive("pencil", b"salt-of-user", 4096)?;
/// let mut client = ScramClient::new("user", "pencil", None, "client-nonce")?;
/// let mut server = ScramServer::new();
/// let user = server.client_first(client.client_first().as_bytes())?;
/// assert_eq!(user.username, "user");
/// let server_first = server.server_first(stored, "server-nonce")?; // after looking the user up
/// let client_final = client.server_first(server_first.as_bytes())?;
/// let server_final = server.client_final(client_final.as_bytes())?;
/// client.server_final(server_final.as_bytes())?;
/// # Ok::<(), mailroom_sasl::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct ScramServer {
    stage: ServerStage,
}

#[derive(Debug, Default)]
enum ServerStage {
    #[default]
    Start,
    ReadFirst {
        gs2_header: String,
        client_first_bare: String,
        client_nonce: String,
    },
    SentFirst {
        gs2_header: String,
        auth_prefix: String,
        nonce: String,
        credentials: ScramCredentials,
    },
    Done,
}

impl ScramServer {
    /// A new exchange.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the client-first message and says which user to look up.
    ///
    /// # Errors
    ///
    /// [`Error::Malformed`], [`Error::ChannelBinding`] for `p=`, [`Error::Prohibited`].
    pub fn client_first(&mut self, message: &[u8]) -> Result<ScramUser, Error> {
        if !matches!(self.stage, ServerStage::Start) {
            return Err(Error::OutOfOrder);
        }
        let text = utf8(message)?;
        // gs2-header = gs2-cbind-flag "," [ authzid ] ","
        let (flag, rest) = text.split_once(',').ok_or(malformed("no GS2 header"))?;
        match flag {
            // We offer no -PLUS mechanism, so "y" (client could, thinks we cannot) is fine.
            "n" | "y" => {}
            flag if flag.starts_with("p=") => return Err(Error::ChannelBinding),
            _ => return Err(malformed("a bad channel-binding flag")),
        }
        let (authzid, bare) = rest.split_once(',').ok_or(malformed("no GS2 header"))?;
        let authzid = match authzid {
            "" => None,
            a => Some(prep(
                &unescape_name(a.strip_prefix("a=").ok_or(malformed("a bad authzid"))?)?,
                "authorization identity",
            )?),
        };
        let gs2_header = text[..text.len() - bare.len()].to_owned();
        let mut attributes = bare.split(',');
        let first = attributes.next().unwrap_or_default();
        // A leading "m=" extension is mandatory to understand; we understand none.
        if first.starts_with("m=") {
            return Err(malformed("an unsupported mandatory extension"));
        }
        let username = first.strip_prefix("n=").ok_or(malformed("no user name"))?;
        let username = prep(&unescape_name(username)?, "username")?;
        let nonce = attributes
            .next()
            .and_then(|a| a.strip_prefix("r="))
            .filter(|n| is_printable(n))
            .ok_or(malformed("no nonce"))?;
        self.stage = ServerStage::ReadFirst {
            gs2_header,
            client_first_bare: bare.to_owned(),
            client_nonce: nonce.to_owned(),
        };
        Ok(ScramUser { username, authzid })
    }

    /// The server-first message, for the user's stored credentials and a fresh random nonce
    /// part (printable ASCII without `,`). For an unknown user, pass made-up credentials and go
    /// on: the exchange then fails at the proof, and says nothing about which users exist.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfOrder`], or [`Error::Malformed`] for an unusable nonce.
    pub fn server_first(
        &mut self,
        credentials: ScramCredentials,
        server_nonce: &str,
    ) -> Result<String, Error> {
        let ServerStage::ReadFirst {
            gs2_header,
            client_first_bare,
            client_nonce,
        } = std::mem::take(&mut self.stage)
        else {
            return Err(Error::OutOfOrder);
        };
        if server_nonce.is_empty() || !is_printable(server_nonce) {
            return Err(malformed(
                "the server nonce must be printable without commas",
            ));
        }
        let nonce = format!("{client_nonce}{server_nonce}");
        let server_first = format!(
            "r={nonce},s={},i={}",
            BASE64.encode(&credentials.salt),
            credentials.iterations
        );
        self.stage = ServerStage::SentFirst {
            gs2_header,
            auth_prefix: format!("{client_first_bare},{server_first}"),
            nonce,
            credentials,
        };
        Ok(server_first)
    }

    /// Verifies the client's proof; on success, the server-final message to send.
    ///
    /// # Errors
    ///
    /// [`Error::Failed`] for a wrong proof, [`Error::Malformed`] for a bad message.
    pub fn client_final(&mut self, message: &[u8]) -> Result<String, Error> {
        let ServerStage::SentFirst {
            gs2_header,
            auth_prefix,
            nonce,
            credentials,
        } = std::mem::replace(&mut self.stage, ServerStage::Done)
        else {
            return Err(Error::OutOfOrder);
        };
        let text = utf8(message)?;
        let (without_proof, proof) = text.rsplit_once(",p=").ok_or(malformed("no proof"))?;
        let mut attributes = without_proof.split(',');
        let binding = attributes
            .next()
            .and_then(|a| a.strip_prefix("c="))
            .ok_or(malformed("no channel binding"))?;
        // Without channel binding, c= is the GS2 header, base64 (RFC 5802 §7).
        if BASE64.decode(binding).ok().as_deref() != Some(gs2_header.as_bytes()) {
            return Err(malformed(
                "the channel binding does not match the GS2 header",
            ));
        }
        let client_nonce = attributes
            .next()
            .and_then(|a| a.strip_prefix("r="))
            .ok_or(malformed("no nonce"))?;
        if client_nonce != nonce {
            return Err(malformed("the nonce does not match"));
        }
        let proof = BASE64
            .decode(proof)
            .ok()
            .filter(|p| p.len() == 32)
            .ok_or(malformed("a bad proof"))?;
        let auth_message = format!("{auth_prefix},{without_proof}");
        let signature = hmac_sha256(&credentials.stored_key, auth_message.as_bytes());
        let mut client_key = [0u8; 32];
        for (key, (p, s)) in client_key.iter_mut().zip(proof.iter().zip(signature)) {
            *key = p ^ s;
        }
        if !bool::from(sha256(&client_key).ct_eq(&credentials.stored_key)) {
            return Err(Error::Failed);
        }
        let server_signature = hmac_sha256(&credentials.server_key, auth_message.as_bytes());
        Ok(format!("v={}", BASE64.encode(server_signature)))
    }
}

/// The client side of one SCRAM-SHA-256 exchange.
#[derive(Debug)]
pub struct ScramClient {
    password: String,
    gs2_header: String,
    client_first_bare: String,
    client_nonce: String,
    server_signature: Option<[u8; 32]>,
}

impl ScramClient {
    /// A client for `username` and `password` (both SASLprep-ed), acting as `authzid` if given,
    /// with a fresh random nonce (printable ASCII without `,`).
    ///
    /// # Errors
    ///
    /// [`Error::Prohibited`] or [`Error::Malformed`] for an unusable nonce.
    pub fn new(
        username: &str,
        password: &str,
        authzid: Option<&str>,
        client_nonce: &str,
    ) -> Result<Self, Error> {
        if client_nonce.is_empty() || !is_printable(client_nonce) {
            return Err(malformed(
                "the client nonce must be printable without commas",
            ));
        }
        let username = escape_name(&prep(username, "username")?);
        let gs2_header = match authzid {
            Some(a) => format!("n,a={},", escape_name(&prep(a, "authorization identity")?)),
            None => "n,,".to_owned(),
        };
        Ok(Self {
            password: prep(password, "password")?,
            gs2_header,
            client_first_bare: format!("n={username},r={client_nonce}"),
            client_nonce: client_nonce.to_owned(),
            server_signature: None,
        })
    }

    /// The client-first message.
    pub fn client_first(&self) -> String {
        format!("{}{}", self.gs2_header, self.client_first_bare)
    }

    /// Reads the server-first message and returns the client-final message.
    ///
    /// # Errors
    ///
    /// [`Error::Malformed`] (including a nonce that does not extend ours, or fewer than
    /// [`MIN_ITERATIONS`] iterations).
    pub fn server_first(&mut self, message: &[u8]) -> Result<String, Error> {
        let text = utf8(message)?;
        let mut attributes = text.split(',');
        let nonce = attributes
            .next()
            .and_then(|a| a.strip_prefix("r="))
            .filter(|n| n.len() > self.client_nonce.len() && n.starts_with(&self.client_nonce))
            .ok_or(malformed("the nonce does not extend the client's"))?;
        let salt = attributes
            .next()
            .and_then(|a| a.strip_prefix("s="))
            .and_then(|s| BASE64.decode(s).ok())
            .ok_or(malformed("no salt"))?;
        let iterations: u32 = attributes
            .next()
            .and_then(|a| a.strip_prefix("i="))
            .and_then(|i| i.parse().ok())
            .filter(|&i| i >= MIN_ITERATIONS)
            .ok_or(malformed("no iteration count, or fewer than 4096"))?;
        let without_proof = format!("c={},r={nonce}", BASE64.encode(&self.gs2_header));
        let auth_message = format!("{},{text},{without_proof}", self.client_first_bare);
        let salted = salted_password(&self.password, &salt, iterations)?;
        let client_key = hmac_sha256(&salted, b"Client Key");
        let stored_key = sha256(&client_key);
        let signature = hmac_sha256(&stored_key, auth_message.as_bytes());
        let proof: Vec<u8> = client_key
            .iter()
            .zip(signature)
            .map(|(k, s)| k ^ s)
            .collect();
        let server_key = hmac_sha256(&salted, b"Server Key");
        self.server_signature = Some(hmac_sha256(&server_key, auth_message.as_bytes()));
        Ok(format!("{without_proof},p={}", BASE64.encode(proof)))
    }

    /// Checks the server-final message: the server proves it knows the password too.
    ///
    /// # Errors
    ///
    /// [`Error::ServerNotAuthenticated`], [`Error::Failed`] for `e=`, [`Error::OutOfOrder`].
    pub fn server_final(&mut self, message: &[u8]) -> Result<(), Error> {
        let expected = self.server_signature.take().ok_or(Error::OutOfOrder)?;
        let text = utf8(message)?;
        if text.starts_with("e=") {
            return Err(Error::Failed);
        }
        let signature = text
            .strip_prefix("v=")
            .and_then(|v| BASE64.decode(v.split(',').next().unwrap_or_default()).ok())
            .ok_or(malformed("no server signature"))?;
        if bool::from(signature.ct_eq(&expected)) {
            Ok(())
        } else {
            Err(Error::ServerNotAuthenticated)
        }
    }
}

fn malformed(problem: &'static str) -> Error {
    Error::Malformed {
        mechanism: MECHANISM,
        problem,
    }
}

fn utf8(message: &[u8]) -> Result<&str, Error> {
    std::str::from_utf8(message).map_err(|_| malformed("not UTF-8"))
}

/// `printable = %x21-2B / %x2D-7E` (RFC 5802 §7).
fn is_printable(text: &str) -> bool {
    text.bytes()
        .all(|b| (0x21..=0x7e).contains(&b) && b != b',')
}

/// SASLprep (RFC 4013) of a name or password.
fn prep(text: &str, field: &'static str) -> Result<String, Error> {
    stringprep::saslprep(text)
        .map(std::borrow::Cow::into_owned)
        .map_err(|_| Error::Prohibited { field })
}

/// `saslname`: `=2C` for `,` and `=3D` for `=` (RFC 5802 §5.1).
fn unescape_name(name: &str) -> Result<String, Error> {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(at) = rest.find('=') {
        out.push_str(&rest[..at]);
        match rest.get(at..at + 3) {
            Some("=2C") => out.push(','),
            Some("=3D") => out.push('='),
            _ => return Err(malformed("a bad escape in a name")),
        }
        rest = &rest[at + 3..];
    }
    out.push_str(rest);
    if out.is_empty() {
        return Err(malformed("an empty name"));
    }
    Ok(out)
}

fn escape_name(name: &str) -> String {
    name.replace('=', "=3D").replace(',', "=2C")
}

fn salted_password(password: &str, salt: &[u8], iterations: u32) -> Result<[u8; 32], Error> {
    let password = prep(password, "password")?;
    let iterations = std::num::NonZeroU32::new(iterations).ok_or(malformed("zero iterations"))?;
    let mut out = [0u8; 32];
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        salt,
        password.as_bytes(),
        &mut out,
    );
    Ok(out)
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data);
    let mut out = [0u8; 32];
    out.copy_from_slice(tag.as_ref());
    out
}

fn sha256(data: &[u8]) -> [u8; 32] {
    let hash = digest::digest(&digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(hash.as_ref());
    out
}
