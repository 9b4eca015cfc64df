//! SMTP commands (RFC 5321 §4.1.1) with the ESMTP parameters Mailroom knows: SIZE (RFC 1870),
//! BODY (RFC 6152, RFC 3030), SMTPUTF8 (RFC 6531), AUTH (RFC 4954 §5), RET/ENVID/NOTIFY/ORCPT
//! (RFC 3461), REQUIRETLS (RFC 8689).

use std::fmt;

use nom::Parser;

use crate::address::{
    Domain, ForwardPath, ReversePath, forward_path, reverse_path, syntax_or_utf8,
};
use crate::error::{Error, shorten};
use crate::xtext;

/// The longest command line, CRLF included (RFC 5321 §4.5.3.1.4).
pub const MAX_COMMAND_LINE: usize = 512;

/// The longest AUTH command or SASL response line, CRLF included (RFC 4954 §4).
pub const MAX_AUTH_LINE: usize = 12_288;

/// One command from a client.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// `HELO domain`.
    Helo(Domain),
    /// `EHLO domain-or-address-literal`.
    Ehlo(Domain),
    /// `MAIL FROM:<path> [parameters]`.
    Mail {
        /// The reverse-path.
        from: ReversePath,
        /// The ESMTP parameters.
        params: MailParameters,
    },
    /// `RCPT TO:<path> [parameters]`.
    Rcpt {
        /// The forward-path.
        to: ForwardPath,
        /// The ESMTP parameters.
        params: RcptParameters,
    },
    /// `DATA`.
    Data,
    /// `BDAT size [LAST]` (RFC 3030 §2).
    Bdat {
        /// The chunk's size in octets.
        size: u64,
        /// Whether this is the last chunk.
        last: bool,
    },
    /// `RSET`.
    Rset,
    /// `NOOP [string]`.
    Noop,
    /// `QUIT`.
    Quit,
    /// `VRFY string`.
    Vrfy(String),
    /// `EXPN string`.
    Expn(String),
    /// `HELP [string]`.
    Help(Option<String>),
    /// `STARTTLS` (RFC 3207).
    StartTls,
    /// `AUTH mechanism [initial-response]` (RFC 4954 §4).
    Auth {
        /// The SASL mechanism, in upper case.
        mechanism: String,
        /// The initial response, base64 as sent (`=` for an empty one).
        initial_response: Option<String>,
    },
}

/// `BODY=` (RFC 6152, RFC 3030).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Body {
    /// `7BIT`.
    SevenBit,
    /// `8BITMIME`.
    EightBitMime,
    /// `BINARYMIME`: only with BDAT.
    BinaryMime,
}

/// `RET=` (RFC 3461 §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ret {
    /// `FULL`: return the whole message in a DSN.
    Full,
    /// `HDRS`: return the header only.
    Headers,
}

/// `NOTIFY=` (RFC 3461 §4.1): `NEVER`, or any of SUCCESS, FAILURE, DELAY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Notify {
    /// `SUCCESS`.
    pub success: bool,
    /// `FAILURE`.
    pub failure: bool,
    /// `DELAY`.
    pub delay: bool,
}

/// The parameters of MAIL FROM.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct MailParameters {
    /// `SIZE=`: the message size the client declares (RFC 1870).
    pub size: Option<u64>,
    /// `BODY=`.
    pub body: Option<Body>,
    /// `SMTPUTF8`.
    pub smtputf8: bool,
    /// `AUTH=`: `Some(None)` for `AUTH=<>`, `Some(Some(mailbox))` for a submitter.
    pub auth: Option<Option<String>>,
    /// `RET=`.
    pub ret: Option<Ret>,
    /// `ENVID=`, xtext-decoded.
    pub envid: Option<String>,
    /// `REQUIRETLS`.
    pub requiretls: bool,
}

/// The parameters of RCPT TO.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RcptParameters {
    /// `NOTIFY=`; `Some(Notify::default())` means `NEVER`.
    pub notify: Option<Notify>,
    /// `ORCPT=addr-type;address`, the address xtext-decoded.
    pub orcpt: Option<(String, String)>,
}

impl Command {
    /// Parses one command line (without its CRLF). `utf8` says whether the server offers
    /// SMTPUTF8 (for MAIL) or the transaction asked for it (for RCPT): only then may paths hold
    /// UTF-8 (RFC 6531 §3.3); a MAIL command's own path may if it carries `SMTPUTF8`.
    ///
    /// ```
    /// use mailroom_mta_core::{Body, Command, ReversePath};
    /// let command = Command::parse("MAIL FROM:<joe@example.org> SIZE=1000 BODY=8BITMIME", false)?;
    /// let Command::Mail { from: ReversePath::Mailbox(from), params } = &command else { panic!() };
    /// assert_eq!((from.local.as_str(), params.size, params.body), ("joe", Some(1000), Some(Body::EightBitMime)));
    /// assert_eq!(command.to_string(), "MAIL FROM:<joe@example.org> SIZE=1000 BODY=8BITMIME");
    /// # Ok::<(), mailroom_mta_core::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error`] naming the part that is wrong; [`Error::reply`] gives the reply to send.
    pub fn parse(line: &str, utf8: bool) -> Result<Self, Error> {
        let (verb, args) = match line.split_once(' ') {
            Some((verb, args)) => (verb, args),
            None => (line, ""),
        };
        let verb_upper = verb.to_ascii_uppercase();
        // AUTH may carry a long initial response (RFC 4954 §4).
        let limit = if verb_upper == "AUTH" {
            MAX_AUTH_LINE
        } else {
            MAX_COMMAND_LINE
        };
        if line.len() + 2 > limit {
            return Err(Error::TooLong {
                part: "command line",
                limit,
            });
        }
        let no_args = |command| {
            if args.trim().is_empty() {
                Ok(command)
            } else {
                Err(Error::Syntax {
                    part: "arguments (none are allowed)",
                })
            }
        };
        match verb_upper.as_str() {
            "HELO" => Ok(Self::Helo(Domain::parse(args.trim(), utf8)?)),
            "EHLO" => Ok(Self::Ehlo(Domain::parse(args.trim(), utf8)?)),
            "MAIL" => parse_mail(args, utf8),
            "RCPT" => parse_rcpt(args, utf8),
            "DATA" => no_args(Self::Data),
            "BDAT" => parse_bdat(args),
            "RSET" => no_args(Self::Rset),
            // NOOP may carry a string, which is ignored (§4.1.1.9).
            "NOOP" => Ok(Self::Noop),
            "QUIT" => no_args(Self::Quit),
            "VRFY" => Ok(Self::Vrfy(required(args, "VRFY argument")?)),
            "EXPN" => Ok(Self::Expn(required(args, "EXPN argument")?)),
            "HELP" => Ok(Self::Help(
                (!args.trim().is_empty()).then(|| args.trim().to_owned()),
            )),
            "STARTTLS" => no_args(Self::StartTls),
            "AUTH" => parse_auth(args),
            _ => Err(Error::UnknownCommand {
                verb: shorten(verb),
            }),
        }
    }
}

fn required(args: &str, part: &'static str) -> Result<String, Error> {
    let args = args.trim();
    if args.is_empty() {
        Err(Error::Syntax { part })
    } else {
        Ok(args.to_owned())
    }
}

/// `MAIL FROM:` Reverse-path [SP Mail-parameters]; a space after the colon is tolerated, as
/// most servers do.
fn parse_mail(args: &str, utf8_offered: bool) -> Result<Command, Error> {
    let rest = strip_prefix_no_case(args, "FROM:").ok_or(Error::Syntax {
        part: "MAIL arguments (FROM:<path>)",
    })?;
    let rest = rest.trim_start_matches(' ');
    let (params_text, path_result) = match reverse_path(utf8_offered).parse(rest) {
        Ok((params, path)) => (params, Ok(path)),
        Err(_) => ("", Err(syntax_or_utf8(rest, utf8_offered, "reverse-path"))),
    };
    let from = path_result?;
    if !params_text.is_empty() && !params_text.starts_with(' ') {
        return Err(Error::Syntax {
            part: "reverse-path",
        });
    }
    let params = mail_parameters(params_text)?;
    if let ReversePath::Mailbox(mailbox) = &from
        && mailbox.is_utf8()
        && !params.smtputf8
    {
        return Err(Error::Utf8NotAllowed);
    }
    if params.smtputf8 && !utf8_offered {
        return Err(Error::UnknownParameter {
            name: "SMTPUTF8".to_owned(),
        });
    }
    Ok(Command::Mail { from, params })
}

fn parse_rcpt(args: &str, utf8: bool) -> Result<Command, Error> {
    let rest = strip_prefix_no_case(args, "TO:").ok_or(Error::Syntax {
        part: "RCPT arguments (TO:<path>)",
    })?;
    let rest = rest.trim_start_matches(' ');
    let (params_text, to) = forward_path(utf8)
        .parse(rest)
        .map_err(|_| syntax_or_utf8(rest, utf8, "forward-path"))?;
    if !params_text.is_empty() && !params_text.starts_with(' ') {
        return Err(Error::Syntax {
            part: "forward-path",
        });
    }
    Ok(Command::Rcpt {
        to,
        params: rcpt_parameters(params_text)?,
    })
}

fn parse_bdat(args: &str) -> Result<Command, Error> {
    let mut words = args.split(' ').filter(|w| !w.is_empty());
    let size = words
        .next()
        .filter(|w| w.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|w| w.parse().ok())
        .ok_or(Error::Syntax {
            part: "BDAT chunk size",
        })?;
    let last = match words.next() {
        None => false,
        Some(word) if word.eq_ignore_ascii_case("LAST") => true,
        Some(_) => return Err(Error::Syntax { part: "BDAT LAST" }),
    };
    if words.next().is_some() {
        return Err(Error::Syntax {
            part: "BDAT arguments",
        });
    }
    Ok(Command::Bdat { size, last })
}

fn parse_auth(args: &str) -> Result<Command, Error> {
    let mut words = args.split(' ').filter(|w| !w.is_empty());
    let mechanism = words
        .next()
        .filter(|m| {
            // sasl-mech = 1*20(UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE) (RFC 4422 §3.1)
            m.len() <= 20
                && m.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .ok_or(Error::Syntax {
            part: "AUTH mechanism",
        })?
        .to_ascii_uppercase();
    let initial_response = words.next().map(str::to_owned);
    if words.next().is_some() {
        return Err(Error::Syntax {
            part: "AUTH arguments",
        });
    }
    Ok(Command::Auth {
        mechanism,
        initial_response,
    })
}

fn strip_prefix_no_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// `esmtp-param *(SP esmtp-param)`, `esmtp-param = esmtp-keyword ["=" esmtp-value]`.
fn parameters(text: &str) -> Result<Vec<(String, Option<&str>)>, Error> {
    let mut out = Vec::new();
    for param in text.split(' ').filter(|p| !p.is_empty()) {
        let (keyword, value) = match param.split_once('=') {
            Some((keyword, value)) => (keyword, Some(value)),
            None => (param, None),
        };
        let keyword_ok = keyword
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
            && keyword
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        // esmtp-value = 1*(%d33-60 / %d62-126), and UTF-8 under SMTPUTF8 (RFC 6531 §3.3).
        let value_ok = value.is_none_or(|v| {
            !v.is_empty()
                && v.chars()
                    .all(|c| c != '=' && (c.is_ascii_graphic() || !c.is_ascii()))
        });
        if !keyword_ok || !value_ok {
            return Err(Error::Syntax {
                part: "ESMTP parameter",
            });
        }
        let keyword = keyword.to_ascii_uppercase();
        if out.iter().any(|(k, _)| *k == keyword) {
            return Err(Error::BadParameter {
                name: known_name(&keyword),
                problem: "given twice",
            });
        }
        out.push((keyword, value));
    }
    Ok(out)
}

/// The static name of a known parameter, for errors.
fn known_name(keyword: &str) -> &'static str {
    [
        "SIZE",
        "BODY",
        "SMTPUTF8",
        "AUTH",
        "RET",
        "ENVID",
        "REQUIRETLS",
        "NOTIFY",
        "ORCPT",
    ]
    .into_iter()
    .find(|k| *k == keyword)
    .unwrap_or("parameter")
}

fn mail_parameters(text: &str) -> Result<MailParameters, Error> {
    let mut params = MailParameters::default();
    for (keyword, value) in parameters(text)? {
        let bad = |name, problem| Error::BadParameter { name, problem };
        match (keyword.as_str(), value) {
            ("SIZE", Some(v)) => {
                params.size = Some(
                    v.parse()
                        .ok()
                        .filter(|_| v.bytes().all(|b| b.is_ascii_digit()))
                        .ok_or(bad("SIZE", "not a number"))?,
                );
            }
            ("BODY", Some(v)) => {
                params.body = Some(match v.to_ascii_uppercase().as_str() {
                    "7BIT" => Body::SevenBit,
                    "8BITMIME" => Body::EightBitMime,
                    "BINARYMIME" => Body::BinaryMime,
                    _ => return Err(bad("BODY", "not 7BIT, 8BITMIME or BINARYMIME")),
                });
            }
            ("SMTPUTF8", None) => params.smtputf8 = true,
            ("REQUIRETLS", None) => params.requiretls = true,
            ("AUTH", Some("<>")) => params.auth = Some(None),
            ("AUTH", Some(v)) => {
                params.auth = Some(Some(
                    xtext::decode(v).ok_or(bad("AUTH", "not valid xtext"))?,
                ));
            }
            ("RET", Some(v)) => {
                params.ret = Some(match v.to_ascii_uppercase().as_str() {
                    "FULL" => Ret::Full,
                    "HDRS" => Ret::Headers,
                    _ => return Err(bad("RET", "not FULL or HDRS")),
                });
            }
            ("ENVID", Some(v)) => {
                params.envid = Some(xtext::decode(v).ok_or(bad("ENVID", "not valid xtext"))?);
            }
            ("SIZE" | "BODY" | "AUTH" | "RET" | "ENVID", None) => {
                return Err(bad(known_name(&keyword), "needs a value"));
            }
            ("SMTPUTF8" | "REQUIRETLS", Some(_)) => {
                return Err(bad(known_name(&keyword), "takes no value"));
            }
            _ => return Err(Error::UnknownParameter { name: keyword }),
        }
    }
    Ok(params)
}

fn rcpt_parameters(text: &str) -> Result<RcptParameters, Error> {
    let mut params = RcptParameters::default();
    for (keyword, value) in parameters(text)? {
        let bad = |name, problem| Error::BadParameter { name, problem };
        match (keyword.as_str(), value) {
            ("NOTIFY", Some(v)) => {
                let mut notify = Notify::default();
                let words: Vec<String> = v.split(',').map(str::to_ascii_uppercase).collect();
                // RFC 3461 §4.1: NEVER alone, or a list of the others.
                if words != ["NEVER"] {
                    for word in &words {
                        match word.as_str() {
                            "SUCCESS" => notify.success = true,
                            "FAILURE" => notify.failure = true,
                            "DELAY" => notify.delay = true,
                            _ => return Err(bad("NOTIFY", "not NEVER or SUCCESS,FAILURE,DELAY")),
                        }
                    }
                }
                params.notify = Some(notify);
            }
            ("ORCPT", Some(v)) => {
                let (kind, address) = v.split_once(';').ok_or(bad("ORCPT", "no addr-type"))?;
                let address = xtext::decode(address).ok_or(bad("ORCPT", "not valid xtext"))?;
                params.orcpt = Some((kind.to_owned(), address));
            }
            ("NOTIFY" | "ORCPT", None) => return Err(bad(known_name(&keyword), "needs a value")),
            _ => return Err(Error::UnknownParameter { name: keyword }),
        }
    }
    Ok(params)
}

impl fmt::Display for Command {
    /// The command line as a client sends it (without CRLF).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Helo(domain) => write!(f, "HELO {domain}"),
            Self::Ehlo(domain) => write!(f, "EHLO {domain}"),
            Self::Mail { from, params } => write!(f, "MAIL FROM:{from}{params}"),
            Self::Rcpt { to, params } => write!(f, "RCPT TO:{to}{params}"),
            Self::Data => f.write_str("DATA"),
            Self::Bdat { size, last } => {
                write!(f, "BDAT {size}{}", if *last { " LAST" } else { "" })
            }
            Self::Rset => f.write_str("RSET"),
            Self::Noop => f.write_str("NOOP"),
            Self::Quit => f.write_str("QUIT"),
            Self::Vrfy(text) => write!(f, "VRFY {text}"),
            Self::Expn(text) => write!(f, "EXPN {text}"),
            Self::Help(None) => f.write_str("HELP"),
            Self::Help(Some(text)) => write!(f, "HELP {text}"),
            Self::StartTls => f.write_str("STARTTLS"),
            Self::Auth {
                mechanism,
                initial_response,
            } => {
                write!(f, "AUTH {mechanism}")?;
                if let Some(response) = initial_response {
                    write!(f, " {response}")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for MailParameters {
    /// The parameters, each preceded by a space.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(size) = self.size {
            write!(f, " SIZE={size}")?;
        }
        if let Some(body) = self.body {
            f.write_str(match body {
                Body::SevenBit => " BODY=7BIT",
                Body::EightBitMime => " BODY=8BITMIME",
                Body::BinaryMime => " BODY=BINARYMIME",
            })?;
        }
        if self.smtputf8 {
            f.write_str(" SMTPUTF8")?;
        }
        match &self.auth {
            Some(None) => f.write_str(" AUTH=<>")?,
            Some(Some(mailbox)) => write!(f, " AUTH={}", xtext::encode(mailbox))?,
            None => {}
        }
        if let Some(ret) = self.ret {
            f.write_str(match ret {
                Ret::Full => " RET=FULL",
                Ret::Headers => " RET=HDRS",
            })?;
        }
        if let Some(envid) = &self.envid {
            write!(f, " ENVID={}", xtext::encode(envid))?;
        }
        if self.requiretls {
            f.write_str(" REQUIRETLS")?;
        }
        Ok(())
    }
}

impl fmt::Display for RcptParameters {
    /// The parameters, each preceded by a space.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(notify) = self.notify {
            let words: Vec<&str> = [
                (notify.success, "SUCCESS"),
                (notify.failure, "FAILURE"),
                (notify.delay, "DELAY"),
            ]
            .into_iter()
            .filter_map(|(on, word)| on.then_some(word))
            .collect();
            if words.is_empty() {
                f.write_str(" NOTIFY=NEVER")?;
            } else {
                write!(f, " NOTIFY={}", words.join(","))?;
            }
        }
        if let Some((kind, address)) = &self.orcpt {
            write!(f, " ORCPT={kind};{}", xtext::encode(address))?;
        }
        Ok(())
    }
}
