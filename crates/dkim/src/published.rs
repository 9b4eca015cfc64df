//! Checking a published key record (RFC 6376 §3.6.1, §3.6.2.2): what verifiers will find at a
//! selector, and whether it is the key a signer holds. Run before signing with a new key and
//! after publishing it, as OpenDKIM's users run `opendkim-testkey`.

use std::fmt;

use mailroom_dns::{Answer, DnsError, Resolver};

use crate::error::{Error, Record};
use crate::key::{KeyRecord, MIN_RSA_BITS, PublicKey};
use crate::signing_key::SigningKey;
use crate::verify::DEFAULT_MAX_KEY_RECORD_LEN;

/// The smallest RSA key a signer should use (RFC 8301 §3.2): verifiers accept from 1024 bits.
const RECOMMENDED_RSA_BITS: usize = 2048;

/// What a check of a published key record found: where it looked, the record verifiers will use
/// (if one parses), and what is wrong or worth knowing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyCheck {
    /// The name looked up, `<selector>._domainkey.<domain>`, in A-labels.
    pub name: String,
    /// The record verifiers will use: the first that parses (§3.6.2.2).
    pub record: Option<KeyRecord>,
    /// What was found, problems and warnings, in the order found.
    pub findings: Vec<Finding>,
}

impl KeyCheck {
    /// Whether signatures made with the key will verify everywhere: no finding is a problem.
    pub fn is_ok(&self) -> bool {
        !self.findings.iter().any(Finding::is_problem)
    }
}

/// One thing a check found about a published key record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Finding {
    /// Nothing is published at the name (NXDOMAIN, or no TXT record).
    NotPublished,
    /// The lookup failed; verifiers give `temperror` while it does.
    LookupFailed(DnsError),
    /// No record at the name can be used, for this reason (the first record's).
    Unusable(Error),
    /// Several TXT records are published at the name. Verifiers may use any of them (§3.6.2.2),
    /// so a signature verifies at some and fails at others unless all hold the same key.
    SeveralRecords(usize),
    /// `t=y`: the domain says it is testing DKIM; some verifiers then ignore failures.
    Testing,
    /// An RSA key too small for verifiers to accept (RFC 8301 §3.2).
    RsaTooSmall {
        /// The modulus length.
        bits: usize,
    },
    /// An RSA key verifiers accept, but smaller than signers should use (RFC 8301 §3.2).
    RsaUnder2048 {
        /// The modulus length.
        bits: usize,
    },
    /// `h=` leaves out sha256, the only hash a signature may use (RFC 8301 §3.1).
    NoSha256,
    /// The published key is not the signing key's: its signatures will fail.
    OtherKey,
}

impl Finding {
    /// Whether this stops signatures from verifying somewhere; the others are warnings.
    pub fn is_problem(&self) -> bool {
        !matches!(self, Self::Testing | Self::RsaUnder2048 { .. })
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotPublished => write!(
                f,
                "no key record is published: every signature gets permerror"
            ),
            Self::LookupFailed(error) => {
                write!(f, "{error}: verifiers give temperror until it answers")
            }
            Self::Unusable(error) => write!(f, "the record cannot be used: {error}"),
            Self::SeveralRecords(count) => write!(
                f,
                "{count} TXT records are published: verifiers may use any of them, so keep one"
            ),
            Self::Testing => write!(
                f,
                "t=y: the domain says it is testing DKIM, and some verifiers ignore failures"
            ),
            Self::RsaTooSmall { bits } => write!(
                f,
                "a {bits}-bit RSA key: verifiers refuse keys under {MIN_RSA_BITS} bits (RFC 8301)"
            ),
            Self::RsaUnder2048 { bits } => write!(
                f,
                "a {bits}-bit RSA key: signers should use {RECOMMENDED_RSA_BITS} bits or more \
                 (RFC 8301)"
            ),
            Self::NoSha256 => write!(
                f,
                "h= leaves out sha256, so no signature can use the key (RFC 8301)"
            ),
            Self::OtherKey => write!(
                f,
                "the published key is not the signing key: its signatures will fail"
            ),
        }
    }
}

/// Looks up the key record at `<selector>._domainkey.<domain>` as a verifier would and checks
/// it; given the signing key, also that the record publishes it.
///
/// ```
/// use mailroom_dkim::{SigningKey, published::{Finding, check_published_key}};
/// use mailroom_dns::Zone;
///
/// let key = SigningKey::ed25519_from_seed(&[7; 32]);
/// let zone = Zone::from_text(&format!("mail._domainkey.example.org. TXT \"{}\"", key.dns_record()))?;
/// let check = futures::executor::block_on(check_published_key(&zone, "example.org", "mail", Some(&key)))?;
/// assert!(check.is_ok());
///
/// let other = SigningKey::ed25519_from_seed(&[8; 32]);
/// let check = futures::executor::block_on(check_published_key(&zone, "example.org", "mail", Some(&other)))?;
/// assert_eq!(check.findings, [Finding::OtherKey]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidTag`] when the domain or selector is not a domain name.
pub async fn check_published_key<R: Resolver>(
    resolver: &R,
    domain: &str,
    selector: &str,
    key: Option<&SigningKey>,
) -> Result<KeyCheck, Error> {
    let name = key_name(domain, selector)?;
    let mut check = KeyCheck {
        name,
        record: None,
        findings: Vec::new(),
    };
    let records = match resolver.txt(&check.name).await {
        Ok(Answer::Records(records)) => records,
        Ok(Answer::NoData | Answer::NxDomain) => {
            check.findings.push(Finding::NotPublished);
            return Ok(check);
        }
        Err(error) => {
            check.findings.push(Finding::LookupFailed(error));
            return Ok(check);
        }
    };
    if records.len() > 1 {
        check.findings.push(Finding::SeveralRecords(records.len()));
    }
    let mut first_error = None;
    for record in &records {
        match parse(&check.name, &record.joined()) {
            Ok(parsed) => {
                check.record = Some(parsed);
                break;
            }
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    let Some(record) = &check.record else {
        if let Some(error) = first_error {
            check.findings.push(Finding::Unusable(error));
        }
        return Ok(check);
    };
    if record.testing {
        check.findings.push(Finding::Testing);
    }
    if let PublicKey::Rsa { bits, .. } = record.key {
        if bits < MIN_RSA_BITS {
            check.findings.push(Finding::RsaTooSmall { bits });
        } else if bits < RECOMMENDED_RSA_BITS {
            check.findings.push(Finding::RsaUnder2048 { bits });
        }
    }
    if !record.allows_sha256 {
        check.findings.push(Finding::NoSha256);
    }
    if let Some(key) = key {
        let ours = PublicKey::from_bytes(key.key_type(), &key.public_key(), Record::Key);
        if ours.as_ref() != Ok(&record.key) {
            check.findings.push(Finding::OtherKey);
        }
    }
    Ok(check)
}

/// `<selector>._domainkey.<domain>` in A-labels (RFC 8616 §4), once both are checked to be
/// names as a signature's `s=` and `d=` must be.
fn key_name(domain: &str, selector: &str) -> Result<String, Error> {
    for (tag, value) in [("d", domain), ("s", selector)] {
        if !crate::signature::is_domain_name(value) {
            return Err(Error::InvalidTag {
                record: Record::Signature,
                tag,
                value: value.to_owned(),
            });
        }
    }
    let name = format!("{selector}._domainkey.{domain}");
    mailroom_dns::to_ascii(&name).map_err(|_| Error::InvalidTag {
        record: Record::Signature,
        tag: "d",
        value: domain.to_owned(),
    })
}

/// A record's text parsed as verifiers parse it, with the size cap they apply by default.
fn parse(name: &str, text: &[u8]) -> Result<KeyRecord, Error> {
    if text.len() > DEFAULT_MAX_KEY_RECORD_LEN {
        return Err(Error::KeyRecordTooLarge {
            name: name.to_owned(),
            len: text.len(),
            limit: DEFAULT_MAX_KEY_RECORD_LEN,
        });
    }
    KeyRecord::parse_txt(text)
}
