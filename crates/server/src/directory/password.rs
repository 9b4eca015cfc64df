//! What the directory keeps of a password: an Argon2id hash for PLAIN and LOGIN, and
//! SCRAM-SHA-256 keys (RFC 5802 §3) for SCRAM. Never the password.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use mailroom_sasl::ScramCredentials;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The SCRAM iteration count for new passwords (RFC 7677 §4 asks for at least 4096).
const SCRAM_ITERATIONS: u32 = 4096;

/// An Argon2id password hash in PHC string form.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PasswordHash(String);

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

impl PasswordHash {
    /// Hashes a new password with Argon2id and a random salt.
    ///
    /// # Errors
    ///
    /// [`Error::Password`] for an empty password, [`Error::NoRandomness`].
    pub fn new(password: &str) -> Result<Self, Error> {
        if password.is_empty() {
            return Err(Error::Password("the password is empty".to_owned()));
        }
        let hash = Argon2::default()
            .hash_password(password.as_bytes())
            .map_err(|error| Error::Password(format!("cannot hash the password: {error}")))?;
        Ok(Self(hash.to_string()))
    }

    /// Whether `password` is the one hashed (in constant time, by the argon2 crate).
    pub fn verify(&self, password: &str) -> bool {
        Argon2::default()
            .verify_password(password.as_bytes(), self.0.as_str())
            .is_ok()
    }
}

/// SCRAM-SHA-256 keys, base64 in the file.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScramKeys {
    salt: String,
    iterations: u32,
    stored_key: String,
    server_key: String,
}

impl std::fmt::Debug for ScramKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ScramKeys(..)")
    }
}

impl ScramKeys {
    /// Derives the keys of a new password with a random salt.
    ///
    /// # Errors
    ///
    /// [`Error::Password`] when SASLprep refuses the password, [`Error::NoRandomness`].
    pub fn new(password: &str) -> Result<Self, Error> {
        let mut salt = [0_u8; 16];
        getrandom::fill(&mut salt).map_err(|error| Error::NoRandomness {
            purpose: "a salt",
            problem: error.to_string(),
        })?;
        let keys = ScramCredentials::derive(password, &salt, SCRAM_ITERATIONS)
            .map_err(|error| Error::Password(format!("the password cannot be used: {error}")))?;
        Ok(Self {
            salt: BASE64.encode(&keys.salt),
            iterations: keys.iterations,
            stored_key: BASE64.encode(keys.stored_key),
            server_key: BASE64.encode(keys.server_key),
        })
    }

    /// The keys as the SCRAM server takes them; `None` when the stored text is damaged.
    pub fn credentials(&self) -> Option<ScramCredentials> {
        let key = |text: &str| BASE64.decode(text).ok()?.try_into().ok();
        Some(ScramCredentials {
            salt: BASE64.decode(&self.salt).ok()?,
            iterations: self.iterations,
            stored_key: key(&self.stored_key)?,
            server_key: key(&self.server_key)?,
        })
    }
}
