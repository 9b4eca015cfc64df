//! The one error type of this crate: what was wrong with which input, and the SMTP reply that
//! tells the client so.

use crate::reply::{EnhancedCode, Reply};

/// Why a command, a path, a parameter or a reply could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The verb is not an SMTP command.
    #[error("command not recognized: `{verb}`")]
    UnknownCommand {
        /// The verb as sent (shortened when long).
        verb: String,
    },
    /// A part of a command does not follow the grammar of RFC 5321 §4.1.
    #[error("syntax error in the {part}")]
    Syntax {
        /// The part: `mailbox`, `domain`, `MAIL arguments`, ...
        part: &'static str,
    },
    /// A part is longer than RFC 5321 §4.5.3.1 allows.
    #[error("the {part} is longer than {limit} octets")]
    TooLong {
        /// The part.
        part: &'static str,
        /// The limit.
        limit: usize,
    },
    /// An ESMTP parameter this server does not know (RFC 5321 §4.1.1.11).
    #[error("parameter `{name}` not recognized")]
    UnknownParameter {
        /// The parameter's name.
        name: String,
    },
    /// A known ESMTP parameter with a bad value, or given twice.
    #[error("parameter `{name}`: {problem}")]
    BadParameter {
        /// The parameter's name.
        name: &'static str,
        /// What is wrong.
        problem: &'static str,
    },
    /// Non-ASCII text where SMTPUTF8 was not asked for (RFC 6531 §3.4).
    #[error("UTF-8 is allowed only with SMTPUTF8")]
    Utf8NotAllowed,
    /// A CR or LF in message data that is not part of a CRLF (RFC 5321 §2.3.8): refused, so
    /// that no other reading of the line ends can smuggle a second message through.
    #[error("the message has a bare CR or LF, which SMTP does not allow")]
    BareLineEnd,
    /// The message is larger than the server accepts (RFC 1870).
    #[error("the message is larger than {limit} octets")]
    MessageTooLarge {
        /// The limit.
        limit: u64,
    },
    /// A PROXY protocol header is missing or malformed.
    #[error("PROXY protocol: {problem}")]
    Proxy {
        /// What is wrong.
        problem: &'static str,
    },
    /// The caller used a session out of order (see the session's documented call order); no
    /// input from the peer causes this.
    #[error("session used out of order: {problem}")]
    Misuse {
        /// What was out of order.
        problem: &'static str,
    },
    /// A reply line does not follow RFC 5321 §4.2.
    #[error("malformed reply: {problem}")]
    Reply {
        /// What is wrong.
        problem: &'static str,
    },
}

impl Error {
    /// The reply a server sends for this error (RFC 5321 §4.2.2, RFC 3463).
    ///
    /// ```
    /// use mailroom_mta_core::Command;
    /// let error = Command::parse("FROB x", false).unwrap_err();
    /// assert_eq!(error.reply().to_string(), "500 5.5.1 command not recognized: `FROB`\r\n");
    /// ```
    pub fn reply(&self) -> Reply {
        let (code, enhanced) = match self {
            Self::UnknownCommand { .. } => (500, EnhancedCode::new(5, 5, 1)),
            Self::Syntax { .. } | Self::BadParameter { .. } => (501, EnhancedCode::new(5, 5, 4)),
            Self::TooLong {
                part: "message line",
                ..
            } => (550, EnhancedCode::new(5, 6, 0)),
            Self::TooLong { .. } => (501, EnhancedCode::new(5, 5, 4)),
            Self::UnknownParameter { .. } => (555, EnhancedCode::new(5, 5, 4)),
            // RFC 6531 §3.5: 553 5.6.7 for a non-ASCII address without SMTPUTF8.
            Self::Utf8NotAllowed => (553, EnhancedCode::new(5, 6, 7)),
            Self::Reply { .. } => (500, EnhancedCode::new(5, 5, 2)),
            Self::Misuse { .. } => (451, EnhancedCode::new(4, 3, 0)),
            Self::Proxy { .. } => (421, EnhancedCode::new(4, 7, 0)),
            // RFC 3463: 5.6.0 other media error; RFC 5321 §2.3.8 forbids bare CR and LF.
            Self::BareLineEnd => (550, EnhancedCode::new(5, 6, 0)),
            // RFC 1870 §6.2: 552 for a message over the declared maximum.
            Self::MessageTooLarge { .. } => (552, EnhancedCode::new(5, 3, 4)),
        };
        Reply::new(code, Some(enhanced), self.to_string())
    }
}

/// Shortens text quoted in an error.
pub(crate) fn shorten(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
