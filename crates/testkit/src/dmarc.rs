//! The DMARC cases of `dmarc/authheaders/cases.yaml`: their DNS and expected headers.

use std::collections::BTreeMap;

use mailroom_dns::{RecordData, Txt, Zone};
use serde::Deserialize;

/// The whole case file.
#[derive(Debug, Deserialize)]
pub struct AuthheadersCases {
    /// TXT records by name: a string is a record, `null` means the name does not exist.
    pub dns: BTreeMap<String, Option<String>>,
    /// The cases.
    pub cases: Vec<AuthheadersCase>,
    /// `[From value, author domain]` pairs.
    pub from_domain_extraction: Vec<(String, String)>,
}

/// One message and the Authentication-Results header authheaders produced for it.
#[derive(Debug, Deserialize)]
pub struct AuthheadersCase {
    /// The case's name.
    pub name: String,
    /// The message file, beside cases.yaml.
    pub message: String,
    /// `dkim`, `dmarc`: what was checked.
    pub checks: Vec<String>,
    /// An earlier Authentication-Results field whose DKIM results are used instead of
    /// verifying.
    #[serde(default)]
    pub prev_ar: Option<String>,
    /// The expected header field.
    pub expected_ar: String,
    /// Where RFC 7489 alone would answer differently.
    #[serde(default)]
    pub rfc7489_note: Option<String>,
}

/// Reads `dmarc/authheaders/cases.yaml`.
///
/// # Panics
///
/// When the file is missing or malformed.
pub fn authheaders_cases() -> AuthheadersCases {
    let text = crate::read_text("dmarc/authheaders/cases.yaml");
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("cases.yaml: {e}"))
}

impl AuthheadersCases {
    /// The zone the cases ran against: each string becomes one TXT record (an empty string
    /// makes the name exist without a DMARC record).
    ///
    /// # Panics
    ///
    /// On a name the zone refuses.
    pub fn zone(&self) -> Zone {
        let mut zone = Zone::new();
        for (name, value) in &self.dns {
            if let Some(value) = value {
                zone.insert(name, RecordData::Txt(Txt::new([value.as_str()])))
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
            }
        }
        zone
    }
}
