//! Making new signing keys, or taking in those other tools made, with the PKCS#8 PEM to store
//! them in.
//!
//! Ed25519 keys come from a seed the caller supplies (this crate takes randomness as an
//! argument). RSA key generation needs the `aws-lc-rs` feature: ring cannot generate RSA keys.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::signing_key::{SigningKey, ed25519_pkcs8};

/// A new or imported key: ready to sign, and as PKCS#8 PEM (`PRIVATE KEY`) to store with
/// mode 0600.
pub struct GeneratedKey {
    /// The key, ready to sign.
    pub key: SigningKey,
    /// The key as PKCS#8 PEM. Secret: never log it.
    pub pem: String,
}

impl std::fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedKey")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// An Ed25519 key (RFC 8463) from 32 random octets.
///
/// ```
/// let generated = mailroom_dkim::keygen::ed25519([4; 32]);
/// assert!(generated.pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
/// let again = mailroom_dkim::SigningKey::from_pem(&generated.pem)?;
/// assert_eq!(again.public_key(), generated.key.public_key());
/// # Ok::<(), mailroom_dkim::Error>(())
/// ```
pub fn ed25519(seed: [u8; 32]) -> GeneratedKey {
    GeneratedKey {
        key: SigningKey::ed25519_from_seed(&seed),
        pem: pem("PRIVATE KEY", &ed25519_pkcs8(&seed)),
    }
}

/// A key another tool made, read from its key file in any form
/// [`SigningKey::from_key_file`] takes (opendkim-genkey's PKCS#1 PEM, rspamd's or dkimpy's
/// Ed25519 base64, DER, ...), with the PKCS#8 PEM to store it in: the same key, so the record
/// already published for it stays right.
///
/// ```
/// use mailroom_dkim::{SigningKey, keygen};
/// // RFC 8463 A.1's key, as dkimpy keeps it.
/// let imported = keygen::import(b"nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=\n")?;
/// assert!(imported.pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
/// assert_eq!(SigningKey::from_pem(&imported.pem)?.dns_record(), imported.key.dns_record());
/// # Ok::<(), mailroom_dkim::Error>(())
/// ```
///
/// # Errors
///
/// [`crate::Error::BadPrivateKey`] when the contents hold no key this crate signs with.
pub fn import(contents: &[u8]) -> Result<GeneratedKey, crate::Error> {
    let (key, pkcs8) = SigningKey::read_key_file(contents)?;
    Ok(GeneratedKey {
        key,
        pem: pem("PRIVATE KEY", &pkcs8),
    })
}

/// The RSA key sizes offered: 2048 bits is what RFC 8301 §3.2 recommends and what fits a
/// single DNS TXT string comfortably; larger keys need longer records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RsaBits {
    /// 2048 bits (the default).
    Rsa2048,
    /// 3072 bits.
    Rsa3072,
    /// 4096 bits.
    Rsa4096,
}

/// A new RSA key, from the backend's own random source (aws-lc-rs).
///
/// # Errors
///
/// [`crate::Error::Crypto`] if generation fails.
#[cfg(feature = "aws-lc-rs")]
pub fn rsa(bits: RsaBits) -> Result<GeneratedKey, crate::Error> {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rsa::KeySize;
    let size = match bits {
        RsaBits::Rsa2048 => KeySize::Rsa2048,
        RsaBits::Rsa3072 => KeySize::Rsa3072,
        RsaBits::Rsa4096 => KeySize::Rsa4096,
    };
    let pair =
        aws_lc_rs::signature::RsaKeyPair::generate(size).map_err(|_| crate::Error::Crypto)?;
    let der = pair.as_der().map_err(|_| crate::Error::Crypto)?;
    let key = SigningKey::from_pkcs8_der(der.as_ref())?;
    Ok(GeneratedKey {
        key,
        pem: pem("PRIVATE KEY", der.as_ref()),
    })
}

/// Wraps DER in PEM (RFC 7468): base64 in lines of 64.
fn pem(label: &str, der: &[u8]) -> String {
    let encoded = BASE64.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in encoded.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
