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
    scenarios(&format!("spf/openspf/{file}"))
}

/// Loads pyspf's own `spf/pyspf/test.yml`, which has the openspf form.
///
/// # Panics
///
/// On a file that is not such a suite.
pub fn pyspf_suite() -> Vec<Scenario> {
    scenarios("spf/pyspf/test.yml")
}

fn scenarios(path: &str) -> Vec<Scenario> {
    let text = crate::read_text(path);
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
                // pyspf's test.yml has a CNAME to the empty name; no zone can hold that, and
                // with nothing at the name every lookup of it is NXDOMAIN, as pyspf answers.
                "CNAME" if text(value).is_empty() => None,
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

/// One scenario of mail-auth's SPF case files (`spf/mail-auth/*.yml`): records and tests.
#[derive(Debug)]
pub struct MailAuthScenario {
    /// The scenario's name.
    pub name: String,
    /// Its DNS data.
    pub zone: Zone,
    /// Its tests.
    pub tests: Vec<MailAuthCase>,
}

/// One mail-auth SPF test: a check_host() call and its expected result.
#[derive(Debug, Clone, Default)]
pub struct MailAuthCase {
    /// `<domain>`.
    pub domain: String,
    /// `<sender>`, possibly empty.
    pub sender: String,
    /// `<ip>`.
    pub ip: String,
    /// The expected result.
    pub result: String,
    /// The expected explanation, if given.
    pub explanation: Option<String>,
}

/// Loads one of mail-auth's SPF case files. They are not strict YAML (keys repeat), so they are
/// read line by line, as SOURCES.md says. Records: `spf: NAME TEXT`, `exp: NAME TEXT`,
/// `a: NAME IP`, `aaaa: NAME IP`, `mx: NAME IP[, IP…]` (the domain's mail exchangers have these
/// addresses), `ptr: IP NAME[, NAME…]`. A domain named `_dns_error…` fails in the DNS.
///
/// # Panics
///
/// On a line that is none of these.
pub fn mail_auth_cases(file: &str) -> Vec<MailAuthScenario> {
    let text = crate::read_text(&format!("spf/mail-auth/{file}"));
    let mut scenarios = Vec::new();
    let mut documents = vec![String::new()];
    for line in text.lines() {
        if line.trim_end() == "---" {
            documents.push(String::new());
        } else if let Some(last) = documents.last_mut() {
            last.push_str(line);
            last.push('\n');
        }
    }
    for document in &documents {
        let mut scenario = empty_scenario();
        let mut shared: Option<(Zone, MailAuthCase)> = None;
        let mut mx_count = 0;
        for raw in document.lines() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line == "records:" || line == "tests:" {
                continue;
            }
            let new_item = line.starts_with("- ");
            let line = line.strip_prefix("- ").unwrap_or(line);
            let (key, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.trim();
            let (first, rest) = value.split_once(' ').unwrap_or((value, ""));
            let rest = rest.trim();
            match key {
                "name" if new_item => {
                    // examples.yml: the records and the `- sender/domain` item before the first
                    // `- name:` are shared by the scenarios that follow, each adding records.
                    let (zone, _) = shared.get_or_insert_with(|| {
                        (
                            scenario.zone.clone(),
                            scenario.tests.last().cloned().unwrap_or_default(),
                        )
                    });
                    let zone = zone.clone();
                    let finished = std::mem::replace(&mut scenario, empty_scenario());
                    if finished.tests.iter().any(|c| !c.ip.is_empty()) {
                        scenarios.push(finished);
                    }
                    scenario.zone = zone;
                    scenario.name = value.to_owned();
                }
                "name" => scenario.name = value.to_owned(),
                "spf" | "exp" => {
                    add(&mut scenario.zone, first, RecordData::Txt(Txt::new([rest])));
                    // Names starting `_dns_error` fail in mail-auth's test resolver.
                    for word in rest.split([' ', ':', '=']) {
                        if word.starts_with("_dns_error") {
                            scenario.zone.insert_timeout(word).expect("a valid name");
                        }
                    }
                }
                "a" | "aaaa" => {
                    for ip in rest.split(',').map(str::trim).filter(|ip| !ip.is_empty()) {
                        add_address(&mut scenario.zone, first, ip);
                    }
                }
                "mx" => {
                    for (i, ip) in rest
                        .split(',')
                        .map(str::trim)
                        .filter(|ip| !ip.is_empty())
                        .enumerate()
                    {
                        mx_count += 1;
                        let host = format!("mx{mx_count}.{first}");
                        let preference = u16::try_from(i).unwrap_or(u16::MAX);
                        add(
                            &mut scenario.zone,
                            first,
                            RecordData::Mx(Mx {
                                preference,
                                exchange: host.clone(),
                            }),
                        );
                        add_address(&mut scenario.zone, &host, ip);
                    }
                }
                "ptr" => {
                    let ip: std::net::IpAddr = first.parse().expect("an IP address");
                    for name in rest.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                        add(
                            &mut scenario.zone,
                            &mailroom_dns::reverse_name(ip),
                            RecordData::Ptr(name.to_owned()),
                        );
                    }
                }
                "domain" | "sender" | "ip" | "expect" => {
                    let last_has_ip = scenario.tests.last().is_some_and(|c| !c.ip.is_empty());
                    // A test starts at `- key:`, or at an `ip:` after one that had its address
                    // (examples.yml repeats ip/expect pairs for one domain and sender).
                    if (new_item && key != "ip" && key != "expect")
                        || scenario.tests.is_empty()
                        || (key == "ip" && last_has_ip)
                    {
                        let template = if new_item {
                            MailAuthCase::default()
                        } else {
                            scenario
                                .tests
                                .last()
                                .cloned()
                                .or_else(|| shared.as_ref().map(|(_, t)| t.clone()))
                                .unwrap_or_default()
                        };
                        scenario.tests.push(MailAuthCase {
                            ip: String::new(),
                            result: String::new(),
                            explanation: None,
                            ..template
                        });
                    }
                    let Some(case) = scenario.tests.last_mut() else {
                        continue;
                    };
                    match key {
                        "domain" => case.domain = value.to_owned(),
                        "sender" => case.sender = value.to_owned(),
                        "ip" => case.ip = value.to_owned(),
                        _ => {
                            case.result = first.to_owned();
                            case.explanation = (!rest.is_empty()).then(|| rest.to_owned());
                        }
                    }
                }
                other => panic!("{file}: unknown line `{other}`"),
            }
        }
        if scenario.tests.iter().any(|c| !c.ip.is_empty()) {
            scenarios.push(scenario);
        }
    }
    for scenario in &mut scenarios {
        scenario.tests.retain(|c| !c.ip.is_empty());
        for case in &mut scenario.tests {
            if case.domain.is_empty() {
                case.domain = case
                    .sender
                    .rsplit_once('@')
                    .map(|(_, d)| d.to_owned())
                    .unwrap_or_default();
            }
            if case.domain.starts_with("_dns_error") {
                scenario
                    .zone
                    .insert_timeout(&case.domain)
                    .expect("a valid name");
            }
        }
    }
    scenarios
}

fn empty_scenario() -> MailAuthScenario {
    MailAuthScenario {
        name: String::new(),
        zone: Zone::new(),
        tests: Vec::new(),
    }
}

fn add_address(zone: &mut Zone, name: &str, ip: &str) {
    match ip.parse::<std::net::IpAddr>().expect("an IP address") {
        std::net::IpAddr::V4(v4) => add(zone, name, RecordData::A(v4)),
        std::net::IpAddr::V6(v6) => add(zone, name, RecordData::Aaaa(v6)),
    }
}

fn add(zone: &mut Zone, name: &str, data: RecordData) {
    // Names the DNS cannot hold (a label over 63 octets) are left out, as a real zone would.
    if mailroom_dns::to_ascii(name).is_ok() {
        zone.insert(name, data)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}
