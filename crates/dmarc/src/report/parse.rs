//! Reading aggregate reports: RFC 9990 (with or without its namespace) and RFC 7489
//! Appendix C, from XML that may be hostile (RFC 9990, "Report Contents as an Attack").
//!
//! The XML is read with quick-xml into a small tree of the elements this module knows, then
//! mapped onto the model. Elements in other namespaces (extensions) and elements of unknown
//! names are skipped with everything inside them. No DTD is accepted, so no entity can be
//! declared, let alone expanded from outside; the five predefined entities and character
//! references are the only references read. Size, depth, element count, text length, record
//! count and DKIM results per record are capped by [`ParseLimits`].
//!
//! Raw white space around a value (the indentation) is trimmed; white space written as a
//! character reference is kept, which is how the writer protects it.

use std::net::IpAddr;

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::archive;
use super::model::{
    ActionDisposition, AggregateReport, AuthResults, DiscoveryMethod, DkimAuthResult, DkimResult,
    EvaluatedResult, NAMESPACE, OverrideReason, OverrideType, PolicyEvaluated, PolicyPublished,
    RecordIdentifiers, ReportMetadata, ReportRecord, SpfAuthResult, SpfResult, SpfScope,
};
use super::problem::{ReportLimit, XmlProblem};
use super::write::is_xml_char;
use crate::error::{Error, shorten};
use crate::record::{Alignment, Policy};

/// The namespace of the pre-RFC 7489 draft schema, seen in some older reports.
const LEGACY_NAMESPACE: &str = "http://dmarc.org/dmarc-xml/0.1";

/// Caps on what a report may make the parser do. The defaults allow any report a real
/// receiver sends (a few thousand records) with room to spare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseLimits {
    /// The most bytes of XML, after any decompression (default 32 MiB).
    pub max_size: usize,
    /// The deepest nesting of elements (default 32; a report needs 5).
    pub max_depth: usize,
    /// The most elements (default 4,000,000).
    pub max_elements: usize,
    /// The most `<record>` elements (default 100,000).
    pub max_records: usize,
    /// The longest text of one element, in bytes (default 64 KiB).
    pub max_text: usize,
    /// The most `<dkim>` results in one record (default 1,000; RFC 9990 asks reporters
    /// for at most 100).
    pub max_dkim_results: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        Self {
            max_size: 32 << 20,
            max_depth: 32,
            max_elements: 4_000_000,
            max_records: 100_000,
            max_text: 64 << 10,
            max_dkim_results: 1_000,
        }
    }
}

impl AggregateReport {
    /// Parses a report from plain XML, a gzip file or a zip file, told apart by their first
    /// bytes, with the default [`ParseLimits`].
    ///
    /// ```
    /// use mailroom_dmarc::report::{ActionDisposition, AggregateReport};
    /// let xml = br#"<?xml version="1.0"?>
    /// <feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">
    ///   <version>1.0</version>
    ///   <report_metadata>
    ///     <org_name>Example Receiver</org_name><email>dmarc@receiver.example</email>
    ///     <report_id>42</report_id><date_range><begin>1700000000</begin><end>1700086400</end></date_range>
    ///   </report_metadata>
    ///   <policy_published><domain>example.com</domain><p>quarantine</p><sp>none</sp></policy_published>
    ///   <record>
    ///     <row><source_ip>2001:db8::25</source_ip><count>3</count>
    ///       <policy_evaluated><disposition>quarantine</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
    ///     <identifiers><header_from>example.com</header_from></identifiers>
    ///     <auth_results><spf><domain>example.com</domain><result>softfail</result></spf></auth_results>
    ///   </record>
    /// </feedback>"#;
    /// let report = AggregateReport::parse(xml)?;
    /// assert_eq!(report.metadata.org_name, "Example Receiver");
    /// assert_eq!(report.records[0].count, 3);
    /// assert_eq!(report.records[0].policy_evaluated.disposition, ActionDisposition::Quarantine);
    /// # Ok::<(), mailroom_dmarc::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::ReportArchive`] for a corrupt gzip or zip file, [`Error::ReportLimit`] when a
    /// limit is exceeded, and the errors of [`parse_xml`](Self::parse_xml).
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        Self::parse_with(bytes, &ParseLimits::default())
    }

    /// [`parse`](Self::parse) with the given limits.
    ///
    /// # Errors
    ///
    /// As for [`parse`](Self::parse).
    pub fn parse_with(bytes: &[u8], limits: &ParseLimits) -> Result<Self, Error> {
        let xml = archive::unpack(bytes, limits.max_size)?;
        Self::parse_xml_with(&xml, limits)
    }

    /// Parses a report from XML, with the default [`ParseLimits`].
    ///
    /// # Errors
    ///
    /// [`Error::ReportXml`] for XML that is not well-formed or uses a DTD,
    /// [`Error::ReportNotFeedback`] when the root is not `<feedback>`,
    /// [`Error::ReportMissing`], [`Error::ReportDuplicate`] and [`Error::ReportValue`] naming
    /// the element at fault, and [`Error::ReportLimit`].
    pub fn parse_xml(xml: &[u8]) -> Result<Self, Error> {
        Self::parse_xml_with(xml, &ParseLimits::default())
    }

    /// [`parse_xml`](Self::parse_xml) with the given limits.
    ///
    /// # Errors
    ///
    /// As for [`parse_xml`](Self::parse_xml).
    pub fn parse_xml_with(xml: &[u8], limits: &ParseLimits) -> Result<Self, Error> {
        if xml.len() > limits.max_size {
            return Err(limit(ReportLimit::Size, limits.max_size));
        }
        let text = std::str::from_utf8(xml).map_err(|e| Error::ReportXml {
            offset: e.valid_up_to() as u64,
            problem: XmlProblem::NotUtf8,
        })?;
        let root = read_tree(text.strip_prefix('\u{FEFF}').unwrap_or(text), limits)?;
        report(&root, limits)
    }
}

fn limit(limit: ReportLimit, max: usize) -> Error {
    Error::ReportLimit {
        limit,
        max: max as u64,
    }
}

/// The element names the mapping reads; anything else is skipped.
const KNOWN: &[&str] = &[
    "feedback",
    "version",
    "report_metadata",
    "org_name",
    "email",
    "extra_contact_info",
    "report_id",
    "date_range",
    "begin",
    "end",
    "error",
    "generator",
    "policy_published",
    "domain",
    "discovery_method",
    "p",
    "sp",
    "np",
    "adkim",
    "aspf",
    "fo",
    "testing",
    "pct",
    "record",
    "row",
    "source_ip",
    "count",
    "policy_evaluated",
    "disposition",
    "dkim",
    "spf",
    "reason",
    "type",
    "comment",
    "identifiers",
    "envelope_to",
    "envelope_from",
    "header_from",
    "auth_results",
    "selector",
    "result",
    "human_result",
    "scope",
];

/// An element of the tree: its name, its text (for leaves) and its known children.
#[derive(Debug, Default)]
struct Node {
    name: &'static str,
    text: String,
    children: Vec<Self>,
}

/// An element being read: where its protected text (from references and CDATA) starts and
/// ends, so that only the raw white space around it is trimmed.
struct Open {
    node: Node,
    protected_start: Option<usize>,
    protected_end: usize,
}

impl Open {
    fn push_raw(&mut self, text: &str) {
        self.node.text.push_str(text);
    }

    fn push_protected(&mut self, text: &str) {
        self.protected_start.get_or_insert(self.node.text.len());
        self.node.text.push_str(text);
        self.protected_end = self.node.text.len();
    }

    fn finish(self) -> Node {
        let Self {
            mut node,
            protected_start,
            protected_end,
        } = self;
        let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
        let end = node.text[protected_end..].trim_end_matches(is_space).len() + protected_end;
        node.text.truncate(end);
        let head = protected_start.unwrap_or(node.text.len());
        let lead = head - node.text[..head].trim_start_matches(is_space).len();
        node.text.drain(..lead);
        node
    }
}

fn read_tree(text: &str, limits: &ParseLimits) -> Result<Node, Error> {
    let mut reader = NsReader::from_str(text);
    let config = reader.config_mut();
    config.expand_empty_elements = true;
    config.check_end_names = true;
    let mut stack: Vec<Open> = Vec::new();
    let mut skipping = 0usize;
    let mut elements = 0usize;
    let mut records = 0usize;
    let mut started = false;
    loop {
        let malformed = |reader: &NsReader<&[u8]>, problem| Error::ReportXml {
            offset: reader.error_position(),
            problem,
        };
        let (resolved, event) = match reader.read_resolved_event() {
            Ok((resolved, event)) => (our_namespace(&resolved), event),
            Err(quick_xml::Error::Escape(_)) => return Err(malformed(&reader, XmlProblem::Entity)),
            Err(_) => return Err(malformed(&reader, XmlProblem::Malformed)),
        };
        let here = |reader: &NsReader<&[u8]>, problem| Error::ReportXml {
            offset: reader.buffer_position(),
            problem,
        };
        match event {
            Event::Start(start) => {
                elements += 1;
                if elements > limits.max_elements {
                    return Err(limit(ReportLimit::Elements, limits.max_elements));
                }
                if stack.len() + skipping >= limits.max_depth {
                    return Err(limit(ReportLimit::Depth, limits.max_depth));
                }
                let local = start.local_name();
                let local = local.as_ref();
                if !started {
                    started = true;
                    if local != "feedback" || !resolved {
                        return Err(Error::ReportNotFeedback {
                            root: shorten(start.name().as_ref()),
                        });
                    }
                }
                let known = KNOWN.iter().find(|name| **name == local);
                match known {
                    Some(&name) if skipping == 0 && resolved => {
                        if name == "record" && stack.len() == 1 {
                            records += 1;
                            if records > limits.max_records {
                                return Err(limit(ReportLimit::Records, limits.max_records));
                            }
                        }
                        stack.push(Open {
                            node: Node {
                                name,
                                ..Node::default()
                            },
                            protected_start: None,
                            protected_end: 0,
                        });
                    }
                    _ => skipping += 1,
                }
            }
            Event::End(_) => {
                if skipping > 0 {
                    skipping -= 1;
                    continue;
                }
                let Some(open) = stack.pop() else {
                    return Err(here(&reader, XmlProblem::Malformed));
                };
                let node = open.finish();
                match stack.last_mut() {
                    Some(parent) => parent.node.children.push(node),
                    None => return Ok(node),
                }
            }
            Event::Text(text) => {
                if let (0, Some(open)) = (skipping, stack.last_mut()) {
                    open.push_raw(&text.xml10_content());
                    check_text(open, limits)?;
                }
            }
            Event::CData(data) => {
                if let (0, Some(open)) = (skipping, stack.last_mut()) {
                    let content = data.xml10_content();
                    if !content.chars().all(is_xml_char) {
                        return Err(here(&reader, XmlProblem::Entity));
                    }
                    open.push_protected(&content);
                    check_text(open, limits)?;
                }
            }
            Event::GeneralRef(reference) => {
                let c = match reference.resolve_char_ref() {
                    Ok(Some(c)) if is_xml_char(c) => c,
                    Ok(Some(_)) | Err(_) => return Err(here(&reader, XmlProblem::Entity)),
                    Ok(None) => match reference.as_ref() {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        _ => return Err(here(&reader, XmlProblem::Entity)),
                    },
                };
                if let (0, Some(open)) = (skipping, stack.last_mut()) {
                    open.push_protected(c.encode_utf8(&mut [0; 4]));
                    check_text(open, limits)?;
                }
            }
            Event::DocType(_) => return Err(here(&reader, XmlProblem::Doctype)),
            Event::Eof => {
                let problem = if started {
                    XmlProblem::Malformed
                } else {
                    XmlProblem::Empty
                };
                return Err(here(&reader, problem));
            }
            // Declarations, comments and processing instructions carry nothing for us.
            Event::Empty(_) | Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
}

/// Whether an element is in no namespace or in a DMARC one.
fn our_namespace(resolved: &ResolveResult<'_>) -> bool {
    match resolved {
        ResolveResult::Unbound => true,
        ResolveResult::Bound(ns) => ns.as_ref() == NAMESPACE || ns.as_ref() == LEGACY_NAMESPACE,
        ResolveResult::Unknown(_) => false,
    }
}

fn check_text(open: &Open, limits: &ParseLimits) -> Result<(), Error> {
    if open.node.text.len() > limits.max_text {
        return Err(limit(ReportLimit::Text, limits.max_text));
    }
    Ok(())
}

/// The one child named `name`, if any.
fn child<'a>(parent: &'a Node, name: &'static str) -> Result<Option<&'a Node>, Error> {
    let mut found = parent.children.iter().filter(|c| c.name == name);
    let first = found.next();
    if found.next().is_some() {
        return Err(Error::ReportDuplicate {
            parent: parent.name,
            element: name,
        });
    }
    Ok(first)
}

fn required<'a>(parent: &'a Node, name: &'static str) -> Result<&'a Node, Error> {
    child(parent, name)?.ok_or(Error::ReportMissing {
        parent: parent.name,
        element: name,
    })
}

fn text<'a>(parent: &'a Node, name: &'static str) -> Result<Option<&'a str>, Error> {
    Ok(child(parent, name)?.map(|node| node.text.as_str()))
}

fn required_text<'a>(parent: &'a Node, name: &'static str) -> Result<&'a str, Error> {
    Ok(required(parent, name)?.text.as_str())
}

fn invalid(element: &'static str, value: &str) -> Error {
    Error::ReportValue {
        element,
        value: shorten(value),
    }
}

/// A value read with `parse`; an empty optional element counts as absent.
fn value<T>(
    parent: &Node,
    name: &'static str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, Error> {
    match text(parent, name)? {
        None | Some("") => Ok(None),
        Some(text) => parse(text).map(Some).ok_or_else(|| invalid(name, text)),
    }
}

fn required_value<T>(
    parent: &Node,
    name: &'static str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, Error> {
    let text = required_text(parent, name)?;
    parse(text).ok_or_else(|| invalid(name, text))
}

fn policy(text: &str) -> Option<Policy> {
    [Policy::None, Policy::Quarantine, Policy::Reject]
        .into_iter()
        .find(|p| p.as_str().eq_ignore_ascii_case(text))
}

fn alignment(text: &str) -> Option<Alignment> {
    match text {
        "r" | "R" | "relaxed" => Some(Alignment::Relaxed),
        "s" | "S" | "strict" => Some(Alignment::Strict),
        _ => None,
    }
}

fn yes_no(text: &str) -> Option<bool> {
    match text {
        "y" | "Y" => Some(true),
        "n" | "N" => Some(false),
        _ => None,
    }
}

fn spf_result(text: &str) -> Option<SpfResult> {
    // RFC 7489 Appendix C notes that temperror is commonly written "unknown", and permerror
    // "error".
    SpfResult::from_name(text).or(match text.to_ascii_lowercase().as_str() {
        "unknown" => Some(SpfResult::TempError),
        "error" => Some(SpfResult::PermError),
        _ => None,
    })
}

fn report(root: &Node, limits: &ParseLimits) -> Result<AggregateReport, Error> {
    let version = text(root, "version")?.map(str::to_owned);
    let metadata = metadata(required(root, "report_metadata")?)?;
    let policy = policy_published(required(root, "policy_published")?)?;
    let records = root
        .children
        .iter()
        .filter(|c| c.name == "record")
        .map(|record| report_record(record, limits))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(AggregateReport {
        version,
        metadata,
        policy,
        records,
    })
}

fn metadata(node: &Node) -> Result<ReportMetadata, Error> {
    let range = required(node, "date_range")?;
    let seconds = |text: &str| text.parse::<u64>().ok();
    Ok(ReportMetadata {
        org_name: required_text(node, "org_name")?.to_owned(),
        email: required_text(node, "email")?.to_owned(),
        extra_contact_info: text(node, "extra_contact_info")?.map(str::to_owned),
        report_id: required_text(node, "report_id")?.to_owned(),
        begin: required_value(range, "begin", seconds)?,
        end: required_value(range, "end", seconds)?,
        // RFC 7489 allows any number of `error` elements.
        errors: node
            .children
            .iter()
            .filter(|c| c.name == "error")
            .map(|c| c.text.clone())
            .collect(),
        generator: text(node, "generator")?.map(str::to_owned),
    })
}

fn policy_published(node: &Node) -> Result<PolicyPublished, Error> {
    Ok(PolicyPublished {
        domain: required_text(node, "domain")?.to_owned(),
        discovery_method: value(node, "discovery_method", DiscoveryMethod::from_name)?,
        p: required_value(node, "p", policy)?,
        sp: value(node, "sp", policy)?,
        np: value(node, "np", policy)?,
        adkim: value(node, "adkim", alignment)?,
        aspf: value(node, "aspf", alignment)?,
        fo: text(node, "fo")?.map(str::to_owned),
        testing: value(node, "testing", yes_no)?,
        pct: value(node, "pct", |t| t.parse::<u8>().ok().filter(|p| *p <= 100))?,
    })
}

fn report_record(node: &Node, limits: &ParseLimits) -> Result<ReportRecord, Error> {
    let row = required(node, "row")?;
    let evaluated = required(row, "policy_evaluated")?;
    let reasons = evaluated
        .children
        .iter()
        .filter(|c| c.name == "reason")
        .map(|reason| {
            Ok(OverrideReason {
                kind: required_value(reason, "type", OverrideType::from_name)?,
                comment: text(reason, "comment")?.map(str::to_owned),
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let ids = required(node, "identifiers")?;
    let auth_results = match child(node, "auth_results")? {
        Some(results) => auth_results(results, limits)?,
        None => AuthResults::default(),
    };
    Ok(ReportRecord {
        source_ip: required_value(row, "source_ip", |t| t.parse::<IpAddr>().ok())?,
        count: required_value(row, "count", |t| t.parse::<u64>().ok())?,
        policy_evaluated: PolicyEvaluated {
            disposition: required_value(evaluated, "disposition", ActionDisposition::from_name)?,
            dkim: required_value(evaluated, "dkim", EvaluatedResult::from_name)?,
            spf: required_value(evaluated, "spf", EvaluatedResult::from_name)?,
            reasons,
        },
        identifiers: RecordIdentifiers {
            envelope_to: text(ids, "envelope_to")?.map(str::to_owned),
            envelope_from: text(ids, "envelope_from")?.map(str::to_owned),
            header_from: required_text(ids, "header_from")?.to_owned(),
        },
        auth_results,
    })
}

fn auth_results(node: &Node, limits: &ParseLimits) -> Result<AuthResults, Error> {
    let mut results = AuthResults::default();
    for item in &node.children {
        match item.name {
            "dkim" => {
                if results.dkim.len() == limits.max_dkim_results {
                    return Err(limit(ReportLimit::DkimResults, limits.max_dkim_results));
                }
                results.dkim.push(DkimAuthResult {
                    domain: required_text(item, "domain")?.to_owned(),
                    selector: text(item, "selector")?.unwrap_or_default().to_owned(),
                    result: required_value(item, "result", DkimResult::from_name)?,
                    human_result: text(item, "human_result")?.map(str::to_owned),
                });
            }
            "spf" => results.spf.push(SpfAuthResult {
                domain: required_text(item, "domain")?.to_owned(),
                scope: value(item, "scope", SpfScope::from_name)?,
                result: required_value(item, "result", spf_result)?,
                human_result: text(item, "human_result")?.map(str::to_owned),
            }),
            _ => {}
        }
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "<feedback><report_metadata><org_name>o</org_name><email>e</email>\
        <report_id>r</report_id><date_range><begin>1</begin><end>2</end></date_range>\
        </report_metadata><policy_published><domain>example.com</domain><p>none</p>\
        </policy_published>RECORD</feedback>";

    const RECORD: &str = "<record><row><source_ip>192.0.2.1</source_ip><count>1</count>\
        <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf>\
        </policy_evaluated></row><identifiers><header_from>example.com</header_from>\
        </identifiers></record>";

    fn parse(xml: &str) -> Result<AggregateReport, Error> {
        AggregateReport::parse_xml(xml.replace("RECORD", RECORD).as_bytes())
    }

    #[test]
    fn minimal() {
        let report = parse(MINIMAL).unwrap();
        assert_eq!(report.metadata.report_id, "r");
        assert_eq!(report.records.len(), 1);
        assert_eq!(report.records[0].auth_results, AuthResults::default());
    }

    #[test]
    fn text_trimming_keeps_references() {
        let xml = MINIMAL.replace(
            "<org_name>o</org_name>",
            "<org_name>\n  &#32;a &amp; b&#9;\n </org_name>",
        );
        assert_eq!(parse(&xml).unwrap().metadata.org_name, " a & b\t");
        let xml = MINIMAL.replace(
            "<org_name>o</org_name>",
            "<org_name> <![CDATA[ x ]]> </org_name>",
        );
        assert_eq!(parse(&xml).unwrap().metadata.org_name, " x ");
    }

    #[test]
    fn errors_name_the_element() {
        let xml = MINIMAL.replace("<p>none</p>", "<p>maybe</p>");
        assert_eq!(
            parse(&xml),
            Err(Error::ReportValue {
                element: "p",
                value: "maybe".into()
            })
        );
        let xml = MINIMAL.replace("<email>e</email>", "");
        assert_eq!(
            parse(&xml),
            Err(Error::ReportMissing {
                parent: "report_metadata",
                element: "email"
            })
        );
        let xml = MINIMAL.replace("<email>e</email>", "<email>e</email><email>f</email>");
        assert_eq!(
            parse(&xml),
            Err(Error::ReportDuplicate {
                parent: "report_metadata",
                element: "email"
            })
        );
    }

    #[test]
    fn refuses_dtd_and_entities() {
        let xml = format!("<!DOCTYPE feedback [<!ENTITY x \"y\">]>{MINIMAL}");
        assert!(matches!(
            parse(&xml),
            Err(Error::ReportXml {
                problem: XmlProblem::Doctype,
                ..
            })
        ));
        let xml = MINIMAL.replace("<org_name>o", "<org_name>&x;");
        assert!(matches!(
            parse(&xml),
            Err(Error::ReportXml {
                problem: XmlProblem::Entity,
                ..
            })
        ));
        let xml = MINIMAL.replace("<org_name>o", "<org_name>&#1;");
        assert!(matches!(
            parse(&xml),
            Err(Error::ReportXml {
                problem: XmlProblem::Entity,
                ..
            })
        ));
    }

    #[test]
    fn skips_foreign_namespaces() {
        let xml = MINIMAL.replace(
            "<feedback>",
            "<feedback xmlns:x=\"urn:example\"><x:report_metadata><x:p>1</x:p></x:report_metadata>",
        );
        assert!(parse(&xml).is_ok());
        let xml = MINIMAL.replace("<feedback>", "<feedback xmlns=\"urn:example\">");
        assert!(matches!(parse(&xml), Err(Error::ReportNotFeedback { .. })));
    }

    #[test]
    fn limits() {
        let deep = format!("{}{}", "<a>".repeat(40), "</a>".repeat(40));
        let xml = MINIMAL.replace("RECORD", &deep);
        assert_eq!(
            AggregateReport::parse_xml(xml.as_bytes()),
            Err(Error::ReportLimit {
                limit: ReportLimit::Depth,
                max: 32
            })
        );
        let many = MINIMAL.replace("RECORD", &RECORD.repeat(3));
        let limits = ParseLimits {
            max_records: 2,
            ..ParseLimits::default()
        };
        assert_eq!(
            AggregateReport::parse_xml_with(many.as_bytes(), &limits),
            Err(Error::ReportLimit {
                limit: ReportLimit::Records,
                max: 2
            })
        );
    }

    #[test]
    fn malformed() {
        for xml in ["", "<feedback>", "<feedback></other>", "\u{FF}", "<other/>"] {
            assert!(
                AggregateReport::parse_xml(xml.as_bytes()).is_err(),
                "{xml:?}"
            );
        }
        assert!(AggregateReport::parse_xml(b"\xff").is_err());
    }
}
