//! The openspf YAML suites (RFC 7208 and RFC 4408) and their zone data, as SOURCES.md
//! describes them.

use mailroom_dns::{Mx, RecordData, Txt, Zone};
use serde_yaml::Value;

/// One scenario of a suite: its tests and the zone they run against.
#[derive(Debug)]
pub struct Scenario {
    /// The scenario's description.
    pub description: String,
    /// Its tests, in file order.
    pub tests: Vec<SpfCase>,
    /// Its DNS data.
    pub zone: Zone,
}

/// One test: an SMTP client and sender, and the results that are acceptable.
#[derive(Debug, Clone)]
pub struct SpfCase {
    /// The test's name.
    pub name: String,
    /// The HELO name.
    pub helo: String,
    /// The client address.
    pub host: String,
    /// The MAIL FROM address (empty for the null reverse-path).
    pub mailfrom: String,
    /// Acceptable results, lower case.
    pub results: Vec<String>,
    /// The expected explanation of a fail, if the test gives one.
    pub explanation: Option<String>,
}

/// Loads a multi-document suite file under `spf/openspf/`.
///
/// # Panics
///
/// On a file that is not such a suite.
pub fn suite(file: &str) -> Vec<Scenario> {
    let text = crate::read_text(&format!("spf/openspf/{file}"));
    serde_yaml::Deserializer::from_str(&text)
        .map(|document| {
            let value: Value = serde::Deserialize::deserialize(document).expect("a YAML document");
            scenario(&value)
        })
        .collect()
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        other => panic!("expected text, got {other:?}"),
    }
}

fn scenario(doc: &Value) -> Scenario {
    let description = doc.get("description").map(text).unwrap_or_default();
    let mut tests = Vec::new();
    if let Some(Value::Mapping(cases)) = doc.get("tests") {
        for (name, case) in cases {
            let results = match case.get("result") {
                Some(Value::Sequence(list)) => list.iter().map(text).collect(),
                Some(one) => vec![text(one)],
                None => panic!("test {} has no result", text(name)),
            };
            tests.push(SpfCase {
                name: text(name),
                helo: case.get("helo").map(text).unwrap_or_default(),
                host: case.get("host").map(text).unwrap_or_default(),
                mailfrom: case.get("mailfrom").map(text).unwrap_or_default(),
                results: results.iter().map(|r| r.to_ascii_lowercase()).collect(),
                explanation: case.get("explanation").map(text),
            });
        }
    }
    let mut zone = Zone::new();
    if let Some(Value::Mapping(names)) = doc.get("zonedata") {
        for (name, entries) in names {
            add_name(&mut zone, &text(name), entries);
        }
    }
    Scenario {
        description,
        tests,
        zone,
    }
}

/// A string of the suite as bytes: characters up to U+00FF are the octets the suite's `\xNN`
/// escapes stand for (SOURCES.md: load them as bytes).
fn bytes(value: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for c in value.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(byte) => out.push(byte),
            Err(_) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    out
}

fn txt_value(value: &Value) -> Option<Txt> {
    match value {
        Value::Sequence(strings) => Some(Txt::new(strings.iter().map(|s| bytes(&text(s))))),
        one => {
            let one = text(one);
            (one != "NONE").then(|| Txt::new([bytes(&one)]))
        }
    }
}

fn add_name(zone: &mut Zone, name: &str, entries: &Value) {
    let Value::Sequence(entries) = entries else {
        panic!("{name}: expected a list of records");
    };
    // Labels over 63 octets cannot be in a zone; the suite expects them to fail in the DNS.
    if mailroom_dns::to_ascii(name).is_err() {
        return;
    }
    let has_txt = entries.iter().any(|e| e.get("TXT").is_some());
    for entry in entries {
        if let Value::String(marker) = entry {
            assert_eq!(marker, "TIMEOUT", "{name}: unknown marker");
            zone.insert_timeout(name).expect("a valid name");
            continue;
        }
        let Value::Mapping(map) = entry else {
            panic!("{name}: unexpected entry {entry:?}");
        };
        for (kind, value) in map {
            let data = match text(kind).as_str() {
                // The suite predates the SPF RR's retirement: SPF strings also serve as TXT
                // where the name has no TXT of its own.
                "SPF" if has_txt => None,
                "SPF" | "TXT" => txt_value(value).map(RecordData::Txt),
                "A" => Some(RecordData::A(text(value).parse().expect("an IPv4 address"))),
                "AAAA" => Some(RecordData::Aaaa(
                    text(value).parse().expect("an IPv6 address"),
                )),
                "MX" => {
                    let Value::Sequence(pair) = value else {
                        panic!("{name}: MX wants [preference, host]");
                    };
                    let preference = text(&pair[0]).parse().expect("an MX preference");
                    Some(RecordData::Mx(Mx {
                        preference,
                        exchange: text(&pair[1]),
                    }))
                }
                "PTR" => Some(RecordData::Ptr(text(value))),
                "CNAME" => Some(RecordData::Cname(text(value))),
                other => panic!("{name}: unknown record type {other}"),
            };
            if let Some(data) = data
                && let Err(error) = zone.insert(name, data)
            {
                panic!("{name}: {error}");
            }
        }
    }
}
