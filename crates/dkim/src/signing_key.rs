//! Private keys for signing: RSA (PKCS#1 or PKCS#8) and Ed25519 (PKCS#8, RFC 8410, or raw),
//! read from the PEM, DER and base64 files opendkim-genkey, rspamadm, dkimpy and openssl write.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;

use crate::crypto::backend::signature::{self, KeyPair};
use crate::error::{Error, KeyType};
use crate::signature::Algorithm;

/// The DER prefix of an Ed25519 PKCS#8 v1 private key (RFC 8410 §7) before the 32-octet seed.
const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// The DER AlgorithmIdentifier of rsaEncryption with NULL parameters (RFC 8017 Appendix C).
const RSA_ALGORITHM_ID: [u8; 15] = [
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

/// A private key that signs DKIM signatures.
///
/// ```
/// use mailroom_dkim::{Algorithm, SigningKey};
/// let key = SigningKey::ed25519_from_seed(&[7; 32]);
/// assert_eq!(key.algorithm(), Algorithm::Ed25519Sha256);
/// assert!(key.dns_record().starts_with("v=DKIM1; k=ed25519; p="));
/// ```
pub struct SigningKey {
    inner: Inner,
}

enum Inner {
    Rsa(signature::RsaKeyPair),
    Ed25519(signature::Ed25519KeyPair),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key itself: no secret in any log line.
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Reads a private key from the contents of a key file, in any form DKIM tools keep one:
    ///
    /// - PEM, `RSA PRIVATE KEY` (PKCS#1) or `PRIVATE KEY` (PKCS#8, RSA or Ed25519), as
    ///   opendkim-genkey, openssl and this crate's [`keygen`](crate::keygen) write;
    /// - DER, PKCS#8 or PKCS#1, also in base64 without PEM's BEGIN and END lines;
    /// - an Ed25519 key in base64 on its own: the 32-octet seed (dkimpy, Exim, RFC 8463 A.1)
    ///   or the 64 octets of seed and public key (rspamd, libsodium), whose public half must
    ///   belong to the seed.
    ///
    /// ```
    /// use mailroom_dkim::{Algorithm, SigningKey};
    /// // RFC 8463 A.1: the seed, as dkimpy keeps it, and as rspamd keeps it with its public key.
    /// let seed = SigningKey::from_key_file(b"nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=\n")?;
    /// let rspamd = SigningKey::from_key_file(
    ///     b"nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2DXWpgBgrEKt9VL/tPJZAc6DuFy89qmIyWvAhpo9wdRGg==",
    /// )?;
    /// assert_eq!(seed.algorithm(), Algorithm::Ed25519Sha256);
    /// assert_eq!(seed.public_key(), rspamd.public_key());
    /// # Ok::<(), mailroom_dkim::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::BadPrivateKey`] when the contents are none of these, or the key is unusable.
    pub fn from_key_file(contents: &[u8]) -> Result<Self, Error> {
        Self::read_key_file(contents).map(|(key, _)| key)
    }

    /// [`Self::from_key_file`], with the key as PKCS#8 DER too: the form to store it in.
    pub(crate) fn read_key_file(contents: &[u8]) -> Result<(Self, Vec<u8>), Error> {
        let text = std::str::from_utf8(contents).map(str::trim);
        match text {
            Ok(text) if text.contains("-----BEGIN ") => Self::read_pem(text),
            Ok(text) if !text.is_empty() && text.bytes().all(is_base64_or_space) => {
                let compact: String = text.split_ascii_whitespace().collect();
                let raw = BASE64.decode(compact).map_err(|_| Error::BadPrivateKey {
                    expected: "Ed25519",
                    problem: "the text is not base64",
                })?;
                match raw.len() {
                    32 | 64 => Self::ed25519_from_raw(&raw),
                    // A PEM body without its BEGIN and END lines.
                    _ => Self::read_der(&raw),
                }
            }
            _ => Self::read_der(contents),
        }
    }

    /// A PKCS#8 or PKCS#1 DER key, and its PKCS#8 DER.
    fn read_der(der: &[u8]) -> Result<(Self, Vec<u8>), Error> {
        if let Ok(key) = Self::from_pkcs8_der(der) {
            return Ok((key, der.to_vec()));
        }
        Self::read_pkcs1_der(der).map_err(|_| Error::BadPrivateKey {
            expected: "RSA or Ed25519",
            problem: "the file is not PEM, DER, or an Ed25519 key in base64",
        })
    }

    /// A PKCS#1 DER RSA key, and the same key wrapped as PKCS#8.
    fn read_pkcs1_der(der: &[u8]) -> Result<(Self, Vec<u8>), Error> {
        Ok((Self::from_pkcs1_der(der)?, rsa_pkcs8(der)))
    }

    /// An Ed25519 key from its 32-octet seed, or from the seed and the public key after it,
    /// and its PKCS#8 DER.
    fn ed25519_from_raw(raw: &[u8]) -> Result<(Self, Vec<u8>), Error> {
        let Some((seed, public)) = raw.split_first_chunk::<32>() else {
            return Err(Error::BadPrivateKey {
                expected: "Ed25519",
                problem: "a key in base64 has 32 octets (a seed) or 64 (seed and public key)",
            });
        };
        let key = Self::ed25519_from_seed(seed);
        if !public.is_empty() && key.public_key() != public {
            return Err(Error::BadPrivateKey {
                expected: "Ed25519",
                problem: "the public key after the seed does not belong to it",
            });
        }
        Ok((key, ed25519_pkcs8(seed)))
    }

    /// Reads a PEM private key: `RSA PRIVATE KEY` (PKCS#1, as opendkim-genkey writes) or
    /// `PRIVATE KEY` (PKCS#8, RSA or Ed25519).
    ///
    /// # Errors
    ///
    /// [`Error::BadPrivateKey`] when the text holds no such key or the key is unusable (for
    /// example an RSA key under 2048 bits, which the ring backend does not sign with).
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        Self::read_pem(pem).map(|(key, _)| key)
    }

    /// [`Self::from_pem`], with the key as PKCS#8 DER too.
    fn read_pem(pem: &str) -> Result<(Self, Vec<u8>), Error> {
        let der =
            PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(|_| Error::BadPrivateKey {
                expected: "PEM",
                problem: "no RSA PRIVATE KEY or PRIVATE KEY section",
            })?;
        match der {
            PrivateKeyDer::Pkcs1(key) => Self::read_pkcs1_der(key.secret_pkcs1_der()),
            PrivateKeyDer::Pkcs8(key) => {
                let der = key.secret_pkcs8_der();
                Ok((Self::from_pkcs8_der(der)?, der.to_vec()))
            }
            _ => Err(Error::BadPrivateKey {
                expected: "RSA or Ed25519",
                problem: "elliptic-curve SEC1 keys cannot sign DKIM",
            }),
        }
    }

    /// Reads a PKCS#8 DER private key, RSA or Ed25519 (RFC 8410, v1 or v2).
    ///
    /// # Errors
    ///
    /// [`Error::BadPrivateKey`] when the DER is neither.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        if let Ok(key) = signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
            return Ok(Self {
                inner: Inner::Ed25519(key),
            });
        }
        signature::RsaKeyPair::from_pkcs8(der)
            .map(|key| Self {
                inner: Inner::Rsa(key),
            })
            .map_err(|_| Error::BadPrivateKey {
                expected: "PKCS#8 RSA (2048 bits or more) or Ed25519",
                problem: "the DER is not such a key",
            })
    }

    /// Reads a PKCS#1 DER RSA private key.
    ///
    /// # Errors
    ///
    /// [`Error::BadPrivateKey`] when the DER is not an RSA key the backend signs with.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        signature::RsaKeyPair::from_der(der)
            .map(|key| Self {
                inner: Inner::Rsa(key),
            })
            .map_err(|_| Error::BadPrivateKey {
                expected: "PKCS#1 RSA (2048 bits or more)",
                problem: "the DER is not such a key",
            })
    }

    /// An Ed25519 key from its 32-octet seed (RFC 8032 §5.1.5), the form RFC 8463 A.1 and
    /// dkimpy print.
    pub fn ed25519_from_seed(seed: &[u8; 32]) -> Self {
        match signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&ed25519_pkcs8(seed)) {
            Ok(key) => Self {
                inner: Inner::Ed25519(key),
            },
            // A 32-octet seed in a well-formed PKCS#8 v1 wrapper is always accepted.
            Err(_) => unreachable!("an Ed25519 seed of 32 octets is always a valid key"),
        }
    }

    /// The algorithm this key signs with.
    pub fn algorithm(&self) -> Algorithm {
        match self.inner {
            Inner::Rsa(_) => Algorithm::RsaSha256,
            Inner::Ed25519(_) => Algorithm::Ed25519Sha256,
        }
    }

    /// The key type, as the key record's `k=` names it.
    pub fn key_type(&self) -> KeyType {
        self.algorithm().key_type()
    }

    /// The public key as `p=` carries it: SubjectPublicKeyInfo DER for RSA (RFC 6376 §3.6.1),
    /// the raw 32 octets for Ed25519 (RFC 8463 §4).
    pub fn public_key(&self) -> Vec<u8> {
        match &self.inner {
            Inner::Rsa(key) => rsa_spki(key.public_key().as_ref()),
            Inner::Ed25519(key) => key.public_key().as_ref().to_vec(),
        }
    }

    /// The key record to publish at `<selector>._domainkey.<domain>`.
    pub fn dns_record(&self) -> String {
        format!(
            "v=DKIM1; k={}; p={}",
            self.key_type(),
            BASE64.encode(self.public_key())
        )
    }

    /// Signs the header hash input (RFC 6376 §3.7; Ed25519 signs its SHA-256, RFC 8463 §3).
    pub(crate) fn sign(&self, data: &[u8]) -> Result<Vec<u8>, Error> {
        match &self.inner {
            Inner::Rsa(key) => {
                let mut out = vec![0u8; crate::crypto::rsa_signature_len(key)];
                // ring and aws-lc-rs blind RSA with their own random source.
                let rng = crate::crypto::backend::rand::SystemRandom::new();
                key.sign(&signature::RSA_PKCS1_SHA256, &rng, data, &mut out)
                    .map_err(|_| Error::Crypto)?;
                Ok(out)
            }
            Inner::Ed25519(key) => Ok(key.sign(&crate::crypto::sha256(data)).as_ref().to_vec()),
        }
    }
}

/// Whether `c` may appear in base64 text, white space between lines included.
fn is_base64_or_space(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=') || c.is_ascii_whitespace()
}

/// Wraps a PKCS#1 RSAPublicKey in a SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
fn rsa_spki(pkcs1: &[u8]) -> Vec<u8> {
    // The BIT STRING's first octet: no unused bits.
    let bit_string = der(0x03, &[&[0], pkcs1]);
    der(SEQUENCE, &[&RSA_ALGORITHM_ID, &bit_string])
}

/// An Ed25519 key's PKCS#8 v1 DER (RFC 8410 §7) from its seed.
pub(crate) fn ed25519_pkcs8(seed: &[u8; 32]) -> Vec<u8> {
    let mut pkcs8 = ED25519_PKCS8_PREFIX.to_vec();
    pkcs8.extend_from_slice(seed);
    pkcs8
}

/// A PKCS#1 RSA private key wrapped as PKCS#8 (RFC 5208 §5): version 0, rsaEncryption, and
/// the PKCS#1 DER as the private key's octet string.
fn rsa_pkcs8(pkcs1: &[u8]) -> Vec<u8> {
    const VERSION_0: [u8; 3] = [0x02, 0x01, 0x00];
    der(
        SEQUENCE,
        &[&VERSION_0, &RSA_ALGORITHM_ID, &der(0x04, &[pkcs1])],
    )
}

/// The DER tag of a SEQUENCE (X.690 §8.9).
const SEQUENCE: u8 = 0x30;

/// A DER value (X.690 §8.1): `tag`, the length, and `parts` one after another as its contents.
fn der(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    let len = parts.iter().map(|part| part.len()).sum();
    let mut out = vec![tag];
    der_length(len, &mut out);
    for part in parts {
        out.extend_from_slice(part);
    }
    out
}

/// Appends a DER length (X.690 §8.1.3).
fn der_length(len: usize, out: &mut Vec<u8>) {
    match u8::try_from(len) {
        Ok(short) if short < 0x80 => out.push(short),
        _ => {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|&&b| b == 0).count();
            // At most 8 length octets, so the count fits in the low bits.
            out.push(0x80 | u8::try_from(bytes.len() - skip).unwrap_or(8));
            out.extend_from_slice(&bytes[skip..]);
        }
    }
}
