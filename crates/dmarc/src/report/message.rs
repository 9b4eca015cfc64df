//! Finding the report in an incoming message: the first MIME part that is gzip, zip or XML,
//! by media type or by file name (RFC 9990 says report consumers extract the parts with the
//! prescribed media type and file name and ignore the rest; RFC 7489 reporters often used
//! `application/zip` or `application/octet-stream`).

use mail_parser::{MessageParser, MimeHeaders, PartType};

use super::model::AggregateReport;
use super::parse::ParseLimits;
use super::problem::MailProblem;
use crate::error::Error;

const REPORT_TYPES: &[(&str, &str)] = &[
    ("application", "gzip"),
    ("application", "x-gzip"),
    ("application", "zip"),
    ("application", "x-zip"),
    ("application", "x-zip-compressed"),
    ("application", "xml"),
    ("text", "xml"),
];

const REPORT_SUFFIXES: &[&str] = &[".xml", ".xml.gz", ".gz", ".zip"];

impl AggregateReport {
    /// Parses the report a message carries, with the default [`ParseLimits`]: the first
    /// part whose media type or file name says gzip, zip or XML and that parses.
    ///
    /// ```
    /// use mailroom_dmarc::report::AggregateReport;
    /// let message = b"From: reports@receiver.example\r\nSubject: Report Domain: example.com Submitter: receiver.example\r\n\
    /// Content-Type: text/xml\r\n\r\n\
    /// <feedback><report_metadata><org_name>o</org_name><email>e</email><report_id>r</report_id>\
    /// <date_range><begin>1</begin><end>2</end></date_range></report_metadata>\
    /// <policy_published><domain>example.com</domain><p>none</p></policy_published></feedback>\r\n";
    /// let report = AggregateReport::from_message(message)?;
    /// assert_eq!(report.policy.domain, "example.com");
    /// # Ok::<(), mailroom_dmarc::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::ReportMail`] when the message cannot be read or has no such part; otherwise
    /// the first part's error from [`parse`](Self::parse).
    pub fn from_message(message: &[u8]) -> Result<Self, Error> {
        Self::from_message_with(message, &ParseLimits::default())
    }

    /// [`from_message`](Self::from_message) with the given limits.
    ///
    /// # Errors
    ///
    /// As for [`from_message`](Self::from_message).
    pub fn from_message_with(message: &[u8], limits: &ParseLimits) -> Result<Self, Error> {
        let parsed = MessageParser::default()
            .parse(message)
            .ok_or(Error::ReportMail {
                problem: MailProblem::Unreadable,
            })?;
        let mut first_error = None;
        for part in &parsed.parts {
            if matches!(part.body, PartType::Multipart(_) | PartType::Message(_)) {
                continue;
            }
            let by_type = part.content_type().is_some_and(|ct| {
                REPORT_TYPES.iter().any(|(main, sub)| {
                    ct.ctype().eq_ignore_ascii_case(main)
                        && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case(sub))
                })
            });
            let by_name = part.attachment_name().is_some_and(|name| {
                let name = name.to_ascii_lowercase();
                REPORT_SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
            });
            if !by_type && !by_name {
                continue;
            }
            match Self::parse_with(part.contents(), limits) {
                Ok(report) => return Ok(report),
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        Err(first_error.unwrap_or(Error::ReportMail {
            problem: MailProblem::NoReport,
        }))
    }
}
