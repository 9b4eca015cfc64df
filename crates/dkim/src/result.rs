//! Verification results in the vocabulary of RFC 8601 §2.7.1.

use std::fmt;

use crate::error::Error;
use crate::signature::Signature;

/// The result of checking one DKIM signature (RFC 8601 §2.7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DkimResult {
    /// The signature verified.
    Pass,
    /// The signature or the body hash did not match: the message changed, or was forged.
    Fail,
    /// The signature could not be processed for a reason not covered by the others.
    Neutral,
    /// The signature verified or was not checked, but this verifier does not accept it: an
    /// `l=` that leaves content unsigned, or a signature past the per-message limit.
    Policy,
    /// A temporary failure, such as a DNS timeout: trying later may succeed.
    TempError,
    /// The signature or its key is broken, missing or not acceptable.
    PermError,
}

impl fmt::Display for DkimResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Neutral => "neutral",
            Self::Policy => "policy",
            Self::TempError => "temperror",
            Self::PermError => "permerror",
        })
    }
}

/// What verifying one DKIM-Signature field found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureResult {
    /// The RFC 8601 result.
    pub result: DkimResult,
    /// Why the result is not `pass`; `None` for a pass.
    pub error: Option<Error>,
    /// The signature, when it could be parsed.
    pub signature: Option<Signature>,
    /// `d=`, as written, when it could be read even if the signature could not be parsed.
    pub domain: Option<String>,
    /// `s=`, as written, when it could be read.
    pub selector: Option<String>,
    /// The key has `t=y`: the domain is testing DKIM (RFC 6376 §3.6.1).
    pub testing: bool,
}

impl SignatureResult {
    /// A human-readable reason, for logs and the Authentication-Results header.
    pub fn reason(&self) -> String {
        match &self.error {
            Some(error) => error.to_string(),
            None if self.testing => "signature verified (key in testing mode)".to_owned(),
            None => "signature verified".to_owned(),
        }
    }
}
