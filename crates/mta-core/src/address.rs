//! Mailboxes and paths as SMTP carries them (RFC 5321 §4.1.2, RFC 6531 §3.3 for UTF-8).
//!
//! ```text
//! Path          = "<" [ A-d-l ":" ] Mailbox ">"      ; the source route is read and dropped
//! Mailbox       = Local-part "@" ( Domain / address-literal )
//! Local-part    = Dot-string / Quoted-string
//! address-literal = "[" ( IPv4 / "IPv6:" IPv6 / General-address-literal ) "]"
//! ```

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

use nom::branch::alt;
use nom::bytes::complete::{tag, tag_no_case, take_while, take_while1};
use nom::character::complete::char;
use nom::combinator::{opt, recognize};
use nom::multi::separated_list1;
use nom::sequence::{delimited, preceded, terminated};
use nom::{IResult, Parser};

use crate::error::Error;

/// The longest local part (RFC 5321 §4.5.3.1.1).
pub const MAX_LOCAL_PART_LEN: usize = 64;

/// The longest domain (RFC 5321 §4.5.3.1.2).
pub const MAX_DOMAIN_LEN: usize = 255;

/// The domain of a mailbox or a HELO/EHLO argument: a name, or an address literal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Domain {
    /// A domain name, as written (A-labels, or U-labels under SMTPUTF8).
    Name(String),
    /// `[192.0.2.1]` or `[IPv6:2001:db8::1]`.
    Address(IpAddr),
    /// `[tag:content]`, a General-address-literal (RFC 5321 §4.1.3).
    General {
        /// The standardized tag.
        tag: String,
        /// What follows the colon.
        content: String,
    },
}

/// A mailbox: `local-part@domain`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mailbox {
    /// The local part, unquoted (a Quoted-string's backslashes removed).
    pub local: String,
    /// The domain.
    pub domain: Domain,
}

/// The argument of MAIL FROM: a mailbox, or `<>` for bounces (RFC 5321 §4.5.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReversePath {
    /// `<>`: the null reverse-path.
    Null,
    /// A sender mailbox.
    Mailbox(Mailbox),
}

/// The argument of RCPT TO: a mailbox, or `<Postmaster>` without a domain (RFC 5321 §4.1.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ForwardPath {
    /// `<Postmaster>`, in any case: the receiving host's postmaster.
    Postmaster,
    /// A recipient mailbox.
    Mailbox(Mailbox),
}

impl Mailbox {
    /// Parses `local@domain` (no angle brackets). `utf8` allows UTF-8 in the local part and the
    /// domain, as SMTPUTF8 does (RFC 6531 §3.3).
    ///
    /// ```
    /// use mailroom_mta_core::{Domain, Mailbox};
    /// let mailbox = Mailbox::parse("\"joe smith\"@[192.0.2.1]", false)?;
    /// assert_eq!(mailbox.local, "joe smith");
    /// assert_eq!(mailbox.domain, Domain::Address("192.0.2.1".parse()?));
    /// assert_eq!(mailbox.to_string(), "\"joe smith\"@[192.0.2.1]");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Syntax`] naming the part that is wrong, or [`Error::Utf8NotAllowed`].
    pub fn parse(text: &str, utf8: bool) -> Result<Self, Error> {
        let (rest, mailbox) =
            mailbox(utf8)(text).map_err(|_| syntax_or_utf8(text, utf8, "mailbox"))?;
        if !rest.is_empty() {
            return Err(Error::Syntax { part: "mailbox" });
        }
        mailbox.check_lengths()?;
        Ok(mailbox)
    }

    /// Whether any part is not ASCII (and so needs SMTPUTF8).
    pub fn is_utf8(&self) -> bool {
        !self.local.is_ascii() || matches!(&self.domain, Domain::Name(name) if !name.is_ascii())
    }

    fn check_lengths(&self) -> Result<(), Error> {
        if self.local.len() > MAX_LOCAL_PART_LEN {
            return Err(Error::TooLong {
                part: "local part",
                limit: MAX_LOCAL_PART_LEN,
            });
        }
        if let Domain::Name(name) = &self.domain
            && name.len() > MAX_DOMAIN_LEN
        {
            return Err(Error::TooLong {
                part: "domain",
                limit: MAX_DOMAIN_LEN,
            });
        }
        Ok(())
    }
}

impl Domain {
    /// Parses a HELO/EHLO argument: a domain name or an address literal.
    ///
    /// # Errors
    ///
    /// [`Error::Syntax`] or [`Error::Utf8NotAllowed`].
    pub fn parse(text: &str, utf8: bool) -> Result<Self, Error> {
        match alt((address_literal, domain_name(utf8))).parse(text) {
            Ok(("", domain)) => Ok(domain),
            _ => Err(syntax_or_utf8(text, utf8, "domain")),
        }
    }
}

/// Parses `<path>` for MAIL FROM.
pub(crate) fn reverse_path(utf8: bool) -> impl Fn(&str) -> IResult<&str, ReversePath> {
    move |input| {
        alt((
            tag("<>").map(|_| ReversePath::Null),
            path(utf8).map(ReversePath::Mailbox),
        ))
        .parse(input)
    }
}

/// Parses `<path>` or `<Postmaster>` for RCPT TO.
pub(crate) fn forward_path(utf8: bool) -> impl Fn(&str) -> IResult<&str, ForwardPath> {
    move |input| {
        alt((
            tag_no_case("<postmaster>").map(|_| ForwardPath::Postmaster),
            path(utf8).map(ForwardPath::Mailbox),
        ))
        .parse(input)
    }
}

/// `"<" [ A-d-l ":" ] Mailbox ">"`; the source route is accepted and ignored (§4.1.2, §C).
fn path(utf8: bool) -> impl Fn(&str) -> IResult<&str, Mailbox> {
    move |input| {
        let source_route = terminated(
            separated_list1(char(','), preceded(char('@'), domain_name(utf8))),
            char(':'),
        );
        delimited(
            char('<'),
            preceded(opt(source_route), mailbox(utf8)),
            char('>'),
        )
        .parse(input)
    }
}

fn mailbox(utf8: bool) -> impl Fn(&str) -> IResult<&str, Mailbox> {
    move |input| {
        let (input, local) = alt((quoted_string, dot_string(utf8))).parse(input)?;
        if !utf8 && !local.is_ascii() {
            return Err(fail(input));
        }
        let (input, _) = char('@').parse(input)?;
        let (input, domain) = alt((address_literal, domain_name(utf8))).parse(input)?;
        Ok((input, Mailbox { local, domain }))
    }
}

/// `atext` of RFC 5322 §3.2.3, and any non-ASCII character under SMTPUTF8.
fn is_atext(c: char, utf8: bool) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || (utf8 && !c.is_ascii())
}

fn dot_string(utf8: bool) -> impl Fn(&str) -> IResult<&str, String> {
    move |input| {
        recognize(separated_list1(
            char('.'),
            take_while1(|c| is_atext(c, utf8)),
        ))
        .map(str::to_owned)
        .parse(input)
    }
}

/// `DQUOTE *QcontentSMTP DQUOTE`, unescaped.
fn quoted_string(input: &str) -> IResult<&str, String> {
    let (mut rest, _) = char('"').parse(input)?;
    let mut out = String::new();
    loop {
        let mut chars = rest.chars();
        match chars.next() {
            Some('"') => return Ok((chars.as_str(), out)),
            // quoted-pairSMTP = %d92 %d32-126
            Some('\\') => match chars.next() {
                Some(c) if (' '..='~').contains(&c) => out.push(c),
                _ => return Err(fail(rest)),
            },
            // qtextSMTP, and UTF-8 (RFC 6531 §3.3); checked against SMTPUTF8 by the caller.
            Some(c) if c == ' ' || c == '!' || ('#'..='~').contains(&c) || !c.is_ascii() => {
                out.push(c);
            }
            _ => return Err(fail(rest)),
        }
        rest = chars.as_str();
    }
}

/// `sub-domain *("." sub-domain)`, `sub-domain = Let-dig [Ldh-str]`; U-labels under SMTPUTF8.
fn domain_name(utf8: bool) -> impl Fn(&str) -> IResult<&str, Domain> {
    move |input| {
        let letter_digit = move |c: char| c.is_ascii_alphanumeric() || (utf8 && !c.is_ascii());
        let label = recognize((
            take_while1(letter_digit),
            take_while(move |c: char| letter_digit(c) || c == '-'),
        ));
        let (rest, name) = recognize(separated_list1(char('.'), label)).parse(input)?;
        // Ldh-str may not end in a hyphen.
        if name.split('.').any(|label| label.ends_with('-')) {
            return Err(fail(input));
        }
        Ok((rest, Domain::Name(name.to_owned())))
    }
}

/// `"[" ( IPv4-address-literal / IPv6-address-literal / General-address-literal ) "]"`.
fn address_literal(input: &str) -> IResult<&str, Domain> {
    let (rest, inner) = delimited(
        char('['),
        take_while1(|c: char| c != ']' && c != '[' && c != '\\' && c.is_ascii_graphic()),
        char(']'),
    )
    .parse(input)?;
    let domain = if let Some(v6) = inner
        .get(..5)
        .filter(|t| t.eq_ignore_ascii_case("IPv6:"))
        .and(inner.get(5..))
    {
        Domain::Address(IpAddr::V6(v6.parse::<Ipv6Addr>().map_err(|_| fail(input))?))
    } else if let Ok(v4) = inner.parse() {
        Domain::Address(IpAddr::V4(v4))
    } else if let Some((tag, content)) = inner.split_once(':') {
        // Standardized-tag = Ldh-str (§4.1.3).
        let ldh = !tag.is_empty()
            && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !tag.ends_with('-');
        if !ldh || content.is_empty() {
            return Err(fail(input));
        }
        Domain::General {
            tag: tag.to_owned(),
            content: content.to_owned(),
        }
    } else {
        return Err(fail(input));
    };
    Ok((rest, domain))
}

fn fail(input: &str) -> nom::Err<nom::error::Error<&str>> {
    nom::Err::Error(nom::error::Error::new(input, nom::error::ErrorKind::Verify))
}

/// The error for text that did not parse: UTF-8 without SMTPUTF8 is named as such.
pub(crate) fn syntax_or_utf8(text: &str, utf8: bool, part: &'static str) -> Error {
    if !utf8 && !text.is_ascii() {
        Error::Utf8NotAllowed
    } else {
        Error::Syntax { part }
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name(name) => f.write_str(name),
            Self::Address(IpAddr::V4(v4)) => write!(f, "[{v4}]"),
            Self::Address(IpAddr::V6(v6)) => write!(f, "[IPv6:{v6}]"),
            Self::General { tag, content } => write!(f, "[{tag}:{content}]"),
        }
    }
}

impl fmt::Display for Mailbox {
    /// The mailbox as SMTP writes it: the local part as a Dot-string when it is one, else
    /// quoted (RFC 5321 §4.1.2 asks for the unquoted form whenever it is possible).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dot_string = !self.local.is_empty()
            && self
                .local
                .split('.')
                .all(|atom| !atom.is_empty() && atom.chars().all(|c| is_atext(c, true)));
        if dot_string {
            f.write_str(&self.local)?;
        } else {
            f.write_str("\"")?;
            for c in self.local.chars() {
                if c == '"' || c == '\\' {
                    f.write_str("\\")?;
                }
                write!(f, "{c}")?;
            }
            f.write_str("\"")?;
        }
        write!(f, "@{}", self.domain)
    }
}

impl fmt::Display for ReversePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("<>"),
            Self::Mailbox(mailbox) => write!(f, "<{mailbox}>"),
        }
    }
}

impl fmt::Display for ForwardPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Postmaster => f.write_str("<Postmaster>"),
            Self::Mailbox(mailbox) => write!(f, "<{mailbox}>"),
        }
    }
}
