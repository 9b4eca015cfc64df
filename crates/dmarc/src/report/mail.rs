//! The e-mail that carries a report (RFC 9990, "Email"): the Subject, the attachment's file
//! name, and a MIME multipart/mixed message with a short text part and the gzip-compressed
//! XML as `application/gzip` (RFC 6713), with CRLF line ends.
//!
//! ```text
//! filename      = receiver "!" policy-domain "!" begin-timestamp "!" end-timestamp
//!                 [ "!" unique-id ] "." extension      ; extension "xml" / "xml.gz"
//! unique-id     = 1*(ALPHA / DIGIT)
//! dmarc-subject = %s"Report" 1*FWS %s"Domain:" 1*FWS domain-name 1*FWS
//!                 %s"Submitter:" 1*FWS domain-name 1*FWS [ %s"Report-ID:" 1*FWS ridtxt ]
//! ridtxt        = ("<" ridfmt ">") / ridfmt
//! ridfmt        = dot-atom-text ["@" dot-atom-text]  ; RFC 5322
//! ```

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::archive::gzip;
use super::model::AggregateReport;
use crate::error::{Error, shorten};

/// What the message needs besides the report; time and identifiers come from the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailOptions<'a> {
    /// The From field's value, e.g. `DMARC reports <dmarc@receiver.example>` (ASCII; the
    /// message must pass DMARC itself, RFC 9990 "Email").
    pub from: &'a str,
    /// The To field's value: the `mailto:` addresses of the `rua` tag (ASCII).
    pub to: &'a str,
    /// The domain of the receiver sending the report: the Subject's `Submitter:` and the
    /// file name's `receiver`.
    pub submitter: &'a str,
    /// The Date field's value, an RFC 5322 `date-time` the caller formats.
    pub date: &'a str,
    /// The Message-ID, without the angle brackets (RFC 9990 suggests building it from the
    /// Report-ID).
    pub message_id: &'a str,
    /// The file name's optional `unique-id`, for a receiver whose several systems report
    /// at once.
    pub unique_id: Option<&'a str>,
}

fn bad(field: &'static str, value: &str) -> Error {
    Error::ReportField {
        field,
        value: shorten(value),
    }
}

/// A domain as it may stand in a file name or a Subject: its A-labels.
fn domain(field: &'static str, name: &str) -> Result<String, Error> {
    let ascii = mailroom_dns::to_ascii(name).map_err(|_| bad(field, name))?;
    let ok = !ascii.is_empty()
        && ascii
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if ok { Ok(ascii) } else { Err(bad(field, name)) }
}

/// RFC 5322 §3.2.3 `atext`.
fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

/// RFC 5322 §3.2.3 `dot-atom-text`.
fn is_dot_atom_text(text: &str) -> bool {
    !text.is_empty()
        && text
            .split('.')
            .all(|atom| !atom.is_empty() && atom.bytes().all(is_atext))
}

/// `ridfmt`: a dot-atom-text, optionally `@` and another.
fn is_ridfmt(text: &str) -> bool {
    match text.split_once('@') {
        Some((left, right)) => is_dot_atom_text(left) && is_dot_atom_text(right),
        None => is_dot_atom_text(text),
    }
}

/// A header field value the caller gives: printable ASCII and spaces, no line breaks.
fn header_value(field: &'static str, value: &str) -> Result<(), Error> {
    let ok = !value.trim().is_empty() && value.bytes().all(|b| b == b' ' || b.is_ascii_graphic());
    if ok { Ok(()) } else { Err(bad(field, value)) }
}

impl AggregateReport {
    /// The file name of the gzip attachment (RFC 9990):
    /// `receiver!policy-domain!begin!end[!unique-id].xml.gz`, domains as A-labels.
    ///
    /// ```
    /// # use mailroom_dmarc::report::AggregateReport;
    /// # let xml = "<feedback><report_metadata><org_name>o</org_name><email>e</email><report_id>r</report_id><date_range><begin>1013662812</begin><end>1013749130</end></date_range></report_metadata><policy_published><domain>example.com</domain><p>none</p></policy_published></feedback>";
    /// let report = AggregateReport::parse_xml(xml.as_bytes())?;
    /// assert_eq!(
    ///     report.filename("mail.receiver.example", None)?,
    ///     "mail.receiver.example!example.com!1013662812!1013749130.xml.gz"
    /// );
    /// # Ok::<(), mailroom_dmarc::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::ReportField`] when a domain is not a domain name, or the unique id is not
    /// letters and digits.
    pub fn filename(&self, receiver: &str, unique_id: Option<&str>) -> Result<String, Error> {
        let receiver = domain("receiver domain", receiver)?;
        let policy = domain("policy domain", &self.policy.domain)?;
        let mut name = format!(
            "{receiver}!{policy}!{}!{}",
            self.metadata.begin, self.metadata.end
        );
        if let Some(id) = unique_id {
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(bad("unique-id", id));
            }
            name.push('!');
            name.push_str(id);
        }
        name.push_str(".xml.gz");
        Ok(name)
    }

    /// The Subject field's value (RFC 9990), unfolded:
    /// `Report Domain: <policy domain> Submitter: <submitter> Report-ID: <<report id>>`.
    ///
    /// # Errors
    ///
    /// [`Error::ReportField`] when a domain is not a domain name, or the report id is not
    /// RFC 9990's `ridfmt` (a dot-atom-text, optionally `@` and another).
    pub fn subject(&self, submitter: &str) -> Result<String, Error> {
        let policy = domain("policy domain", &self.policy.domain)?;
        let submitter = domain("submitter domain", submitter)?;
        let id = &self.metadata.report_id;
        if !is_ridfmt(id) {
            return Err(bad("Report-ID", id));
        }
        Ok(format!(
            "Report Domain: {policy} Submitter: {submitter} Report-ID: <{id}>"
        ))
    }

    /// The whole message carrying the report, CRLF line ends throughout, ready for SMTP.
    ///
    /// ```
    /// # use mailroom_dmarc::report::{AggregateReport, MailOptions};
    /// # let xml = "<feedback><report_metadata><org_name>o</org_name><email>e</email><report_id>r1</report_id><date_range><begin>0</begin><end>86399</end></date_range></report_metadata><policy_published><domain>example.com</domain><p>none</p></policy_published></feedback>";
    /// # let report = AggregateReport::parse_xml(xml.as_bytes())?;
    /// let message = report.to_message(&MailOptions {
    ///     from: "DMARC <dmarc@receiver.example>",
    ///     to: "reports@example.com",
    ///     submitter: "receiver.example",
    ///     date: "Thu, 01 Jan 1970 23:59:59 +0000",
    ///     message_id: "r1@receiver.example",
    ///     unique_id: None,
    /// })?;
    /// let text = String::from_utf8(message).unwrap();
    /// assert!(text.contains("Subject: Report Domain: example.com\r\n Submitter: receiver.example\r\n Report-ID: <r1>\r\n"));
    /// assert!(text.contains("filename=\"receiver.example!example.com!0!86399.xml.gz\""));
    /// # Ok::<(), mailroom_dmarc::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::ReportField`] for a header value with a line break or a non-ASCII character,
    /// and the errors of [`filename`](Self::filename) and [`subject`](Self::subject).
    pub fn to_message(&self, options: &MailOptions<'_>) -> Result<Vec<u8>, Error> {
        header_value("From", options.from)?;
        header_value("To", options.to)?;
        header_value("Date", options.date)?;
        if !is_ridfmt(options.message_id) {
            return Err(bad("Message-ID", options.message_id));
        }
        let filename = self.filename(options.submitter, options.unique_id)?;
        // Checked by `subject` first.
        self.subject(options.submitter)?;
        let policy = domain("policy domain", &self.policy.domain)?;
        let submitter = domain("submitter domain", options.submitter)?;
        let id = &self.metadata.report_id;
        let text = format!(
            "This is a DMARC aggregate report (RFC 9990).\r\n\r\n\
             Policy domain: {policy}\r\n\
             Submitter: {submitter}\r\n\
             Period: {} to {} (seconds since 1970-01-01 UTC)\r\n\
             Report-ID: <{id}>\r\n",
            self.metadata.begin, self.metadata.end
        );
        let boundary = boundary(&text, &filename);
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = write!(
            out,
            "From: {}\r\nTo: {}\r\n\
             Subject: Report Domain: {policy}\r\n Submitter: {submitter}\r\n Report-ID: <{id}>\r\n\
             Date: {}\r\nMessage-ID: <{}>\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed;\r\n boundary=\"{boundary}\"\r\n\r\n\
             This is a multi-part message in MIME format.\r\n\r\n\
             --{boundary}\r\n\
             Content-Type: text/plain; charset=\"us-ascii\"\r\n\
             Content-Transfer-Encoding: 7bit\r\n\r\n\
             {text}\r\n\
             --{boundary}\r\n\
             Content-Type: application/gzip;\r\n name=\"{filename}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\
             Content-Disposition: attachment;\r\n filename=\"{filename}\"\r\n\r\n",
            options.from, options.to, options.date, options.message_id,
        );
        let encoded = STANDARD.encode(gzip(self.to_xml().as_bytes()));
        // RFC 2045 §6.8: lines of at most 76 characters.
        for line in encoded.as_bytes().chunks(76) {
            out.push_str(std::str::from_utf8(line).unwrap_or_default());
            out.push_str("\r\n");
        }
        let _ = write!(out, "--{boundary}--\r\n");
        Ok(out.into_bytes())
    }
}

/// A MIME boundary that the text part does not contain (RFC 2046 §5.1.1), the same for the
/// same report. `=_` cannot occur in base64, so the attachment never contains it.
fn boundary(text: &str, filename: &str) -> String {
    // FNV-1a, only to vary the boundary from report to report.
    let hash = filename.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let mut boundary = format!("=_dmarc_{hash:016x}");
    while text.contains(&boundary) {
        boundary.push('_');
    }
    boundary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_ids() {
        assert!(is_ridfmt("abc.def@example.com"));
        assert!(is_ridfmt("12345"));
        assert!(!is_ridfmt("a b"));
        assert!(!is_ridfmt("a..b"));
        assert!(!is_ridfmt("<a>"));
        assert!(!is_ridfmt("a@b@c"));
        assert!(!is_ridfmt(""));
    }

    #[test]
    fn header_values() {
        assert!(header_value("From", "A <a@example.com>").is_ok());
        assert!(header_value("From", "a@example.com\r\nBcc: x@example.com").is_err());
        assert!(header_value("From", "é").is_err());
        assert!(header_value("From", " ").is_err());
    }
}
