//! Every case of `dmarc/authheaders/cases.yaml` (from authheaders 0.16.3): the message checked
//! with our DKIM verifier (or the DKIM results of its earlier Authentication-Results field), our
//! DMARC checker over the cases' DNS, and our Authentication-Results compared with theirs by
//! method, result, `header.d`, `header.from` and `policy.dmarc` (the comments are each
//! implementation's own words).

use futures::executor::block_on;
use mailroom_dkim::{DkimResult, Verifier, VerifyOptions};
use mailroom_dmarc::{AuthenticationResults, Checker, Identifiers, MethodResult, from_domain};
use mailroom_testkit as kit;

/// Cases where this crate answers differently from authheaders, on purpose.
const DIFFERENT: &[(&str, &str)] = &[(
    "dmarc-record-with-bare-word",
    "RFC 9989 §4.7 / RFC 7489 §6.3: a malformed part of a record is discarded and the rest used, \
     so `v=DMARC1; p=none; reject` is p=none and the unaligned message fails with policy none; \
     authheaders makes the whole record a permerror",
)];

/// When the signature of test.message_signed was made, so its verification does not depend on
/// today's date.
const SIGNED_AT: u64 = 1_543_187_390;

fn summary(results: &AuthenticationResults) -> Vec<String> {
    results
        .results
        .iter()
        .map(|r| {
            let props: Vec<String> = [("header", "d"), ("header", "from"), ("policy", "dmarc")]
                .iter()
                .filter_map(|(t, n)| r.get(t, n).map(|v| format!("{t}.{n}={v}")))
                // No policy applied and `policy.dmarc=none` say the same; authheaders writes
                // the second where this crate leaves the property out.
                .filter(|p| p != "policy.dmarc=none")
                .collect();
            format!("{}={} {}", r.method, r.result, props.join(" "))
        })
        .collect()
}

#[test]
fn authheaders_cases_give_the_same_results() {
    let cases = kit::dmarc::authheaders_cases();
    let zone = cases.zone();
    let mut passed = 0;
    let mut differences = Vec::new();
    for case in &cases.cases {
        let message = kit::lf_to_crlf(&kit::read(&format!("dmarc/authheaders/{}", case.message)));
        let mut ours = AuthenticationResults::new("example.com");
        let dkim_pass: Vec<String> = if let Some(prev) = &case.prev_ar {
            let prev =
                AuthenticationResults::parse(prev.trim_start_matches("Authentication-Results:"))
                    .unwrap();
            ours.results.extend(prev.method("dkim").cloned());
            prev.method("dkim")
                .filter(|r| r.result == "pass")
                .filter_map(|r| r.get("header", "d").map(str::to_owned))
                .collect()
        } else if case.checks.iter().any(|c| c == "dkim") {
            let verified = block_on(
                Verifier::new(VerifyOptions::default()).verify(&zone, &message, SIGNED_AT),
            );
            for result in &verified {
                // authheaders writes header.d and header.i only.
                let full = MethodResult::dkim(result);
                let mut short = MethodResult::new("dkim", full.result.clone());
                short.properties = full
                    .properties
                    .into_iter()
                    .filter(|p| p.name == "d" || p.name == "i")
                    .collect();
                ours.push(short);
            }
            verified
                .iter()
                .filter(|r| r.result == DkimResult::Pass)
                .filter_map(|r| r.domain.clone())
                .collect()
        } else {
            Vec::new()
        };
        if case.checks.iter().any(|c| c == "dmarc") {
            let dkim: Vec<&str> = dkim_pass.iter().map(String::as_str).collect();
            let ids = Identifiers {
                spf_pass: None,
                dkim_pass: &dkim,
            };
            let check = block_on(Checker::new(&zone).check_message(&message, ids, 0));
            let mut dmarc = MethodResult::dmarc(&check);
            if check.output.result == mailroom_dmarc::DmarcResult::None {
                // authheaders writes a bare `dmarc=none` when no policy applies.
                dmarc.properties.clear();
            }
            ours.push(dmarc);
        }
        let expected = AuthenticationResults::parse(
            case.expected_ar
                .trim_start_matches("Authentication-Results:"),
        )
        .unwrap();
        let (ours, theirs) = (summary(&ours), summary(&expected));
        if ours == theirs {
            passed += 1;
        } else if let Some((_, why)) = DIFFERENT.iter().find(|(name, _)| *name == case.name) {
            differences.push(format!(
                "{}: ours {ours:?}, theirs {theirs:?} ({why})",
                case.name
            ));
        } else {
            panic!("{}: ours {ours:?}\ntheirs {theirs:?}", case.name);
        }
    }
    println!(
        "authheaders cases: {passed} the same, {} listed differences",
        differences.len()
    );
    for difference in &differences {
        println!("  {difference}");
    }
    assert_eq!(passed + differences.len(), cases.cases.len());
    assert_eq!(
        differences.len(),
        DIFFERENT.len(),
        "a listed difference went away: {differences:?}"
    );
}

#[test]
fn authheaders_from_domain_extraction() {
    for (from, domain) in kit::dmarc::authheaders_cases().from_domain_extraction {
        let message = format!("From: {from}\r\n\r\n");
        assert_eq!(from_domain(message.as_bytes()).unwrap(), domain, "{from}");
    }
}
