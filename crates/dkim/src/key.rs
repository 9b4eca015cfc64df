//! Key records (RFC 6376 §3.6.1, RFC 8463 §4): the TXT record at
//! `<selector>._domainkey.<domain>` that holds a signer's public key.

use crate::error::{Error, KeyType, Record, TagListProblem};
use crate::signature::decode_base64;
use crate::tag_list;

/// The smallest RSA modulus a verifier accepts (RFC 8301 §3.2).
pub const MIN_RSA_BITS: usize = 1024;

/// The OID of rsaEncryption (RFC 8017 Appendix C), the algorithm of an RSA SubjectPublicKeyInfo.
const RSA_ENCRYPTION: spki::ObjectIdentifier =
    spki::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// A public key from a key record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicKey {
    /// An RSA key: the PKCS#1 RSAPublicKey DER, and the modulus length in bits.
    Rsa {
        /// RSAPublicKey (RFC 8017 §A.1.1) in DER.
        der: Vec<u8>,
        /// The modulus length.
        bits: usize,
    },
    /// An Ed25519 key (RFC 8463 §4: the raw 32 octets).
    Ed25519([u8; 32]),
}

impl PublicKey {
    /// Reads `p=` data: for RSA a SubjectPublicKeyInfo as RFC 6376 §3.6.1 specifies, or a bare
    /// PKCS#1 RSAPublicKey as some publish; for Ed25519 the 32 raw octets.
    ///
    /// # Errors
    ///
    /// [`Error::BadPublicKey`] when the bytes are not such a key.
    pub fn from_bytes(key_type: KeyType, bytes: &[u8], record: Record) -> Result<Self, Error> {
        let bad = Error::BadPublicKey { record, key_type };
        match key_type {
            KeyType::Rsa => {
                let pkcs1 = match spki::SubjectPublicKeyInfoRef::try_from(bytes) {
                    Ok(info) if info.algorithm.oid == RSA_ENCRYPTION => {
                        info.subject_public_key.as_bytes().ok_or(bad.clone())?
                    }
                    Ok(_) => return Err(bad),
                    Err(_) => bytes,
                };
                let key = pkcs1::RsaPublicKey::try_from(pkcs1).map_err(|_| bad.clone())?;
                let modulus = key.modulus.as_bytes();
                let leading = modulus.first().copied().ok_or(bad)?;
                let bits = (modulus.len() - 1) * 8 + (8 - leading.leading_zeros() as usize);
                Ok(Self::Rsa {
                    der: pkcs1.to_vec(),
                    bits,
                })
            }
            KeyType::Ed25519 => Ok(Self::Ed25519(bytes.try_into().map_err(|_| bad)?)),
        }
    }

    /// The key's type.
    pub fn key_type(&self) -> KeyType {
        match self {
            Self::Rsa { .. } => KeyType::Rsa,
            Self::Ed25519(_) => KeyType::Ed25519,
        }
    }
}

/// A parsed key record.
///
/// ```
/// use mailroom_dkim::{KeyRecord, KeyType};
/// let record = KeyRecord::parse("v=DKIM1; k=ed25519; t=y; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")?;
/// assert_eq!(record.key.key_type(), KeyType::Ed25519);
/// assert!(record.testing);
/// # Ok::<(), mailroom_dkim::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// `p=`: the public key.
    pub key: PublicKey,
    /// `h=`: whether sha256 is among the hash algorithms the key may be used with.
    pub allows_sha256: bool,
    /// `t=y`: the domain is testing DKIM; verifiers must not treat mail differently (§3.6.1).
    pub testing: bool,
    /// `t=s`: the `i=` domain of signatures must be exactly `d=`, not a subdomain.
    pub strict: bool,
    /// `n=`: notes for humans.
    pub notes: Option<String>,
}

impl KeyRecord {
    /// Parses a TXT record's strings joined, as the DNS gives them: not known to be UTF-8.
    pub(crate) fn parse_txt(text: &[u8]) -> Result<Self, Error> {
        let text = std::str::from_utf8(text).map_err(|_| Error::TagList {
            record: Record::Key,
            offset: 0,
            problem: TagListProblem::NotUtf8,
        })?;
        Self::parse(text)
    }

    /// Parses a key record's text (its TXT strings joined).
    ///
    /// # Errors
    ///
    /// [`Error::KeyRevoked`] for an empty `p=`; [`Error::KeyNotForEmail`] when `s=` excludes
    /// email; otherwise the malformed tag, or a `p=` that is not a key of the `k=` type.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let tags = tag_list::parse(text, Record::Key)?;
        let get = |name: &str| tags.iter().find(|t| t.name == name).map(|t| t.value);
        let invalid = |tag: &'static str, value: &str| Error::InvalidTag {
            record: Record::Key,
            tag,
            value: value.chars().take(60).collect(),
        };
        // §3.6.1: v= is optional, but when present it is first and exactly DKIM1.
        if let Some(position) = tags.iter().position(|t| t.name == "v") {
            let version = tags[position].value;
            if position != 0 || version != "DKIM1" {
                return Err(invalid("v", version));
            }
        }
        let key_type = match get("k") {
            None => KeyType::Rsa,
            Some(k) if k.eq_ignore_ascii_case("rsa") => KeyType::Rsa,
            Some(k) if k.eq_ignore_ascii_case("ed25519") => KeyType::Ed25519,
            Some(k) => return Err(invalid("k", k)),
        };
        let list = |value: &str| -> Vec<String> {
            value
                .split(':')
                .map(|item| tag_list::trim_fws(item).to_ascii_lowercase())
                .collect()
        };
        let allows_sha256 = get("h").is_none_or(|h| list(h).iter().any(|alg| alg == "sha256"));
        if let Some(services) = get("s")
            && !list(services).iter().any(|s| s == "*" || s == "email")
        {
            return Err(Error::KeyNotForEmail);
        }
        let flags = get("t").map(list).unwrap_or_default();
        let p = get("p").ok_or(Error::MissingTag {
            record: Record::Key,
            tag: "p",
        })?;
        if tag_list::strip_fws(p).is_empty() {
            return Err(Error::KeyRevoked);
        }
        let bytes = decode_base64(p).ok_or(Error::BadPublicKey {
            record: Record::Key,
            key_type,
        })?;
        Ok(Self {
            key: PublicKey::from_bytes(key_type, &bytes, Record::Key)?,
            allows_sha256,
            testing: flags.iter().any(|f| f == "y"),
            strict: flags.iter().any(|f| f == "s"),
            notes: get("n").map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSA_1024_SPKI: &str = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB";

    #[test]
    fn rfc6376_appendix_c_key() {
        let record = KeyRecord::parse(&format!("v=DKIM1; p={RSA_1024_SPKI}")).unwrap();
        assert!(matches!(record.key, PublicKey::Rsa { bits: 1024, .. }));
        assert!(record.allows_sha256 && !record.testing && !record.strict);
    }

    #[test]
    fn flags_hashes_and_services() {
        let record = KeyRecord::parse(&format!(
            "k=rsa; h=sha1:sha256; s=email; t=y:s:x; n=hi; p={RSA_1024_SPKI}"
        ))
        .unwrap();
        assert!(record.testing && record.strict && record.allows_sha256);
        assert_eq!(record.notes.as_deref(), Some("hi"));
        assert!(
            !KeyRecord::parse(&format!("h=sha1; p={RSA_1024_SPKI}"))
                .unwrap()
                .allows_sha256
        );
        assert_eq!(
            KeyRecord::parse(&format!("s=tlsrpt; p={RSA_1024_SPKI}")),
            Err(Error::KeyNotForEmail)
        );
    }

    #[test]
    fn errors() {
        assert_eq!(KeyRecord::parse("v=DKIM1; p="), Err(Error::KeyRevoked));
        assert_eq!(KeyRecord::parse("v=DKIM1; p= \t"), Err(Error::KeyRevoked));
        assert!(matches!(
            KeyRecord::parse(&format!("v=DKIM2; p={RSA_1024_SPKI}")),
            Err(Error::InvalidTag { tag: "v", .. })
        ));
        assert!(matches!(
            KeyRecord::parse(&format!("p={RSA_1024_SPKI}; v=DKIM1")),
            Err(Error::InvalidTag { tag: "v", .. })
        ));
        assert!(matches!(
            KeyRecord::parse(&format!("k=dsa; p={RSA_1024_SPKI}")),
            Err(Error::InvalidTag { tag: "k", .. })
        ));
        assert!(matches!(
            KeyRecord::parse("v=DKIM1; p=AAAA"),
            Err(Error::BadPublicKey { .. })
        ));
        assert!(matches!(
            KeyRecord::parse(&format!("k=ed25519; p={RSA_1024_SPKI}")),
            Err(Error::BadPublicKey { .. })
        ));
        assert!(matches!(
            KeyRecord::parse("v=DKIM1; k=rsa"),
            Err(Error::MissingTag { tag: "p", .. })
        ));
    }
}
