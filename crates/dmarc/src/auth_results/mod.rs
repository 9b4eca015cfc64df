//! The Authentication-Results header field (RFC 8601): produced from SPF, DKIM and DMARC
//! results, and parsed, so that a receiver can read (or strip) what another host claimed.
//!
//! It lives in this crate because DMARC is where the three results meet: the server and
//! `mailauth verify` build the header from one [`AuthenticationResults`] value.
//!
//! Rendering is safe against header injection: names are reduced to RFC 8601 keywords, values
//! that are not tokens are quoted, and no control character (CR, LF among them) ever reaches
//! the output.

mod parse;
mod render;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

pub use parse::authserv_id;

/// An Authentication-Results header field: who checked, and what each check found.
///
/// ```
/// use mailroom_dmarc::{AuthenticationResults, MethodResult};
/// let mut results = AuthenticationResults::new("mx.example.org");
/// results.push(MethodResult::new("spf", "pass").property("smtp", "mailfrom", "example.com"));
/// assert_eq!(results.value(), "mx.example.org; spf=pass smtp.mailfrom=example.com");
///
/// let parsed = AuthenticationResults::parse(&results.value())?;
/// assert_eq!(parsed, results);
/// # Ok::<(), mailroom_dmarc::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthenticationResults {
    /// The host (or administrative domain) that made the checks (RFC 8601 §2.5).
    pub authserv_id: String,
    /// One entry per check, in order; empty renders as `none` (RFC 8601 §2.2).
    pub results: Vec<MethodResult>,
}

/// One check in an Authentication-Results field: `method=result (comment) reason="…"
/// ptype.property=value …` (RFC 8601 §2.2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MethodResult {
    /// The method (`spf`, `dkim`, `dmarc`, …), in lower case.
    pub method: String,
    /// The result (`pass`, `fail`, …), in lower case.
    pub result: String,
    /// A comment after the result, for people reading the header.
    pub comment: Option<String>,
    /// The `reason=` text (RFC 8601 §2.2).
    pub reason: Option<String>,
    /// The properties, in order.
    pub properties: Vec<Property>,
}

/// A `ptype.property=value` item of a result (RFC 8601 §2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// `smtp`, `header`, `body` or `policy` (or a newer registered type), in lower case.
    pub ptype: String,
    /// The property name (`mailfrom`, `d`, `from`, …), in lower case.
    pub name: String,
    /// The value, unquoted.
    pub value: String,
}

impl AuthenticationResults {
    /// An empty field for `authserv_id`.
    pub fn new(authserv_id: impl Into<String>) -> Self {
        Self {
            authserv_id: authserv_id.into(),
            results: Vec::new(),
        }
    }

    /// The field a receiver writes after checking a message: SPF for `identity`, every DKIM
    /// signature (`dkim=none` when there is none), and DMARC.
    pub fn of_checks(
        authserv_id: impl Into<String>,
        spf: &mailroom_spf::SpfOutput,
        identity: mailroom_spf::Identity,
        dkim: &[mailroom_dkim::SignatureResult],
        dmarc: &crate::DmarcCheck,
    ) -> Self {
        let mut results = Self::new(authserv_id);
        results.push(MethodResult::spf(spf, identity));
        if dkim.is_empty() {
            results.push(MethodResult::new("dkim", "none").comment("no DKIM-Signature"));
        }
        results.results.extend(dkim.iter().map(MethodResult::dkim));
        results.push(MethodResult::dmarc(dmarc));
        results
    }

    /// Adds one check's result.
    pub fn push(&mut self, result: MethodResult) {
        self.results.push(result);
    }

    /// The results of one method, in order.
    pub fn method<'a>(&'a self, method: &'a str) -> impl Iterator<Item = &'a MethodResult> + 'a {
        self.results
            .iter()
            .filter(move |r| r.method.eq_ignore_ascii_case(method))
    }
}

impl MethodResult {
    /// A result with no comment, reason or properties.
    pub fn new(method: impl Into<String>, result: impl Into<String>) -> Self {
        Self {
            method: method.into(),
            result: result.into(),
            ..Self::default()
        }
    }

    /// Adds a `ptype.name=value` property.
    #[must_use]
    pub fn property(
        mut self,
        ptype: impl Into<String>,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.properties.push(Property {
            ptype: ptype.into(),
            name: name.into(),
            value: value.into(),
        });
        self
    }

    /// Sets the comment.
    #[must_use]
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// Sets the `reason=` text.
    #[must_use]
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// The value of the property `ptype.name`, if present (names compared without case).
    pub fn get(&self, ptype: &str, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|p| p.ptype.eq_ignore_ascii_case(ptype) && p.name.eq_ignore_ascii_case(name))
            .map(|p| p.value.as_str())
    }

    /// The `spf=` result of an SPF check (RFC 8601 §2.7.2): `smtp.mailfrom` or `smtp.helo`,
    /// with the explanation or error as the comment.
    pub fn spf(out: &mailroom_spf::SpfOutput, identity: mailroom_spf::Identity) -> Self {
        let property = match identity {
            mailroom_spf::Identity::MailFrom => "mailfrom",
            mailroom_spf::Identity::Helo => "helo",
        };
        let mut result =
            Self::new("spf", out.result.to_string()).property("smtp", property, &out.domain);
        if let Some(error) = &out.error {
            result.comment = Some(error.to_string());
        } else if let Some(mechanism) = &out.mechanism {
            result.comment = Some(format!("matched {mechanism}"));
        }
        result
    }

    /// The `dkim=` result of one signature (RFC 8601 §2.7.1, RFC 6008): `header.d`, `header.i`,
    /// `header.s`, `header.a` and the first 8 characters of `header.b`, with the reason as the
    /// comment when it is not a pass.
    pub fn dkim(signature: &mailroom_dkim::SignatureResult) -> Self {
        let mut result = Self::new("dkim", signature.result.to_string());
        if let Some(sig) = &signature.signature {
            result = result
                .property("header", "d", &sig.domain)
                .property("header", "i", sig.auid())
                .property("header", "s", &sig.selector)
                .property("header", "a", sig.algorithm.to_string());
            // RFC 6008: enough of b= to tell signatures with the same d= apart.
            let b = BASE64.encode(&sig.signature);
            if let Some(prefix) = b.get(..8) {
                result = result.property("header", "b", prefix);
            }
        } else {
            if let Some(domain) = &signature.domain {
                result = result.property("header", "d", domain);
            }
            if let Some(selector) = &signature.selector {
                result = result.property("header", "s", selector);
            }
        }
        if signature.error.is_some() || signature.testing {
            result.comment = Some(signature.reason());
        }
        result
    }
}
