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
