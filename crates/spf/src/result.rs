//! The results of RFC 7208 §2.6, as RFC 8601 names them.

use std::fmt;
use std::str::FromStr;

/// The result of an SPF check (RFC 7208 §2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpfResult {
    /// No SPF record, or no usable domain to check (§2.6.1).
    None,
    /// The domain makes no assertion about the client (§2.6.2).
    Neutral,
    /// The client is authorized (§2.6.3).
    Pass,
    /// The client is not authorized (§2.6.4).
    Fail,
    /// The client is probably not authorized (§2.6.5).
    SoftFail,
    /// A transient, generally DNS, error (§2.6.6).
    TempError,
    /// The record could not be interpreted (§2.6.7).
    PermError,
}

impl SpfResult {
    /// The name RFC 7208 and RFC 8601 use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Neutral => "neutral",
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::SoftFail => "softfail",
            Self::TempError => "temperror",
            Self::PermError => "permerror",
        }
    }
}

impl fmt::Display for SpfResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SpfResult {
    type Err = ();

    /// Reads a result name, without regard to case.
    fn from_str(text: &str) -> Result<Self, ()> {
        Ok(match text.to_ascii_lowercase().as_str() {
            "none" => Self::None,
            "neutral" => Self::Neutral,
            "pass" => Self::Pass,
            "fail" => Self::Fail,
            "softfail" => Self::SoftFail,
            "temperror" => Self::TempError,
            "permerror" => Self::PermError,
            _ => return Err(()),
        })
    }
}
