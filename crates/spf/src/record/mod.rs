//! SPF records (RFC 7208 §4.5, §12): terms, mechanisms and modifiers.

mod parse;

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::macros::MacroString;

/// A parsed SPF record: its terms in order.
///
/// ```
/// use mailroom_spf::Record;
/// let record: Record = "v=spf1 ip4:192.0.2.0/24 a/24//64 include:_spf.example.net -all".parse()?;
/// assert_eq!(record.terms.len(), 4);
/// assert_eq!(record.to_string(), "v=spf1 ip4:192.0.2.0/24 a/24//64 include:_spf.example.net -all");
/// # Ok::<(), mailroom_spf::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Record {
    /// The terms, left to right.
    pub terms: Vec<Term>,
}

/// One term: a directive or a modifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Term {
    /// A qualified mechanism.
    Directive(Directive),
    /// `redirect=domain-spec` (§6.1).
    Redirect(MacroString),
    /// `exp=domain-spec` (§6.2).
    Explanation(MacroString),
    /// A modifier this crate does not know, kept and ignored (§6).
    Unknown {
        /// Its name.
        name: String,
        /// Its value.
        value: MacroString,
    },
}

/// A mechanism with its qualifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Directive {
    /// What a match means.
    pub qualifier: Qualifier,
    /// What is matched.
    pub mechanism: Mechanism,
}

/// The result a matching directive gives (§4.6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Qualifier {
    /// `+` (the default): pass.
    #[default]
    Pass,
    /// `-`: fail.
    Fail,
    /// `~`: softfail.
    SoftFail,
    /// `?`: neutral.
    Neutral,
}

/// Prefix lengths written after `a` or `mx` (`/24`, `//64`, `/24//64`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DualCidr {
    /// The IPv4 prefix length, if written.
    pub v4: Option<u8>,
    /// The IPv6 prefix length, if written.
    pub v6: Option<u8>,
}

/// A mechanism (RFC 7208 §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mechanism {
    /// `all`: always matches.
    All,
    /// `include:domain`: matches when the other domain's check passes.
    Include(MacroString),
    /// `a[:domain][/cidr]`: the domain's addresses.
    A {
        /// The domain, or the current one.
        domain: Option<MacroString>,
        /// Prefix lengths.
        cidr: DualCidr,
    },
    /// `mx[:domain][/cidr]`: the domain's mail exchangers' addresses.
    Mx {
        /// The domain, or the current one.
        domain: Option<MacroString>,
        /// Prefix lengths.
        cidr: DualCidr,
    },
    /// `ptr[:domain]`: the client's validated host name is in the domain (do not use).
    Ptr(Option<MacroString>),
    /// `ip4:network[/len]`.
    Ip4 {
        /// The network.
        addr: Ipv4Addr,
        /// The prefix length, if written (else 32).
        prefix: Option<u8>,
    },
    /// `ip6:network[/len]`.
    Ip6 {
        /// The network.
        addr: Ipv6Addr,
        /// The prefix length, if written (else 128).
        prefix: Option<u8>,
    },
    /// `exists:domain`: the domain has an A record.
    Exists(MacroString),
}

impl Mechanism {
    /// Whether evaluating this mechanism queries the DNS, and so counts toward the limit of 10
    /// (RFC 7208 §4.6.4).
    pub fn queries_dns(&self) -> bool {
        matches!(
            self,
            Self::Include(_) | Self::A { .. } | Self::Mx { .. } | Self::Ptr(_) | Self::Exists(_)
        )
    }
}

impl Record {
    /// The `redirect=` modifier, if any.
    pub fn redirect(&self) -> Option<&MacroString> {
        self.terms.iter().find_map(|t| match t {
            Term::Redirect(domain) => Some(domain),
            _ => None,
        })
    }

    /// The `exp=` modifier, if any.
    pub fn explanation(&self) -> Option<&MacroString> {
        self.terms.iter().find_map(|t| match t {
            Term::Explanation(domain) => Some(domain),
            _ => None,
        })
    }

    /// The directives, left to right.
    pub fn directives(&self) -> impl Iterator<Item = &Directive> {
        self.terms.iter().filter_map(|t| match t {
            Term::Directive(d) => Some(d),
            _ => None,
        })
    }
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("v=spf1")?;
        for term in &self.terms {
            write!(f, " {term}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Directive(d) => write!(f, "{d}"),
            Self::Redirect(domain) => write!(f, "redirect={domain}"),
            Self::Explanation(domain) => write!(f, "exp={domain}"),
            Self::Unknown { name, value } => write!(f, "{name}={value}"),
        }
    }
}

impl fmt::Display for Directive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let qualifier = match self.qualifier {
            Qualifier::Pass => "",
            Qualifier::Fail => "-",
            Qualifier::SoftFail => "~",
            Qualifier::Neutral => "?",
        };
        write!(f, "{qualifier}{}", self.mechanism)
    }
}

impl fmt::Display for DualCidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(v4) = self.v4 {
            write!(f, "/{v4}")?;
        }
        if let Some(v6) = self.v6 {
            write!(f, "//{v6}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let domain = |f: &mut fmt::Formatter<'_>, d: &Option<MacroString>| match d {
            Some(d) => write!(f, ":{d}"),
            None => Ok(()),
        };
        match self {
            Self::All => f.write_str("all"),
            Self::Include(d) => write!(f, "include:{d}"),
            Self::A { domain: d, cidr } => {
                f.write_str("a")?;
                domain(f, d)?;
                write!(f, "{cidr}")
            }
            Self::Mx { domain: d, cidr } => {
                f.write_str("mx")?;
                domain(f, d)?;
                write!(f, "{cidr}")
            }
            Self::Ptr(d) => {
                f.write_str("ptr")?;
                domain(f, d)
            }
            Self::Ip4 { addr, prefix } => {
                write!(f, "ip4:{addr}")?;
                prefix.map_or(Ok(()), |p| write!(f, "/{p}"))
            }
            Self::Ip6 { addr, prefix } => {
                write!(f, "ip6:{addr}")?;
                prefix.map_or(Ok(()), |p| write!(f, "/{p}"))
            }
            Self::Exists(d) => write!(f, "exists:{d}"),
        }
    }
}
