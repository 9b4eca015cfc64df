//! Aggregate reports (RFC 9990): mail-auth's sample reports checked against mail-auth's own
//! parse of them, produced reports validated with xmllint against the RFC 9990 schema, round
//! trips through XML, gzip and e-mail, external destinations, and properties.

use std::io::Write as _;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use futures::executor::block_on;
use mail_parser::{MessageParser, MimeHeaders};
use mailroom_dmarc::report::*;
use mailroom_dmarc::{Alignment, Error, Policy, Record, fuzzing};
use mailroom_dns::Zone;
use proptest::prelude::*;
use serde_json::Value;

const FEEDBACK: &str = "dmarc/mail-auth/dmarc-feedback";

fn schema() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/rfc9990.xsd")
}

// ---------------------------------------------------------------------------------------
// mail-auth's samples, against mail-auth's JSON

/// mail-auth writes enum values in CamelCase ("TempError", "MailFrom") and absent ones as
/// "Unspecified" or null.
fn json_name(value: &Value) -> Option<String> {
    match value.as_str()? {
        "Unspecified" => None,
        "MailFrom" => Some("mfrom".to_owned()),
        "Treewalk" => Some("treewalk".to_owned()),
        other => Some(other.to_ascii_lowercase()),
    }
}

/// mail-auth's override reason types: "TrustedForwarder" for `trusted_forwarder`.
fn snake_case(value: &Value) -> Option<String> {
    let mut out = String::new();
    for (i, c) in value.as_str()?.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    Some(out)
}

fn json_text(value: &Value) -> Option<String> {
    value.as_str().map(str::to_owned)
}

/// Compares one parsed report with mail-auth's JSON of it, noting every difference.
fn compare(name: &str, report: &AggregateReport, json: &Value, problems: &mut Vec<String>) {
    let mut check = |what: &str, ours: String, theirs: String| {
        if ours != theirs {
            problems.push(format!(
                "{name}: {what}: ours {ours:?}, mail-auth {theirs:?}"
            ));
        }
    };
    let meta = &json["report_metadata"];
    let m = &report.metadata;
    check(
        "org_name",
        m.org_name.clone(),
        json_text(&meta["org_name"]).unwrap_or_default(),
    );
    check(
        "email",
        m.email.clone(),
        json_text(&meta["email"]).unwrap_or_default(),
    );
    check(
        "extra_contact_info",
        format!("{:?}", m.extra_contact_info),
        format!("{:?}", json_text(&meta["extra_contact_info"])),
    );
    check(
        "report_id",
        m.report_id.clone(),
        json_text(&meta["report_id"]).unwrap_or_default(),
    );
    check(
        "begin",
        m.begin.to_string(),
        meta["date_range"]["begin"].to_string(),
    );
    check(
        "end",
        m.end.to_string(),
        meta["date_range"]["end"].to_string(),
    );
    let version = report
        .version
        .as_deref()
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0);
    check(
        "version",
        version.to_string(),
        json["version"].as_f64().unwrap_or(-1.0).to_string(),
    );

    let policy = &json["policy_published"];
    let p = &report.policy;
    check(
        "domain",
        p.domain.clone(),
        json_text(&policy["domain"]).unwrap_or_default(),
    );
    check(
        "p",
        p.p.as_str().to_owned(),
        json_name(&policy["p"]).unwrap_or_default(),
    );
    check(
        "sp",
        format!("{:?}", p.sp.map(Policy::as_str)),
        format!("{:?}", json_name(&policy["sp"]).as_deref()),
    );
    if policy.get("np").is_some() {
        check(
            "np",
            format!("{:?}", p.np.map(Policy::as_str)),
            format!("{:?}", json_name(&policy["np"]).as_deref()),
        );
    }
    let alignment = |a: Option<Alignment>| match a {
        Some(Alignment::Relaxed) => Some("relaxed"),
        Some(Alignment::Strict) => Some("strict"),
        None => None,
    };
    check(
        "adkim",
        format!("{:?}", alignment(p.adkim)),
        format!("{:?}", json_name(&policy["adkim"]).as_deref()),
    );
    check(
        "aspf",
        format!("{:?}", alignment(p.aspf)),
        format!("{:?}", json_name(&policy["aspf"]).as_deref()),
    );
    check(
        "testing",
        p.testing.unwrap_or(false).to_string(),
        policy["testing"].to_string(),
    );
    check(
        "fo",
        format!("{:?}", p.fo),
        format!("{:?}", json_text(&policy["fo"])),
    );
    if policy.get("discovery_method").is_some() {
        check(
            "discovery_method",
            format!("{:?}", p.discovery_method.map(DiscoveryMethod::as_str)),
            format!("{:?}", json_name(&policy["discovery_method"]).as_deref()),
        );
    }

    let records = json["record"].as_array().cloned().unwrap_or_default();
    check(
        "records",
        report.records.len().to_string(),
        records.len().to_string(),
    );
    for (i, (ours, theirs)) in report.records.iter().zip(&records).enumerate() {
        let row = &theirs["row"];
        let evaluated = &row["policy_evaluated"];
        let at = |what: &str| format!("record {i} {what}");
        check(
            &at("source_ip"),
            ours.source_ip.to_string(),
            json_text(&row["source_ip"]).unwrap_or_default(),
        );
        check(
            &at("count"),
            ours.count.to_string(),
            row["count"].to_string(),
        );
        let pe = &ours.policy_evaluated;
        check(
            &at("disposition"),
            pe.disposition.as_str().to_owned(),
            json_name(&evaluated["disposition"]).unwrap_or_default(),
        );
        check(
            &at("dkim"),
            pe.dkim.as_str().to_owned(),
            json_name(&evaluated["dkim"]).unwrap_or_default(),
        );
        check(
            &at("spf"),
            pe.spf.as_str().to_owned(),
            json_name(&evaluated["spf"]).unwrap_or_default(),
        );
        let reasons: Vec<String> = evaluated["reason"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                format!(
                    "{:?}/{:?}",
                    snake_case(&r["type_"]),
                    json_text(&r["comment"])
                )
            })
            .collect();
        let our_reasons: Vec<String> = pe
            .reasons
            .iter()
            .map(|r| format!("{:?}/{:?}", Some(r.kind.as_str()), r.comment))
            .collect();
        check(&at("reasons"), our_reasons.join(","), reasons.join(","));
        let ids = &theirs["identifiers"];
        check(
            &at("header_from"),
            ours.identifiers.header_from.clone(),
            json_text(&ids["header_from"]).unwrap_or_default(),
        );
        // mail-auth reads a missing envelope_from as "".
        check(
            &at("envelope_from"),
            ours.identifiers.envelope_from.clone().unwrap_or_default(),
            json_text(&ids["envelope_from"]).unwrap_or_default(),
        );
        check(
            &at("envelope_to"),
            format!("{:?}", ours.identifiers.envelope_to),
            format!("{:?}", json_text(&ids["envelope_to"])),
        );
        let dkim: Vec<String> = theirs["auth_results"]["dkim"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|d| {
                format!(
                    "{}/{}/{}/{:?}",
                    json_text(&d["domain"]).unwrap_or_default(),
                    json_text(&d["selector"]).unwrap_or_default(),
                    json_name(&d["result"]).unwrap_or_default(),
                    json_text(&d["human_result"]),
                )
            })
            .collect();
        let our_dkim: Vec<String> = ours
            .auth_results
            .dkim
            .iter()
            .map(|d| {
                format!(
                    "{}/{}/{}/{:?}",
                    d.domain, d.selector, d.result, d.human_result
                )
            })
            .collect();
        check(&at("dkim results"), our_dkim.join(","), dkim.join(","));
        let spf: Vec<String> = theirs["auth_results"]["spf"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| {
                format!(
                    "{}/{:?}/{}",
                    json_text(&s["domain"]).unwrap_or_default(),
                    json_name(&s["scope"]),
                    json_name(&s["result"]).unwrap_or_default(),
                )
            })
            .collect();
        let our_spf: Vec<String> = ours
            .auth_results
            .spf
            .iter()
            .map(|s| {
                format!(
                    "{}/{:?}/{}",
                    s.domain,
                    s.scope.map(|s| s.as_str().to_owned()),
                    s.result
                )
            })
            .collect();
        check(&at("spf results"), our_spf.join(","), spf.join(","));
    }
}

fn samples() -> Vec<(String, AggregateReport, Value)> {
    let mut out = Vec::new();
    for suffix in [".xml", ".eml"] {
        for name in mailroom_testkit::files(FEEDBACK, suffix) {
            let bytes = mailroom_testkit::read(&format!("{FEEDBACK}/{name}"));
            let parsed = if suffix == ".xml" {
                AggregateReport::parse(&bytes)
            } else {
                AggregateReport::from_message(&bytes)
            };
            let report = parsed.unwrap_or_else(|e| panic!("{name}: {e}"));
            let stem = name.trim_end_matches(suffix);
            let json = mailroom_testkit::read_text(&format!("{FEEDBACK}/{stem}.json"));
            out.push((name, report, serde_json::from_str(&json).unwrap()));
        }
    }
    out
}

/// Where we read a sample differently from mail-auth, on purpose.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[(
    "005.xml: record 0 reasons",
    "mail-auth reads RFC 7489's `sampled_out` as `other` (RFC 9990 dropped it); we keep it",
)];

#[test]
fn mail_auth_samples_match_mail_auth() {
    let samples = samples();
    assert_eq!(samples.len(), 10, "001-005.xml and 100-104.eml");
    let mut differences = Vec::new();
    for (name, report, json) in &samples {
        compare(name, report, json, &mut differences);
    }
    let mut problems: Vec<String> = differences
        .iter()
        .filter(|d| {
            !KNOWN_DIFFERENCES
                .iter()
                .any(|(known, _)| d.starts_with(known))
        })
        .cloned()
        .collect();
    for (known, why) in KNOWN_DIFFERENCES {
        if !differences.iter().any(|d| d.starts_with(known)) {
            problems.push(format!(
                "{known} ({why}): agrees now; drop it from KNOWN_DIFFERENCES"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn mail_auth_samples_spot_checks() {
    let samples = samples();
    let get = |name: &str| &samples.iter().find(|(n, ..)| n == name).unwrap().1;
    // 004 is the RFC 9990 sample: namespace, np, discovery_method, the new `pass`.
    let rfc9990 = get("004.xml");
    assert_eq!(rfc9990.version.as_deref(), Some("1.0"));
    assert_eq!(
        rfc9990.metadata.generator.as_deref(),
        Some("Example DMARC Aggregate Reporter v1.2")
    );
    assert_eq!(
        rfc9990.policy.discovery_method,
        Some(DiscoveryMethod::TreeWalk)
    );
    assert_eq!(rfc9990.policy.np, Some(Policy::None));
    assert_eq!(
        rfc9990.records[0].policy_evaluated.disposition,
        ActionDisposition::Pass
    );
    // 002 is an RFC 7489 report: no version, pct.
    let legacy = get("002.xml");
    assert_eq!(
        (legacy.version.as_deref(), legacy.policy.pct),
        (None, Some(100))
    );
    // 005: the helo scope and the sampled_out reason of RFC 7489.
    let old = get("005.xml");
    assert_eq!(
        old.records[0].auth_results.spf[0].scope,
        Some(SpfScope::Helo)
    );
    assert_eq!(
        old.records[0].policy_evaluated.reasons[0].kind,
        OverrideType::SampledOut
    );
    // 100.eml carries a zip file, 101-104 gzip.
    assert_eq!(
        get("100.eml").records[0].source_ip,
        "2a01:4f9:c011:b43c::1".parse::<IpAddr>().unwrap()
    );
    assert_eq!(get("103.eml").records[0].auth_results.dkim.len(), 3);
}

// ---------------------------------------------------------------------------------------
// Writing, and validating with xmllint

/// Whether xmllint can run; with `MAILROOM_REQUIRE_PEERS=1`, its absence fails the test.
fn xmllint_available() -> bool {
    mailroom_testkit::peer_available("xmllint", &["--version"], "apt-get install libxml2-utils")
}

/// Validates `xml` against the RFC 9990 schema, returning xmllint's complaint if any. The XML
/// goes in on standard input, so the test writes no file.
fn validate(name: &str, xml: &str) -> Result<(), String> {
    let mut child = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema())
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{name}: {}\n{xml}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn observation(ip: &str, from: &str, disposition: ActionDisposition) -> Observation {
    Observation {
        source_ip: ip.parse().unwrap(),
        policy_evaluated: PolicyEvaluated {
            disposition,
            dkim: EvaluatedResult::from(disposition == ActionDisposition::Pass),
            spf: EvaluatedResult::Fail,
            reasons: Vec::new(),
        },
        identifiers: RecordIdentifiers {
            envelope_to: Some("receiver.example".into()),
            envelope_from: Some(from.into()),
            header_from: "example.com".into(),
        },
        auth_results: AuthResults {
            dkim: vec![DkimAuthResult {
                domain: "example.com".into(),
                selector: "s2024".into(),
                result: if disposition == ActionDisposition::Pass {
                    DkimResult::Pass
                } else {
                    DkimResult::Fail
                },
                human_result: None,
            }],
            spf: vec![SpfAuthResult {
                domain: from.into(),
                scope: Some(SpfScope::MailFrom),
                result: SpfResult::SoftFail,
                human_result: Some("soft <fail> & \"more\"".into()),
            }],
        },
    }
}

/// A report as the server builds it, with awkward text in it.
fn built_report() -> AggregateReport {
    let record =
        Record::parse("v=DMARC1; p=reject; np=quarantine; t=y; fo=1:d; rua=mailto:d@example.com")
            .unwrap();
    let policy =
        PolicyPublished::from_record("example.com", &record, Some(DiscoveryMethod::TreeWalk));
    let reporter = Reporter {
        org_name: "Receiver & Co <mail>".into(),
        email: "dmarc@receiver.example".into(),
        extra_contact_info: Some(" https://receiver.example/dmarc \r\n".into()),
        generator: Some("mailroom \u{1}0.1\u{7f}".into()),
    };
    let mut builder = ReportBuilder::new(reporter, policy);
    builder.error("sp= had an invalid value");
    let pass = observation("192.0.2.7", "bounce.example.com", ActionDisposition::Pass);
    builder.add(pass.clone());
    builder.add(pass);
    let mut failing = observation("2001:db8::25", "", ActionDisposition::Quarantine);
    failing.policy_evaluated.reasons.push(OverrideReason {
        kind: OverrideType::PolicyTestMode,
        comment: Some("t=y".into()),
    });
    builder.add(failing);
    builder.add(observation(
        "::ffff:198.51.100.1",
        "x.example",
        ActionDisposition::None,
    ));
    assert_eq!(builder.messages(), 4);
    builder.finish(
        1_700_000_000,
        1_700_086_399,
        "20231115.example.com@receiver.example",
    )
}

#[test]
fn builder_groups_identical_rows() {
    let report = built_report();
    assert_eq!(report.records.len(), 3);
    assert_eq!(report.records[0].count, 2);
    assert_eq!(report.records[1].count, 1);
    assert_eq!(report.metadata.errors, ["sp= had an invalid value"]);
    assert_eq!(report.policy.sp, Some(Policy::Reject));
    assert_eq!(report.policy.np, Some(Policy::Quarantine));
    assert_eq!(report.policy.testing, Some(true));
    assert_eq!(report.policy.fo.as_deref(), Some("1:d"));
}

#[test]
fn written_xml_never_holds_raw_control_characters() {
    let xml = built_report().to_xml();
    assert!(
        !xml.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t')),
        "{xml}"
    );
    assert!(
        xml.contains("<org_name>Receiver &amp; Co &lt;mail&gt;</org_name>"),
        "{xml}"
    );
    assert!(
        xml.contains("<generator>mailroom \u{FFFD}0.1&#127;</generator>"),
        "{xml}"
    );
    let back = AggregateReport::parse_xml(xml.as_bytes()).unwrap();
    assert_eq!(
        back.metadata.extra_contact_info.as_deref(),
        Some(" https://receiver.example/dmarc \r\n")
    );
}

#[test]
fn written_reports_validate_against_the_rfc9990_schema() {
    if !xmllint_available() {
        return;
    }
    let mut problems = Vec::new();
    let built = built_report();
    if let Err(e) = validate("built", &built.to_xml()) {
        problems.push(e);
    }
    // Everything the parser read, written again, is valid RFC 9990 too.
    for (name, report, _) in samples() {
        if let Err(e) = validate(&name, &report.to_xml()) {
            problems.push(e);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_rfc9990_sample_validates_and_rfc7489_ones_do_not() {
    if !xmllint_available() {
        return;
    }
    let sample = mailroom_testkit::read_text(&format!("{FEEDBACK}/004.xml"));
    assert_eq!(validate("004", &sample), Ok(()));
    // No namespace and a `pct`: not RFC 9990, so the schema is really being applied.
    let legacy = mailroom_testkit::read_text(&format!("{FEEDBACK}/002.xml"));
    assert!(validate("002", &legacy).is_err());
}

// ---------------------------------------------------------------------------------------
// Round trips

#[test]
fn round_trip_through_xml_and_gzip() {
    let report = built_report();
    let mut expected = report.clone();
    // The one thing the writer cannot keep: a character XML 1.0 does not allow.
    expected.metadata.generator = Some("mailroom \u{FFFD}0.1\u{7f}".into());
    assert_eq!(
        AggregateReport::parse_xml(report.to_xml().as_bytes()).unwrap(),
        expected
    );
    let gz = report.to_gzip();
    assert_eq!(&gz[..2], [0x1f, 0x8b]);
    assert_eq!(gz, report.to_gzip(), "gzip output is deterministic");
    assert_eq!(AggregateReport::parse(&gz).unwrap(), expected);
}

#[test]
fn decompression_is_capped() {
    let report = built_report();
    let gz = report.to_gzip();
    let limits = ParseLimits {
        max_size: 100,
        ..ParseLimits::default()
    };
    assert_eq!(
        AggregateReport::parse_with(&gz, &limits),
        Err(Error::ReportLimit {
            limit: ReportLimit::Size,
            max: 100
        })
    );
    // A gzip bomb: 64 MiB of zeros in a few KiB.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut encoder, &vec![0u8; 64 << 20]).unwrap();
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 200_000);
    assert_eq!(
        AggregateReport::parse(&bomb),
        Err(Error::ReportLimit {
            limit: ReportLimit::Size,
            max: 32 << 20
        })
    );
}

// ---------------------------------------------------------------------------------------
// The e-mail

#[test]
fn report_message_parses_back() {
    let report = built_report();
    let options = MailOptions {
        from: "DMARC reports <dmarc@receiver.example>",
        to: "d@example.com",
        submitter: "receiver.example",
        date: "Wed, 15 Nov 2023 23:59:59 +0000",
        message_id: "20231115.example.com@receiver.example",
        unique_id: Some("a1"),
    };
    let message = report.to_message(&options).unwrap();
    // CRLF line ends only.
    for (i, &b) in message.iter().enumerate() {
        if b == b'\n' {
            assert_eq!(
                message.get(i.wrapping_sub(1)),
                Some(&b'\r'),
                "bare LF at {i}"
            );
        }
        if b == b'\r' {
            assert_eq!(message.get(i + 1), Some(&b'\n'), "bare CR at {i}");
        }
    }
    assert!(
        message.split(|&b| b == b'\n').all(|line| line.len() <= 78),
        "lines fit in 78"
    );

    let parsed = MessageParser::default().parse(&message).unwrap();
    assert_eq!(
        parsed.subject(),
        Some(
            "Report Domain: example.com Submitter: receiver.example \
             Report-ID: <20231115.example.com@receiver.example>"
        )
    );
    assert_eq!(
        parsed.message_id(),
        Some("20231115.example.com@receiver.example")
    );
    assert_eq!(
        parsed.date().map(mail_parser::DateTime::to_timestamp),
        Some(1_700_092_799)
    );
    let attachment = parsed.attachments().next().unwrap();
    let filename = "receiver.example!example.com!1700000000!1700086399!a1.xml.gz";
    assert_eq!(attachment.attachment_name(), Some(filename));
    let ct = attachment.content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("application", Some("gzip")));
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(attachment.contents()),
        &mut xml,
    )
    .unwrap();
    assert_eq!(xml, report.to_xml());
    let text = parsed.body_text(0).unwrap();
    assert!(text.contains("example.com"), "{text}");

    assert_eq!(
        AggregateReport::from_message(&message).unwrap(),
        AggregateReport::parse_xml(xml.as_bytes()).unwrap()
    );
}

#[test]
fn report_message_refuses_header_injection() {
    let report = built_report();
    let options = MailOptions {
        from: "dmarc@receiver.example\r\nBcc: victim@example.org",
        to: "d@example.com",
        submitter: "receiver.example",
        date: "Wed, 15 Nov 2023 23:59:59 +0000",
        message_id: "1@receiver.example",
        unique_id: None,
    };
    assert!(matches!(
        report.to_message(&options),
        Err(Error::ReportField { field: "From", .. })
    ));
    let options = MailOptions {
        from: "dmarc@receiver.example",
        unique_id: Some("a-b"),
        ..options
    };
    assert!(matches!(
        report.to_message(&options),
        Err(Error::ReportField {
            field: "unique-id",
            ..
        })
    ));
    let options = MailOptions {
        unique_id: None,
        submitter: "bad!name",
        ..options
    };
    assert!(matches!(
        report.to_message(&options),
        Err(Error::ReportField { .. })
    ));
}

#[test]
fn message_without_report() {
    let message = b"From: a@example.com\r\nSubject: hi\r\n\r\nno report here\r\n";
    assert_eq!(
        AggregateReport::from_message(message),
        Err(Error::ReportMail {
            problem: MailProblem::NoReport
        })
    );
}

// ---------------------------------------------------------------------------------------
// External destinations

const DESTINATIONS: &str = r#"
blue.example.com._report._dmarc.red.example.net.   TXT "v=DMARC1"
green.example.com._report._dmarc.red.example.net.  TXT "v=DMARC1; rua=mailto:other@red.example.net"
grey.example.com._report._dmarc.red.example.net.   TXT "v=DMARC1; rua=mailto:x@elsewhere.example"
pink.example.com._report._dmarc.red.example.net.   TXT "v=spf1 -all"
slow.example.com._report._dmarc.red.example.net.   TIMEOUT
"#;

#[test]
fn external_destination_authorized() {
    let zone = Zone::from_text(DESTINATIONS).unwrap();
    let verify = |policy: &str| block_on(verify_destination(&zone, policy, "red.example.net"));
    assert_eq!(
        verify("blue.example.com"),
        Ok(Authorization::Authorized { rua: vec![] })
    );
    assert_eq!(
        verify("BLUE.example.com."),
        Ok(Authorization::Authorized { rua: vec![] })
    );
    assert_eq!(
        verify("green.example.com"),
        Ok(Authorization::Authorized {
            rua: vec!["mailto:other@red.example.net".into()]
        })
    );
}

#[test]
fn external_destination_not_authorized() {
    let zone = Zone::from_text(DESTINATIONS).unwrap();
    let verify = |policy: &str| block_on(verify_destination(&zone, policy, "red.example.net"));
    assert_eq!(
        verify("white.example.com"),
        Ok(Authorization::NotAuthorized(Refusal::NoRecord))
    );
    assert_eq!(
        verify("pink.example.com"),
        Ok(Authorization::NotAuthorized(Refusal::NoRecord))
    );
    assert_eq!(
        verify("grey.example.com"),
        Ok(Authorization::NotAuthorized(Refusal::OverrideElsewhere))
    );
    // 235 characters: a valid name, but too long with `._report._dmarc.red.example.net`.
    let long = format!("{}.example.com", vec!["a".repeat(55); 4].join("."));
    assert_eq!(
        verify(&long),
        Ok(Authorization::NotAuthorized(Refusal::NameTooLong))
    );
}

#[test]
fn external_destination_dns_timeout_is_temporary() {
    let zone = Zone::from_text(DESTINATIONS).unwrap();
    let result = block_on(verify_destination(
        &zone,
        "slow.example.com",
        "red.example.net",
    ));
    match result {
        Err(Error::Dns { name, source }) => {
            assert_eq!(name, "slow.example.com._report._dmarc.red.example.net");
            assert!(source.is_temporary());
        }
        other => panic!("expected a temporary DNS error, got {other:?}"),
    }
}

#[test]
fn which_destinations_are_external() {
    let psl = |d: &str| {
        d.rsplit('.')
            .take(2)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join(".")
            .into()
    };
    let host = destination_host("mailto:reports@Red.Example.NET!10m").unwrap();
    assert!(is_external("blue.example.com", host, psl));
    assert!(!is_external("blue.example.com", "dmarc.example.com", psl));
    assert!(!is_external("Example.COM", "example.com.", psl));
}

// ---------------------------------------------------------------------------------------
// Properties

fn text() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        4 => any::<char>().prop_filter("XML 1.0 chars", |c| {
            matches!(*c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
        }),
        1 => prop_oneof![Just(' '), Just('&'), Just('<'), Just('>'), Just('\r'), Just('\n'), Just('\t')],
    ];
    proptest::collection::vec(c, 0..12).prop_map(String::from_iter)
}

fn policy() -> impl Strategy<Value = Policy> {
    prop_oneof![
        Just(Policy::None),
        Just(Policy::Quarantine),
        Just(Policy::Reject)
    ]
}

fn alignment() -> impl Strategy<Value = Alignment> {
    prop_oneof![Just(Alignment::Relaxed), Just(Alignment::Strict)]
}

fn record() -> impl Strategy<Value = ReportRecord> {
    let dkim = (text(), text(), 0..7usize, proptest::option::of(text())).prop_map(
        |(domain, selector, r, human_result)| {
            let result = [
                DkimResult::None,
                DkimResult::Pass,
                DkimResult::Fail,
                DkimResult::Policy,
                DkimResult::Neutral,
                DkimResult::TempError,
                DkimResult::PermError,
            ][r];
            DkimAuthResult {
                domain,
                selector,
                result,
                human_result,
            }
        },
    );
    let spf = (
        text(),
        any::<bool>(),
        0..7usize,
        proptest::option::of(text()),
    )
        .prop_map(|(domain, mfrom, r, human_result)| {
            let result = [
                SpfResult::None,
                SpfResult::Neutral,
                SpfResult::Pass,
                SpfResult::Fail,
                SpfResult::SoftFail,
                SpfResult::TempError,
                SpfResult::PermError,
            ][r];
            SpfAuthResult {
                domain,
                scope: mfrom.then_some(SpfScope::MailFrom),
                result,
                human_result,
            }
        });
    let reason =
        (0..5usize, proptest::option::of(text())).prop_map(|(k, comment)| OverrideReason {
            kind: [
                OverrideType::LocalPolicy,
                OverrideType::MailingList,
                OverrideType::Other,
                OverrideType::PolicyTestMode,
                OverrideType::TrustedForwarder,
            ][k],
            comment,
        });
    (
        any::<IpAddr>(),
        any::<u64>(),
        (
            0..4usize,
            any::<bool>(),
            any::<bool>(),
            proptest::collection::vec(reason, 0..3),
        ),
        (
            proptest::option::of(text()),
            proptest::option::of(text()),
            text(),
        ),
        (
            proptest::collection::vec(dkim, 0..3),
            proptest::option::of(spf),
        ),
    )
        .prop_map(
            |(
                source_ip,
                count,
                (d, dkim, spf, reasons),
                (envelope_to, envelope_from, header_from),
                (dkims, spfs),
            )| {
                ReportRecord {
                    source_ip,
                    count,
                    policy_evaluated: PolicyEvaluated {
                        disposition: [
                            ActionDisposition::None,
                            ActionDisposition::Pass,
                            ActionDisposition::Quarantine,
                            ActionDisposition::Reject,
                        ][d],
                        dkim: dkim.into(),
                        spf: spf.into(),
                        reasons,
                    },
                    identifiers: RecordIdentifiers {
                        envelope_to,
                        envelope_from,
                        header_from,
                    },
                    auth_results: AuthResults {
                        dkim: dkims,
                        spf: spfs.into_iter().collect(),
                    },
                }
            },
        )
}

/// Reports within what RFC 9990 can say (see [`AggregateReport::to_xml`]).
fn report() -> impl Strategy<Value = AggregateReport> {
    let metadata = (
        (text(), text(), proptest::option::of(text()), text()),
        (
            any::<u64>(),
            any::<u64>(),
            proptest::option::of(text()),
            proptest::option::of(text()),
        ),
    )
        .prop_map(
            |((org_name, email, extra_contact_info, report_id), (begin, end, error, generator))| {
                ReportMetadata {
                    org_name,
                    email,
                    extra_contact_info,
                    report_id,
                    begin,
                    end,
                    errors: error.into_iter().collect(),
                    generator,
                }
            },
        );
    let published = (
        (
            text(),
            proptest::option::of(prop_oneof![
                Just(DiscoveryMethod::Psl),
                Just(DiscoveryMethod::TreeWalk)
            ]),
        ),
        (policy(), policy(), proptest::option::of(policy())),
        (
            proptest::option::of(alignment()),
            proptest::option::of(alignment()),
            proptest::option::of(text()),
            proptest::option::of(any::<bool>()),
        ),
    )
        .prop_map(
            |((domain, discovery_method), (p, sp, np), (adkim, aspf, fo, testing))| {
                PolicyPublished {
                    domain,
                    discovery_method,
                    p,
                    sp: Some(sp),
                    np,
                    adkim,
                    aspf,
                    fo,
                    testing,
                    pct: None,
                }
            },
        );
    (
        metadata,
        published,
        proptest::collection::vec(record(), 1..4),
    )
        .prop_map(|(metadata, policy, records)| AggregateReport {
            version: Some(VERSION.to_owned()),
            metadata,
            policy,
            records,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        fuzzing::report(&data);
        let _ = AggregateReport::from_message(&data);
    }

    #[test]
    fn report_shaped_text_never_panics(xml in "<feedback( xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\")?>(<(report_metadata|policy_published|record|row|p|email|count|source_ip|date_range|begin)>|</(report_metadata|policy_published|record|row|p)>|[a-z0-9. ]{0,6}|&(amp|lt|#32|x);|<!--x-->){0,30}</feedback>") {
        fuzzing::report(xml.as_bytes());
    }

    #[test]
    fn reports_round_trip(report in report()) {
        let xml = report.to_xml();
        prop_assert_eq!(AggregateReport::parse_xml(xml.as_bytes()), Ok(report.clone()), "{}", xml);
        prop_assert_eq!(AggregateReport::parse(&report.to_gzip()), Ok(report.clone()));
        fuzzing::report(xml.as_bytes());
    }
}
