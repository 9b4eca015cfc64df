//! Authentication-Results (RFC 8601): produced safely, parsed leniently where real headers need
//! it, and round-tripped.

use mailroom_dmarc::{AuthenticationResults, Error, MethodResult, authserv_id};
use proptest::prelude::*;

fn parse(value: &str) -> AuthenticationResults {
    AuthenticationResults::parse(value).unwrap_or_else(|e| panic!("{value}: {e}"))
}

#[test]
fn rfc8601_appendix_b_examples_parse() {
    // B.2: nothing was checked.
    let none = parse("example.org 1; none");
    assert_eq!(
        (none.authserv_id.as_str(), none.results.len()),
        ("example.org", 0)
    );
    // B.3: SPF, with a comment after the result.
    let spf = parse("example.com; spf=pass smtp.mailfrom=example.net");
    let r = spf.method("spf").next().unwrap();
    assert_eq!(r.get("smtp", "mailfrom"), Some("example.net"));
    // B.4: SMTP AUTH with a local-part@domain value.
    let auth = parse(
        "example.com; auth=pass (cram-md5) smtp.auth=sender@example.net; spf=pass smtp.mailfrom=example.net",
    );
    let r = auth.method("auth").next().unwrap();
    assert_eq!(
        (r.comment.as_deref(), r.get("smtp", "auth")),
        (Some("cram-md5"), Some("sender@example.net"))
    );
    assert_eq!(auth.results.len(), 2);
    // B.5: folded, several methods, a reason, header.i starting with @.
    let folded = parse(
        "example.com;\r\n          dkim=pass (good signature) header.d=mail-router.example.net;\r\n          dkim=fail (bad signature) header.d=newyork.example.com",
    );
    let dkim: Vec<_> = folded.method("dkim").map(|r| r.result.as_str()).collect();
    assert_eq!(dkim, ["pass", "fail"]);
    let gmail = parse(
        "mx.google.com;\r\n       dkim=pass header.i=@example.com header.s=sel header.b=AbCd/+9=;\r\n       spf=pass (google.com: domain of a@example.com designates 192.0.2.1 as permitted sender) smtp.mailfrom=a@example.com;\r\n       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com",
    );
    let dkim = gmail.method("dkim").next().unwrap();
    assert_eq!(
        (dkim.get("header", "i"), dkim.get("header", "b")),
        (Some("@example.com"), Some("AbCd/+9="))
    );
    let dmarc = gmail.method("dmarc").next().unwrap();
    assert_eq!(dmarc.comment.as_deref(), Some("p=NONE sp=NONE dis=NONE"));
}

#[test]
fn reasons_versions_and_nested_comments_are_read() {
    let parsed = parse(
        "(leading) \"mx.example.org\" (c) 1 (d); dkim/1 = fail (outer (inner) text) reason=\"signature \\\"bad\\\"\" header.d=example.com;",
    );
    assert_eq!(parsed.authserv_id, "mx.example.org");
    let r = &parsed.results[0];
    assert_eq!(r.comment.as_deref(), Some("outer (inner) text"));
    assert_eq!(r.reason.as_deref(), Some("signature \"bad\""));
    assert_eq!(r.get("header", "d"), Some("example.com"));
}

#[test]
fn malformed_values_are_errors_naming_what_was_expected() {
    for (value, expected) in [
        ("", "an authserv-id"),
        ("example.org 2; spf=pass", "authres-version 1"),
        ("example.org; spf", "`=` after the method"),
        ("example.org; spf=", "a result"),
        ("example.org; spf=pass (unclosed", "a closing `)`"),
        (
            "example.org; spf=pass smtp.mailfrom=\"open",
            "a closing `\"`",
        ),
        ("example.org; spf=pass smtp", "`.` in ptype.property"),
        ("example.org spf=pass", "`;`"),
    ] {
        match AuthenticationResults::parse(value) {
            Err(Error::AuthenticationResults { expected: got, .. }) => {
                assert_eq!(got, expected, "{value}");
            }
            other => panic!("{value}: {other:?}"),
        }
    }
    let deep = format!("example.org; spf=pass {}", "(".repeat(10_000));
    assert!(AuthenticationResults::parse(&deep).is_err());
}

#[test]
fn the_authserv_id_is_read_even_when_the_rest_is_broken() {
    assert_eq!(
        authserv_id("  mx.example.org; dkim=((((").as_deref(),
        Some("mx.example.org")
    );
    assert_eq!(
        authserv_id("\"mx.example.org\"; x").as_deref(),
        Some("mx.example.org")
    );
    assert_eq!(authserv_id(" ; spf=pass"), None);
}

#[test]
fn produced_headers_cannot_carry_injected_fields() {
    let mut results = AuthenticationResults::new("mx.example.org\r\nX-Evil: 1");
    results.push(
        MethodResult::new("spf\r\nX-Evil", "pass;")
            .comment("a) (b\r\nX-Evil: 2")
            .reason("why\r\n\"X-Evil: 3\"")
            .property("smtp", "mailfrom", "a b@example.com\r\nX-Evil: 4"),
    );
    let header = results.header();
    for line in header.split("\r\n") {
        assert!(
            line.starts_with("Authentication-Results:") || line.starts_with('\t'),
            "{header:?}"
        );
    }
    let parsed = parse(header.trim_start_matches("Authentication-Results:"));
    let r = &parsed.results[0];
    assert_eq!(
        (r.method.as_str(), r.result.as_str()),
        ("spfx-evil", "pass")
    );
    assert_eq!(r.comment.as_deref(), Some("a) (bX-Evil: 2"));
    assert_eq!(r.reason.as_deref(), Some("why\"X-Evil: 3\""));
    assert_eq!(r.get("smtp", "mailfrom"), Some("a b@example.comX-Evil: 4"));
    assert_eq!(parsed.authserv_id, "mx.example.orgX-Evil: 1");
}

#[test]
fn long_results_are_folded_under_78_columns() {
    let mut results = AuthenticationResults::new("mx.example.org");
    let mut dkim = MethodResult::new("dkim", "pass").comment("signature verified");
    for name in ["d", "i", "s", "a", "b"] {
        dkim = dkim.property("header", name, "a-fairly-long-value.example.com");
    }
    results.push(dkim);
    results.push(MethodResult::new("dmarc", "none"));
    let header = results.header();
    assert!(
        header.split("\r\n").all(|line| line.len() <= 78),
        "{header}"
    );
    assert_eq!(
        parse(header.trim_start_matches("Authentication-Results:")),
        results
    );
}

#[test]
fn no_results_render_as_none() {
    let results = AuthenticationResults::new("mx.example.org");
    assert_eq!(results.value(), "mx.example.org; none");
    assert_eq!(parse(&results.value()), results);
}

fn keyword() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9-]{0,8}"
}

fn method_result() -> impl Strategy<Value = MethodResult> {
    (
        keyword(),
        keyword(),
        proptest::option::of("[^()\\\\\\p{Cc}]{0,20}".prop_map(|s| s.trim().to_owned())),
        proptest::option::of("\\PC{0,20}"),
        proptest::collection::vec((keyword(), keyword(), "\\PC{0,20}"), 0..4),
    )
        .prop_map(|(method, result, comment, reason, props)| {
            let mut r = MethodResult::new(method, result);
            r.comment = comment.filter(|c| !c.is_empty());
            r.reason = reason;
            for (ptype, name, value) in props {
                r = r.property(ptype, name, value);
            }
            r
        })
}

proptest! {
    #[test]
    fn parsing_never_panics(value in "\\PC{0,200}") {
        let _ = AuthenticationResults::parse(&value);
        let _ = authserv_id(&value);
    }

    #[test]
    fn rendered_results_parse_back_equal(
        id in "[a-z0-9.-]{1,20}|\\PC{1,20}",
        results in proptest::collection::vec(method_result(), 0..5),
    ) {
        let produced = AuthenticationResults { authserv_id: id, results };
        prop_assume!(!produced.authserv_id.chars().all(char::is_control));
        let header = produced.header();
        prop_assert!(!header.replace("\r\n\t", "").contains(['\r', '\n']));
        let parsed = AuthenticationResults::parse(header.trim_start_matches("Authentication-Results:"));
        let mut expected = produced.clone();
        expected.authserv_id.retain(|c| !c.is_control());
        for r in &mut expected.results {
            if let Some(reason) = &mut r.reason { reason.retain(|c| !c.is_control()); }
            for p in &mut r.properties { p.value.retain(|c| !c.is_control()); }
        }
        prop_assert_eq!(parsed.as_ref(), Ok(&expected), "{}", header);
    }
}

proptest! {
    #[test]
    fn the_fuzz_body_holds_for_header_like_text(
        value in "[a-z. ]{1,12}(;[ \\t]*[a-z]{1,5}=[a-z]{1,5}( \\([^)]{0,10}\\))?( [a-z]{1,4}\\.[a-z]{1,4}=(\"[^\"]{0,8}\"|[!-~]{1,8}))*){0,4}"
    ) {
        mailroom_dmarc::fuzzing::auth_results(value.as_bytes());
    }
}
