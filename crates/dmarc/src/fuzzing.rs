//! Fuzz bodies, shared by the cargo-fuzz targets in `fuzz/` and the proptest properties.

use crate::Record;

/// A DMARC record: parsing never panics, and what parses renders and parses back to the same
/// tags.
pub fn record(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(record) = Record::parse(text) {
        let rendered = record.to_string();
        let again = Record::parse(&rendered).unwrap_or_else(|e| panic!("{rendered}: {e}"));
        let without_problems = Record {
            problems: Vec::new(),
            ..record
        };
        assert_eq!(again, without_problems, "{rendered}");
    }
}

/// An aggregate report as XML, gzip or zip: parsing never panics, and what parses, once
/// written and read back, is a fixed point of writing and reading.
pub fn report(data: &[u8]) {
    use crate::report::{AggregateReport, ParseLimits};
    let Ok(report) = AggregateReport::parse(data) else {
        return;
    };
    // Escaping can make the written XML longer than what was read.
    let roomy = ParseLimits {
        max_size: usize::MAX,
        max_text: usize::MAX,
        ..ParseLimits::default()
    };
    let xml = report.to_xml();
    let once = AggregateReport::parse_xml_with(xml.as_bytes(), &roomy)
        .unwrap_or_else(|e| panic!("{xml}: {e}"));
    let again = AggregateReport::parse_xml_with(once.to_xml().as_bytes(), &roomy)
        .unwrap_or_else(|e| panic!("{xml}: {e}"));
    assert_eq!(again, once, "{xml}");
}

/// An Authentication-Results value: parsing never panics; what parses renders to a header with
/// no line break but its folds, and rendering and reading back is a fixed point.
pub fn auth_results(data: &[u8]) {
    use crate::AuthenticationResults;
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = crate::authserv_id(text);
    let Ok(parsed) = AuthenticationResults::parse(text) else {
        return;
    };
    let header = parsed.header();
    assert!(
        !header.replace("\r\n\t", "").contains(['\r', '\n']),
        "{header:?}"
    );
    let value = |h: &str| h.trim_start_matches("Authentication-Results:").to_owned();
    let once =
        AuthenticationResults::parse(&value(&header)).unwrap_or_else(|e| panic!("{header:?}: {e}"));
    let again = AuthenticationResults::parse(&value(&once.header()))
        .unwrap_or_else(|e| panic!("{header:?}: {e}"));
    assert_eq!(again, once, "{header:?}");
}
