//! A record prepared for `check_host()`: what the evaluator walks on every check of a domain,
//! built once per record text and kept with the parsed record.

use std::sync::Arc;

use crate::macros::MacroString;
use crate::record::{Mechanism, Qualifier, Record, Term};
use crate::result::SpfResult;

/// A domain's SPF record in the form evaluation wants: the directives with the result a match
/// gives and their text for reporting, and the modifiers that apply.
#[derive(Debug)]
pub(crate) struct Policy {
    /// The directives, left to right.
    pub(crate) rules: Vec<Rule>,
    /// `redirect=`, kept only when the record has no `all`, which makes it ignored (§6.1).
    pub(crate) redirect: Option<MacroString>,
    /// `exp=`, for the explanation of a fail (§6.2).
    pub(crate) explanation: Option<MacroString>,
}

/// One directive, prepared.
#[derive(Debug)]
pub(crate) struct Rule {
    /// What is matched.
    pub(crate) mechanism: Mechanism,
    /// The result when it matches (§4.6.2).
    pub(crate) result: SpfResult,
    /// The directive as written, reported when it decides the checked domain's result.
    pub(crate) text: Arc<str>,
}

impl Policy {
    /// Prepares a parsed record.
    pub(crate) fn new(record: &Record) -> Self {
        let rules: Vec<Rule> = record
            .directives()
            .map(|directive| Rule {
                mechanism: directive.mechanism.clone(),
                result: match directive.qualifier {
                    Qualifier::Pass => SpfResult::Pass,
                    Qualifier::Fail => SpfResult::Fail,
                    Qualifier::SoftFail => SpfResult::SoftFail,
                    Qualifier::Neutral => SpfResult::Neutral,
                },
                text: directive.to_string().into(),
            })
            .collect();
        let has_all = rules.iter().any(|r| matches!(r.mechanism, Mechanism::All));
        let modifier = |wanted: fn(&Term) -> Option<&MacroString>| {
            record.terms.iter().find_map(wanted).cloned()
        };
        Self {
            redirect: if has_all {
                None
            } else {
                modifier(|t| match t {
                    Term::Redirect(target) => Some(target),
                    _ => None,
                })
            },
            explanation: modifier(|t| match t {
                Term::Explanation(target) => Some(target),
                _ => None,
            }),
            rules,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_is_dropped_beside_all() {
        let with_all =
            Policy::new(&Record::parse("v=spf1 -all redirect=_spf.example.com").unwrap());
        assert!(with_all.redirect.is_none());
        let without = Policy::new(&Record::parse("v=spf1 a redirect=_spf.example.com").unwrap());
        assert_eq!(
            without.redirect.map(|r| r.to_string()).as_deref(),
            Some("_spf.example.com")
        );
    }

    #[test]
    fn rules_keep_their_text_and_result() {
        let policy = Policy::new(
            &Record::parse("v=spf1 ~ip4:192.0.2.0/24 exp=why.%{d} ?mx/24 -all").unwrap(),
        );
        let texts: Vec<&str> = policy.rules.iter().map(|r| &*r.text).collect();
        assert_eq!(texts, ["~ip4:192.0.2.0/24", "?mx/24", "-all"]);
        let results: Vec<SpfResult> = policy.rules.iter().map(|r| r.result).collect();
        assert_eq!(
            results,
            [SpfResult::SoftFail, SpfResult::Neutral, SpfResult::Fail]
        );
        assert!(policy.explanation.is_some());
    }
}
