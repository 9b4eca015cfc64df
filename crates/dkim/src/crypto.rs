//! The one place that names the cryptographic library: ring by default, aws-lc-rs with its
//! feature. Both have the same API, so the rest of the crate does not know which it got.

#[cfg(feature = "aws-lc-rs")]
pub(crate) use aws_lc_rs as backend;
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
pub(crate) use ring as backend;

#[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
compile_error!("mailroom-dkim needs its `ring` or its `aws-lc-rs` feature");

use backend::digest;
use backend::signature;

use crate::error::Error;
use crate::key::PublicKey;
use crate::signature::Algorithm;

/// Length of a SHA-256 digest.
pub(crate) const SHA256_LEN: usize = 32;

/// Length of the blocks SHA-256 works on.
pub(crate) const SHA256_BLOCK: usize = 64;

/// A running SHA-256.
#[derive(Clone)]
pub(crate) struct Sha256(digest::Context);

impl Sha256 {
    pub(crate) fn new() -> Self {
        Self(digest::Context::new(&digest::SHA256))
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    pub(crate) fn finish(self) -> [u8; SHA256_LEN] {
        let mut out = [0u8; SHA256_LEN];
        out.copy_from_slice(self.0.finish().as_ref());
        out
    }
}

impl std::fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sha256")
    }
}

/// SHA-256 of `data` in one call: the backend's one-shot digest, which on aws-lc-rs sets up
/// no digest context (an allocation).
pub(crate) fn sha256(data: &[u8]) -> [u8; SHA256_LEN] {
    let mut out = [0u8; SHA256_LEN];
    out.copy_from_slice(digest::digest(&digest::SHA256, data).as_ref());
    out
}

/// The length of an RSA signature by this key: its modulus length (the one call where ring and
/// aws-lc-rs differ).
pub(crate) fn rsa_signature_len(key: &signature::RsaKeyPair) -> usize {
    #[cfg(feature = "aws-lc-rs")]
    return key.public_modulus_len();
    #[cfg(not(feature = "aws-lc-rs"))]
    return key.public().modulus_len();
}

/// A public key made ready for repeated verification as far as the backend lets it: aws-lc-rs
/// sets up an RSA modulus, or an Ed25519 key object, once; ring sets up the modulus at every
/// verification, and only the reading of an RSA key's DER is done once.
pub(crate) struct PreparedKey {
    #[cfg(feature = "aws-lc-rs")]
    parsed: Option<signature::ParsedPublicKey>,
    /// ring: an RSA key's modulus and exponent, taken out of their DER once.
    #[cfg(not(feature = "aws-lc-rs"))]
    rsa_components: Option<signature::RsaPublicKeyComponents<Vec<u8>>>,
}

impl std::fmt::Debug for PreparedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PreparedKey")
    }
}

impl PreparedKey {
    #[cfg(feature = "aws-lc-rs")]
    pub(crate) fn new(key: &PublicKey) -> Self {
        // Setting up the modulus is much of an RSA verification; an Ed25519 key object is an
        // allocation and a copy (about 0.1 µs of 23).
        let parsed = match key {
            PublicKey::Rsa { der, .. } => signature::ParsedPublicKey::new(
                &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                der,
            ),
            PublicKey::Ed25519(raw) => signature::ParsedPublicKey::new(&signature::ED25519, raw),
        };
        Self {
            parsed: parsed.ok(),
        }
    }

    #[cfg(not(feature = "aws-lc-rs"))]
    pub(crate) fn new(key: &PublicKey) -> Self {
        let rsa_components =
            match key {
                PublicKey::Rsa { der, .. } => pkcs1::RsaPublicKey::try_from(der.as_slice())
                    .ok()
                    .map(|key| signature::RsaPublicKeyComponents {
                        n: key.modulus.as_bytes().to_vec(),
                        e: key.public_exponent.as_bytes().to_vec(),
                    }),
                PublicKey::Ed25519(_) => None,
            };
        Self { rsa_components }
    }
}

/// Checks `signature` over the header hash input `data` (RFC 6376 §3.7; RFC 8463 §3 signs the
/// SHA-256 of it with Ed25519).
pub(crate) fn verify(
    key: &PublicKey,
    prepared: &PreparedKey,
    algorithm: Algorithm,
    data: &[u8],
    signature_bytes: &[u8],
) -> Result<(), Error> {
    #[cfg(feature = "aws-lc-rs")]
    if let Some(parsed) = &prepared.parsed {
        let checked = match (algorithm, key) {
            (Algorithm::RsaSha256, PublicKey::Rsa { .. }) => {
                Some(parsed.verify_sig(data, signature_bytes))
            }
            (Algorithm::Ed25519Sha256, PublicKey::Ed25519(_)) => {
                Some(parsed.verify_sig(&sha256(data), signature_bytes))
            }
            _ => None,
        };
        if let Some(checked) = checked {
            return checked.map_err(|_| Error::SignatureMismatch);
        }
    }
    #[cfg(not(feature = "aws-lc-rs"))]
    if let Some(components) = &prepared.rsa_components
        && matches!(
            (algorithm, key),
            (Algorithm::RsaSha256, PublicKey::Rsa { .. })
        )
    {
        return components
            .verify(
                &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                data,
                signature_bytes,
            )
            .map_err(|_| Error::SignatureMismatch);
    }
    let checked = match (algorithm, key) {
        (Algorithm::RsaSha256, PublicKey::Rsa { der, .. }) => signature::UnparsedPublicKey::new(
            // RFC 8301 §3.2 allows 1024-bit keys for verification; the bit count is checked
            // before this is reached.
            &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
            der,
        )
        .verify(data, signature_bytes),
        (Algorithm::Ed25519Sha256, PublicKey::Ed25519(raw)) => {
            signature::UnparsedPublicKey::new(&signature::ED25519, raw)
                .verify(&sha256(data), signature_bytes)
        }
        (Algorithm::RsaSha1, _) => return Err(Error::Sha1Forbidden),
        (algorithm, key) => {
            return Err(Error::KeyTypeMismatch {
                key_type: key.key_type(),
                algorithm,
            });
        }
    };
    checked.map_err(|_| Error::SignatureMismatch)
}
