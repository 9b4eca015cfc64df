//! The XML of an aggregate report, in the element order of the RFC 9990 Appendix A schema.
//!
//! Text is escaped for XML 1.0: `&`, `<` and `>` as entities, a carriage return and white
//! space at either end of a value and the controls XML 1.0 allows (DEL and C1) as character
//! references (so a parser that trims the indentation gets the value back, and no control
//! character is ever written raw), and the characters XML 1.0 does not allow at all (the other
//! C0 controls, U+FFFE, U+FFFF) as U+FFFD, since not even a character reference may name them
//! (XML 1.0 §2.2).

use std::fmt::Write as _;

use super::model::{
    AggregateReport, AuthResults, NAMESPACE, OverrideType, PolicyPublished, ReportMetadata,
    ReportRecord, SpfScope, VERSION,
};
use crate::record::Alignment;

impl AggregateReport {
    /// The report as RFC 9990 XML (UTF-8, LF line ends, in the `dmarc-2.0` namespace).
    ///
    /// What RFC 9990 has no place for is left out or mapped: `pct`, an SPF `helo` scope, SPF
    /// results after the first, and the override reasons `forwarded` and `sampled_out`
    /// (written as `other`). Several `errors` are joined with `"; "`. A report must have at
    /// least one record to be valid.
    ///
    /// ```
    /// use mailroom_dmarc::report::AggregateReport;
    /// let xml = r#"<feedback><report_metadata><org_name>Example</org_name>
    ///   <email>dmarc@example.net</email><report_id>r1</report_id>
    ///   <date_range><begin>0</begin><end>86400</end></date_range></report_metadata>
    ///   <policy_published><domain>example.com</domain><p>reject</p></policy_published>
    ///   <record><row><source_ip>192.0.2.1</source_ip><count>2</count><policy_evaluated>
    ///   <disposition>reject</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated>
    ///   </row><identifiers><header_from>example.com</header_from></identifiers>
    ///   <auth_results/></record></feedback>"#;
    /// let report = AggregateReport::parse_xml(xml.as_bytes())?;
    /// let written = report.to_xml();
    /// assert!(written.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback xmlns="));
    /// assert_eq!(AggregateReport::parse_xml(written.as_bytes())?.records, report.records);
    /// # Ok::<(), mailroom_dmarc::Error>(())
    /// ```
    #[must_use]
    pub fn to_xml(&self) -> String {
        let mut out = Writer::default();
        out.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.raw(&format!("<feedback xmlns=\"{NAMESPACE}\">\n"));
        out.depth = 1;
        out.leaf("version", VERSION);
        write_metadata(&mut out, &self.metadata);
        write_policy(&mut out, &self.policy);
        for record in &self.records {
            write_record(&mut out, record);
        }
        out.depth = 0;
        out.raw("</feedback>\n");
        out.text
    }
}

fn write_metadata(out: &mut Writer, metadata: &ReportMetadata) {
    out.open("report_metadata");
    out.leaf("org_name", &metadata.org_name);
    out.leaf("email", &metadata.email);
    if let Some(info) = &metadata.extra_contact_info {
        out.leaf("extra_contact_info", info);
    }
    out.leaf("report_id", &metadata.report_id);
    out.open("date_range");
    out.leaf("begin", &metadata.begin.to_string());
    out.leaf("end", &metadata.end.to_string());
    out.close("date_range");
    if !metadata.errors.is_empty() {
        // RFC 9990 Appendix A: `error` is in an `xs:all` group, so it occurs at most once.
        out.leaf("error", &metadata.errors.join("; "));
    }
    if let Some(generator) = &metadata.generator {
        out.leaf("generator", generator);
    }
    out.close("report_metadata");
}

fn write_policy(out: &mut Writer, policy: &PolicyPublished) {
    out.open("policy_published");
    out.leaf("domain", &policy.domain);
    if let Some(method) = policy.discovery_method {
        out.leaf("discovery_method", method.as_str());
    }
    out.leaf("p", policy.p.as_str());
    // `sp` is required; a record without one applies `p` to subdomains (RFC 9989 §4.7).
    out.leaf("sp", policy.sp.unwrap_or(policy.p).as_str());
    if let Some(np) = policy.np {
        out.leaf("np", np.as_str());
    }
    if let Some(adkim) = policy.adkim {
        out.leaf("adkim", alignment(adkim));
    }
    if let Some(aspf) = policy.aspf {
        out.leaf("aspf", alignment(aspf));
    }
    if let Some(fo) = &policy.fo {
        out.leaf("fo", fo);
    }
    if let Some(testing) = policy.testing {
        out.leaf("testing", if testing { "y" } else { "n" });
    }
    out.close("policy_published");
}

fn write_record(out: &mut Writer, record: &ReportRecord) {
    out.open("record");
    out.open("row");
    out.leaf("source_ip", &record.source_ip.to_string());
    out.leaf("count", &record.count.to_string());
    let evaluated = &record.policy_evaluated;
    out.open("policy_evaluated");
    out.leaf("disposition", evaluated.disposition.as_str());
    out.leaf("dkim", evaluated.dkim.as_str());
    out.leaf("spf", evaluated.spf.as_str());
    for reason in &evaluated.reasons {
        out.open("reason");
        let kind = match reason.kind {
            // Not in RFC 9990's PolicyOverrideType.
            OverrideType::Forwarded | OverrideType::SampledOut => OverrideType::Other,
            kind => kind,
        };
        out.leaf("type", kind.as_str());
        if let Some(comment) = &reason.comment {
            out.leaf("comment", comment);
        }
        out.close("reason");
    }
    out.close("policy_evaluated");
    out.close("row");
    let ids = &record.identifiers;
    out.open("identifiers");
    out.leaf("header_from", &ids.header_from);
    if let Some(from) = &ids.envelope_from {
        out.leaf("envelope_from", from);
    }
    if let Some(to) = &ids.envelope_to {
        out.leaf("envelope_to", to);
    }
    out.close("identifiers");
    write_auth_results(out, &record.auth_results);
    out.close("record");
}

fn write_auth_results(out: &mut Writer, results: &AuthResults) {
    if results.dkim.is_empty() && results.spf.is_empty() {
        out.empty("auth_results");
        return;
    }
    out.open("auth_results");
    for dkim in &results.dkim {
        out.open("dkim");
        out.leaf("domain", &dkim.domain);
        out.leaf("selector", &dkim.selector);
        out.leaf("result", dkim.result.as_str());
        if let Some(human) = &dkim.human_result {
            out.leaf("human_result", human);
        }
        out.close("dkim");
    }
    // RFC 9990 Appendix A: at most one `spf`, for the MAIL FROM identity.
    if let Some(spf) = results.spf.first() {
        out.open("spf");
        out.leaf("domain", &spf.domain);
        if spf.scope == Some(SpfScope::MailFrom) {
            out.leaf("scope", SpfScope::MailFrom.as_str());
        }
        out.leaf("result", spf.result.as_str());
        if let Some(human) = &spf.human_result {
            out.leaf("human_result", human);
        }
        out.close("spf");
    }
    out.close("auth_results");
}

fn alignment(mode: Alignment) -> &'static str {
    match mode {
        Alignment::Relaxed => "r",
        Alignment::Strict => "s",
    }
}

/// An indenting writer of elements.
#[derive(Default)]
struct Writer {
    text: String,
    depth: usize,
}

impl Writer {
    fn raw(&mut self, text: &str) {
        self.text.push_str(text);
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.text.push_str("  ");
        }
    }

    fn open(&mut self, name: &str) {
        self.indent();
        let _ = writeln!(self.text, "<{name}>");
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.indent();
        let _ = writeln!(self.text, "</{name}>");
    }

    fn empty(&mut self, name: &str) {
        self.indent();
        let _ = writeln!(self.text, "<{name}/>");
    }

    fn leaf(&mut self, name: &str, value: &str) {
        self.indent();
        let _ = write!(self.text, "<{name}>");
        escape_into(&mut self.text, value);
        let _ = writeln!(self.text, "</{name}>");
    }
}

/// Appends `value` escaped as XML 1.0 character data.
pub(crate) fn escape_into(out: &mut String, value: &str) {
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    let lead = value.len() - value.trim_start_matches(is_space).len();
    let trail_start = value.trim_end_matches(is_space).len().max(lead);
    for (at, c) in value.char_indices() {
        let edge = at < lead || at >= trail_start;
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // A literal CR would come back as LF (XML 1.0 §2.11).
            '\r' => out.push_str("&#13;"),
            ' ' | '\t' | '\n' if edge => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            '\t' | '\n' => out.push(c),
            // Allowed by XML 1.0 but control characters all the same (§2.2 discourages
            // them): written as references, never raw.
            '\u{7F}'..='\u{9F}' => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// Whether XML 1.0 allows `c` in a document (XML 1.0 §2.2, production `Char`).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::escape_into;

    fn escaped(value: &str) -> String {
        let mut out = String::new();
        escape_into(&mut out, value);
        out
    }

    #[test]
    fn escapes() {
        assert_eq!(escaped("a<b>&c"), "a&lt;b&gt;&amp;c");
        assert_eq!(escaped(" a b "), "&#32;a b&#32;");
        assert_eq!(escaped("a\r\nb"), "a&#13;\nb");
        assert_eq!(escaped("\u{1}x\u{FFFF}"), "\u{FFFD}x\u{FFFD}");
        assert_eq!(escaped("\u{7F}\u{85}"), "&#127;&#133;");
        assert_eq!(escaped("\t"), "&#9;");
        assert_eq!(escaped(""), "");
    }
}
