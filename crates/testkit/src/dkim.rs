//! The DKIM corpora: their DNS files and expectation tables.

use mailroom_dns::{RecordData, Txt, Zone};

/// Adds the records of a DNS file of the DKIM corpora to `zone`: `name<space or tab>value` per
/// line (TXT), `#` comments. `""` is a record holding one empty string. The values `NXDOMAIN`
/// (no record), `~~Query timed out~~` and
/// `~~SERVFAIL~~` (both a temporary failure, which is what they mean to DKIM) are understood.
///
/// # Panics
///
/// On a line without a value, or a bad name.
pub fn add_dns_file(zone: &mut Zone, text: &str) {
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, value) = line
            .split_once([' ', '\t'])
            .unwrap_or_else(|| panic!("line {}: no value: {line}", number + 1));
        let value = value.trim();
        match value {
            "NXDOMAIN" => {}
            "\"\"" => zone
                .insert(name, RecordData::Txt(Txt::new([""])))
                .unwrap_or_else(|e| panic!("line {}: {e}", number + 1)),
            "~~Query timed out~~" | "~~SERVFAIL~~" => zone.insert_timeout(name).unwrap(),
            _ => zone
                .insert(name, RecordData::Txt(Txt::new([value])))
                .unwrap_or_else(|e| panic!("line {}: {e}", number + 1)),
        }
    }
}

/// The rows of a tab-separated expectations file, without `#` comment lines.
pub fn tsv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| line.split('\t').map(str::to_owned).collect())
        .collect()
}
