//! The record grammar of RFC 7208 §12.
//!
//! ```text
//! record     = version terms *SP
//! version    = "v=spf1"
//! terms      = *( 1*SP ( directive / modifier ) )
//! directive  = [ qualifier ] mechanism
//! modifier   = redirect / explanation / unknown-modifier
//! unknown-modifier = name "=" macro-string
//! name       = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
//! ip4-cidr-length  = "/" ("0" / %x31-39 0*1DIGIT)   ; 0-32
//! ip6-cidr-length  = "/" ("0" / %x31-39 0*2DIGIT)   ; 0-128
//! dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]
//! ```

use std::str::FromStr;

use super::{Directive, DualCidr, Mechanism, Qualifier, Record, Term};
use crate::error::{Error, shorten};
use crate::macros::MacroString;

impl FromStr for Record {
    type Err = Error;

    /// Parses a record that starts with `v=spf1`.
    fn from_str(text: &str) -> Result<Self, Error> {
        Self::parse(text)
    }
}

impl Record {
    /// Whether a TXT record is an SPF record: `v=spf1` (in any case), then a space or nothing
    /// (RFC 7208 §4.5).
    pub fn is_spf(text: &[u8]) -> bool {
        text.len() >= 6
            && text[..6].eq_ignore_ascii_case(b"v=spf1")
            && text.get(6).is_none_or(|&c| c == b' ')
    }

    /// Parses a record. Any syntax error anywhere makes the whole record invalid (§4.6).
    ///
    /// # Errors
    ///
    /// The first bad term, named.
    pub fn parse(text: &str) -> Result<Self, Error> {
        if !Self::is_spf(text.as_bytes()) {
            return Err(syntax(text, "the record does not start with v=spf1"));
        }
        let mut terms = Vec::new();
        let (mut redirects, mut explanations) = (0, 0);
        for token in text[6..].split(' ').filter(|t| !t.is_empty()) {
            let term = parse_term(token)?;
            match term {
                Term::Redirect(_) => redirects += 1,
                Term::Explanation(_) => explanations += 1,
                _ => {}
            }
            if redirects > 1 {
                return Err(Error::DuplicateModifier { name: "redirect" });
            }
            if explanations > 1 {
                return Err(Error::DuplicateModifier { name: "exp" });
            }
            terms.push(term);
        }
        Ok(Self { terms })
    }
}

fn syntax(term: &str, problem: &'static str) -> Error {
    Error::Syntax {
        term: shorten(term),
        problem,
    }
}

fn parse_term(token: &str) -> Result<Term, Error> {
    // A modifier is `name=`, where the name starts with a letter and holds no `:` or `/`.
    if let Some((name, value)) = token.split_once('=') {
        let is_name = name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if is_name {
            let value = MacroString::parse(value)?;
            return Ok(match name.to_ascii_lowercase().as_str() {
                "redirect" => Term::Redirect(domain_spec(token, value)?),
                "exp" => Term::Explanation(domain_spec(token, value)?),
                _ => Term::Unknown {
                    name: name.to_owned(),
                    value,
                },
            });
        }
    }
    let (qualifier, rest) = match token.as_bytes()[0] {
        b'+' => (Qualifier::Pass, &token[1..]),
        b'-' => (Qualifier::Fail, &token[1..]),
        b'~' => (Qualifier::SoftFail, &token[1..]),
        b'?' => (Qualifier::Neutral, &token[1..]),
        _ => (Qualifier::Pass, token),
    };
    let name_end = rest.find([':', '/']).unwrap_or(rest.len());
    let (name, args) = rest.split_at(name_end);
    let mechanism = match name.to_ascii_lowercase().as_str() {
        "all" => {
            no_args(token, args)?;
            Mechanism::All
        }
        "include" => Mechanism::Include(required_domain(token, args)?),
        "exists" => Mechanism::Exists(required_domain(token, args)?),
        "a" => {
            let (domain, cidr) = domain_and_cidr(token, args)?;
            Mechanism::A { domain, cidr }
        }
        "mx" => {
            let (domain, cidr) = domain_and_cidr(token, args)?;
            Mechanism::Mx { domain, cidr }
        }
        "ptr" => {
            let (domain, cidr) = domain_and_cidr(token, args)?;
            if cidr != DualCidr::default() {
                return Err(syntax(token, "ptr takes no prefix length"));
            }
            Mechanism::Ptr(domain)
        }
        "ip4" => {
            let network = args
                .strip_prefix(':')
                .ok_or_else(|| syntax(token, "ip4 needs an address"))?;
            let (addr, prefix) = match network.split_once('/') {
                Some((addr, len)) => (addr, Some(prefix_len(token, len, 32)?)),
                None => (network, None),
            };
            // Only the dotted-quad form (RFC 7208 §5.6, ip4-network).
            if addr.split('.').count() != 4 {
                return Err(syntax(token, "not an IPv4 address"));
            }
            Mechanism::Ip4 {
                addr: addr
                    .parse()
                    .map_err(|_| syntax(token, "not an IPv4 address"))?,
                prefix,
            }
        }
        "ip6" => {
            let network = args
                .strip_prefix(':')
                .ok_or_else(|| syntax(token, "ip6 needs an address"))?;
            let (addr, prefix) = match network.split_once('/') {
                Some((addr, len)) => (addr, Some(prefix_len(token, len, 128)?)),
                None => (network, None),
            };
            Mechanism::Ip6 {
                addr: addr
                    .parse()
                    .map_err(|_| syntax(token, "not an IPv6 address"))?,
                prefix,
            }
        }
        _ => {
            return Err(Error::UnknownMechanism {
                name: shorten(name),
            });
        }
    };
    Ok(Term::Directive(Directive {
        qualifier,
        mechanism,
    }))
}

fn no_args(token: &str, args: &str) -> Result<(), Error> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(syntax(token, "this mechanism takes no arguments"))
    }
}

fn domain_spec(token: &str, value: MacroString) -> Result<MacroString, Error> {
    if !value.is_domain_spec() {
        return Err(syntax(
            token,
            "not a domain-spec (it must end in a macro or a top label)",
        ));
    }
    // RFC 7208 §7.3: c, r and t are allowed only in explanation text.
    if value.uses_explanation_only_letters() {
        return Err(Error::Macro {
            text: shorten(token),
            problem: "c, r and t are allowed only in exp= text",
        });
    }
    Ok(value)
}

fn required_domain(token: &str, args: &str) -> Result<MacroString, Error> {
    let domain = args
        .strip_prefix(':')
        .ok_or_else(|| syntax(token, "a domain is required"))?;
    domain_spec(token, MacroString::parse(domain)?)
}

/// `[":" domain-spec] [dual-cidr-length]`. The prefix lengths are read from the right: a
/// domain-spec may itself hold `/` and `:` (`a:foo:bar/baz.example.com` is a domain).
///
/// ```text
/// dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]
/// ```
fn domain_and_cidr(token: &str, args: &str) -> Result<(Option<MacroString>, DualCidr), Error> {
    let mut rest = args;
    let mut cidr = DualCidr::default();
    if let Some((before, len)) = trailing_number(rest) {
        if let Some(before_v6) = before.strip_suffix("//") {
            cidr.v6 = Some(prefix_len(token, len, 128)?);
            rest = before_v6;
            if let Some((before_v4, v4)) = trailing_number(rest)
                && let Some(before) = before_v4.strip_suffix('/')
            {
                cidr.v4 = Some(prefix_len(token, v4, 32)?);
                rest = before;
            }
        } else if let Some(before_v4) = before.strip_suffix('/') {
            cidr.v4 = Some(prefix_len(token, len, 32)?);
            rest = before_v4;
        }
    }
    let domain = match rest.strip_prefix(':') {
        Some("") => return Err(syntax(token, "an empty domain")),
        Some(domain) => Some(domain_spec(token, MacroString::parse(domain)?)?),
        None if rest.is_empty() => None,
        None => return Err(syntax(token, "expected `:domain` or a prefix length")),
    };
    Ok((domain, cidr))
}

/// Splits off the digits at the end of `text`, if any.
fn trailing_number(text: &str) -> Option<(&str, &str)> {
    let digits = text.bytes().rev().take_while(u8::is_ascii_digit).count();
    (digits > 0).then(|| text.split_at(text.len() - digits))
}

/// A prefix length: digits without a leading zero (but "0" itself), at most `max`.
fn prefix_len(token: &str, text: &str, max: u8) -> Result<u8, Error> {
    let valid = !text.is_empty()
        && text.len() <= 3
        && text.bytes().all(|c| c.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    let value: Option<u8> = valid.then(|| text.parse().ok()).flatten();
    match value {
        Some(len) if len <= max => Ok(len),
        _ => Err(syntax(token, "invalid prefix length")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) {
        let record = Record::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(record.to_string(), text);
    }

    #[test]
    fn every_mechanism_and_modifier() {
        round_trip("v=spf1 all");
        assert_eq!(Record::parse("v=spf1 +all"), Record::parse("v=spf1 all"));
        round_trip("v=spf1 a mx ptr -all");
        round_trip(
            "v=spf1 a:example.com/24//64 mx:%{d}/30 ~ptr:example.org ?exists:%{ir}.%{v}._spf.%{d}",
        );
        round_trip(
            "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.example.net redirect=_spf.example.com exp=explain.%{d} x-custom=anything",
        );
        round_trip("v=spf1 a//64 mx/0");
        round_trip("v=spf1 a:foo:bar/baz.example.com a:example.com//0");
    }

    #[test]
    fn selection() {
        assert!(Record::is_spf(b"v=spf1"));
        assert!(Record::is_spf(b"V=SPF1 -all"));
        assert!(!Record::is_spf(b"v=spf10"));
        assert!(!Record::is_spf(b"\xEF\xBB\xBFv=spf1 -all"));
    }

    #[test]
    fn errors() {
        for bad in [
            "v=spf1 foo",
            "v=spf1 a:1.2.3.4",
            "v=spf1 ip4:192.0.2.0/33",
            "v=spf1 ip4:192.0.2",
            "v=spf1 ip6:2001:db8::/129",
            "v=spf1 a/024",
            "v=spf1 include",
            "v=spf1 all:foo",
            "v=spf1 redirect=a.example redirect=b.example",
            "v=spf1 exp=a.example exp=b.example",
            "v=spf1 -exists:%{z}.example.com",
            "v=spf1 ptr/24",
            "v=spf1 a/24/64",
            "v=spf1 exp=%{r}.example.com",
        ] {
            assert!(Record::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Record::parse("v=spf1 moo -all"),
            Err(Error::UnknownMechanism { name: "moo".into() })
        );
    }
}
