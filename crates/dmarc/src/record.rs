//! DMARC policy records (RFC 9989 §4.7, with the RFC 7489 §6.3 tags it retired).
//!
//! ```text
//! dmarc-record = dmarc-version *( dmarc-sep dmarc-tag ) [ dmarc-sep ]
//! dmarc-version = "v" *WSP "=" *WSP %s"DMARC1"
//! dmarc-sep    = *WSP ";" *WSP
//! ```

use std::fmt;

use crate::error::{Error, TagProblem, shorten};

/// What the domain owner asks receivers to do with mail that fails DMARC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Policy {
    /// `none`: deliver as usual; the owner only wants reports.
    None,
    /// `quarantine`: treat as suspicious (a Junk folder).
    Quarantine,
    /// `reject`: refuse during the SMTP transaction.
    Reject,
}

impl Policy {
    fn parse(value: &str) -> Option<Self> {
        match value.to_ascii_lowercase().as_str() {
            "none" => Some(Self::None),
            "quarantine" => Some(Self::Quarantine),
            "reject" => Some(Self::Reject),
            _ => None,
        }
    }

    /// The name used in records and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Quarantine => "quarantine",
            Self::Reject => "reject",
        }
    }
}

/// How closely an authenticated domain must match the From domain (`adkim=`, `aspf=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Alignment {
    /// `r` (the default): the same organizational domain.
    #[default]
    Relaxed,
    /// `s`: exactly the same domain.
    Strict,
}

/// A parsed DMARC record. Tags with invalid values are left at their defaults and listed in
/// [`Record::problems`] (RFC 7489 §6.3: such errors are discarded, not fatal).
///
/// ```
/// use mailroom_dmarc::{Alignment, Policy, Record};
/// let record = Record::parse("v=DMARC1; p=quarantine; sp=reject; adkim=s; rua=mailto:d@example.org; pct=50")?;
/// assert_eq!(record.policy, Some(Policy::Quarantine));
/// assert_eq!(record.subdomain_policy, Some(Policy::Reject));
/// assert_eq!(record.dkim_alignment, Alignment::Strict);
/// assert_eq!(record.percent, Some(50));
/// assert!(record.problems.is_empty());
/// # Ok::<(), mailroom_dmarc::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    /// `p=`; `None` when missing or invalid (the evaluator then applies RFC 9989's rule).
    pub policy: Option<Policy>,
    /// `sp=`: the policy for subdomains.
    pub subdomain_policy: Option<Policy>,
    /// `np=` (RFC 9989): the policy for subdomains that do not exist.
    pub nonexistent_policy: Option<Policy>,
    /// `psd=` (RFC 9989): `Some(true)` for a public suffix domain, `Some(false)` for an
    /// organizational domain, `None` when unknown or absent.
    pub psd: Option<bool>,
    /// `t=y` (RFC 9989): the owner is testing; a failing policy is applied one step milder.
    pub testing: bool,
    /// `adkim=`.
    pub dkim_alignment: Alignment,
    /// `aspf=`.
    pub spf_alignment: Alignment,
    /// `rua=`: where aggregate reports go.
    pub aggregate_uris: Vec<String>,
    /// `ruf=`: where failure reports go.
    pub failure_uris: Vec<String>,
    /// `fo=`: failure reporting options (`0`, `1`, `d`, `s`), as written.
    pub failure_options: Vec<String>,
    /// `pct=` (RFC 7489): the percentage of failing mail the policy applies to.
    pub percent: Option<u8>,
    /// `rf=` (RFC 7489): failure report formats, as written.
    pub report_format: Option<String>,
    /// `ri=` (RFC 7489): the requested aggregate report interval in seconds.
    pub report_interval: Option<u32>,
    /// Tags that were malformed or had invalid values, and were ignored.
    pub problems: Vec<Error>,
}

impl Record {
    /// Whether a TXT record is a DMARC record: `v=DMARC1`, then `;`, white space or nothing.
    pub fn is_dmarc(text: &[u8]) -> bool {
        let Some(rest) = text.strip_prefix(b"v") else {
            return false;
        };
        let rest = trim_start_wsp(rest);
        let Some(rest) = rest.strip_prefix(b"=") else {
            return false;
        };
        let rest = trim_start_wsp(rest);
        rest.strip_prefix(b"DMARC1").is_some_and(|after| {
            after
                .first()
                .is_none_or(|&c| c == b';' || c == b' ' || c == b'\t')
        })
    }

    /// Parses a record.
    ///
    /// # Errors
    ///
    /// [`Error::NotDmarc`] when the text does not start with `v=DMARC1`. Problems with other
    /// tags do not fail the parse; they are listed in [`Record::problems`].
    pub fn parse(text: &str) -> Result<Self, Error> {
        if !Self::is_dmarc(text.as_bytes()) {
            return Err(Error::NotDmarc);
        }
        let mut record = Self::default();
        let mut seen: Vec<String> = Vec::new();
        let mut offset = 0;
        for (index, spec) in text.split(';').enumerate() {
            let start = offset;
            offset += spec.len() + 1;
            if index == 0 || spec.trim().is_empty() {
                continue;
            }
            let Some((name, value)) = spec.split_once('=') else {
                record.problems.push(Error::TagSyntax {
                    offset: start,
                    problem: TagProblem::MissingEquals,
                });
                continue;
            };
            let name = name.trim();
            let value = value.trim();
            let valid_name = name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid_name {
                record.problems.push(Error::TagSyntax {
                    offset: start,
                    problem: TagProblem::BadName,
                });
                continue;
            }
            let lower = name.to_ascii_lowercase();
            if seen.contains(&lower) {
                record.problems.push(Error::DuplicateTag { tag: lower });
                continue;
            }
            seen.push(lower.clone());
            record.apply(&lower, value);
        }
        Ok(record)
    }

    fn apply(&mut self, name: &str, value: &str) {
        let mut invalid = |tag: &'static str| {
            self.problems.push(Error::InvalidTag {
                tag,
                value: shorten(value),
            });
        };
        match name {
            "p" => match Policy::parse(value) {
                Some(p) => self.policy = Some(p),
                None => invalid("p"),
            },
            "sp" => match Policy::parse(value) {
                Some(p) => self.subdomain_policy = Some(p),
                None => invalid("sp"),
            },
            "np" => match Policy::parse(value) {
                Some(p) => self.nonexistent_policy = Some(p),
                None => invalid("np"),
            },
            "psd" => match value.to_ascii_lowercase().as_str() {
                "y" => self.psd = Some(true),
                "n" => self.psd = Some(false),
                "u" => self.psd = None,
                _ => invalid("psd"),
            },
            "t" => match value.to_ascii_lowercase().as_str() {
                "y" => self.testing = true,
                "n" => self.testing = false,
                _ => invalid("t"),
            },
            "adkim" | "aspf" => {
                let mode = match value.to_ascii_lowercase().as_str() {
                    "r" => Alignment::Relaxed,
                    "s" => Alignment::Strict,
                    _ => {
                        invalid(if name == "adkim" { "adkim" } else { "aspf" });
                        return;
                    }
                };
                if name == "adkim" {
                    self.dkim_alignment = mode;
                } else {
                    self.spf_alignment = mode;
                }
            }
            "rua" | "ruf" => {
                let uris: Vec<String> = value
                    .split(',')
                    .map(|u| u.trim().to_owned())
                    .filter(|u| !u.is_empty())
                    .collect();
                // A URI has a scheme (RFC 3986 §3.1); reports go to mailto: in practice.
                if uris.is_empty() || uris.iter().any(|u| !u.contains(':')) {
                    invalid(if name == "rua" { "rua" } else { "ruf" });
                    return;
                }
                if name == "rua" {
                    self.aggregate_uris = uris;
                } else {
                    self.failure_uris = uris;
                }
            }
            "fo" => {
                let options: Vec<String> = value.split(':').map(|o| o.trim().to_owned()).collect();
                if options
                    .iter()
                    .all(|o| matches!(o.as_str(), "0" | "1" | "d" | "s"))
                {
                    self.failure_options = options;
                } else {
                    invalid("fo");
                }
            }
            "pct" => match value.parse::<u8>() {
                Ok(p) if p <= 100 => self.percent = Some(p),
                _ => invalid("pct"),
            },
            "rf" => self.report_format = Some(value.to_owned()),
            "ri" => match value.parse::<u32>() {
                Ok(ri) => self.report_interval = Some(ri),
                Err(_) => invalid("ri"),
            },
            // RFC 9989 §4.7: unknown tags are ignored.
            _ => {}
        }
    }
}

fn trim_start_wsp(bytes: &[u8]) -> &[u8] {
    let skip = bytes
        .iter()
        .take_while(|&&c| c == b' ' || c == b'\t')
        .count();
    &bytes[skip..]
}

impl fmt::Display for Record {
    /// Writes the record with the tags it holds, in a fixed order (problems are not written).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("v=DMARC1")?;
        if let Some(p) = self.policy {
            write!(f, "; p={}", p.as_str())?;
        }
        if let Some(p) = self.subdomain_policy {
            write!(f, "; sp={}", p.as_str())?;
        }
        if let Some(p) = self.nonexistent_policy {
            write!(f, "; np={}", p.as_str())?;
        }
        if let Some(psd) = self.psd {
            write!(f, "; psd={}", if psd { "y" } else { "n" })?;
        }
        if self.testing {
            f.write_str("; t=y")?;
        }
        if self.dkim_alignment == Alignment::Strict {
            f.write_str("; adkim=s")?;
        }
        if self.spf_alignment == Alignment::Strict {
            f.write_str("; aspf=s")?;
        }
        if !self.aggregate_uris.is_empty() {
            write!(f, "; rua={}", self.aggregate_uris.join(","))?;
        }
        if !self.failure_uris.is_empty() {
            write!(f, "; ruf={}", self.failure_uris.join(","))?;
        }
        if !self.failure_options.is_empty() {
            write!(f, "; fo={}", self.failure_options.join(":"))?;
        }
        if let Some(pct) = self.percent {
            write!(f, "; pct={pct}")?;
        }
        if let Some(rf) = &self.report_format {
            write!(f, "; rf={rf}")?;
        }
        if let Some(ri) = self.report_interval {
            write!(f, "; ri={ri}")?;
        }
        Ok(())
    }
}
