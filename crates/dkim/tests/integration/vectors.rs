//! Published vectors: RFC 6376 Appendix A, RFC 8463 Appendix A, and every signed message of the
//! dkim_verifier, dkimpy and mail-auth corpora, each with an asserted result per signature.
//! Where ours differs from a reference, the row says which RFC section decides.

use futures::executor::block_on;
use mailroom_dkim::{DkimResult, Verifier};
use mailroom_dns::Zone;
use mailroom_testkit as kit;

use DkimResult::{Fail, Pass, PermError};

/// A time after every `t=` in the corpora and before no `x=` that should still hold.
const NOW: u64 = 1_700_000_000;

fn zone_from(files: &[&str]) -> Zone {
    let mut zone = Zone::new();
    for file in files {
        kit::dkim::add_dns_file(&mut zone, &kit::read_text(file));
    }
    zone
}

/// Runs every row, collects every mismatch, then fails once with all of them.
fn check_all(zone: &Zone, rows: &[(&str, &[DkimResult], &str)]) {
    let mut problems = Vec::new();
    for (file, expected, why) in rows {
        let message = kit::lf_to_crlf(&kit::read(file));
        let results = block_on(Verifier::default().verify(zone, &message, NOW));
        let got: Vec<DkimResult> = results.iter().map(|r| r.result).collect();
        if got != *expected {
            let reasons: Vec<String> = results
                .iter()
                .map(mailroom_dkim::SignatureResult::reason)
                .collect();
            problems.push(format!(
                "{file}: expected {expected:?} ({why}), got {got:?}: {reasons:?}"
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
fn rfc6376_appendix_a_and_rfc8463_appendix_a() {
    let zone = zone_from(&["dkim/dkim_verifier/dns.txt"]);
    check_all(
        &zone,
        &[
            (
                "dkim/dkim_verifier/rfc6376-A.2.eml",
                &[Pass],
                "RFC 6376 A.2 with erratum 4926",
            ),
            (
                "dkim/dkim_verifier/rfc8463-A.3.eml",
                &[Pass, Pass],
                "RFC 8463 A.3, ed25519 and rsa",
            ),
        ],
    );
    let mut zone = Zone::new();
    let text = kit::read_text("dkim/mail-auth/001.txt");
    let (dns, message) = text.split_once("\n\n").unwrap();
    kit::dkim::add_dns_file(&mut zone, dns);
    let results =
        block_on(Verifier::default().verify(&zone, &kit::lf_to_crlf(message.as_bytes()), NOW));
    let got: Vec<DkimResult> = results.iter().map(|r| r.result).collect();
    assert_eq!(
        got,
        [Pass, Pass],
        "mail-auth 001 (RFC 8463 A.2 keys, A.3 message)"
    );
}

#[test]
fn mail_auth_pkcs1_key_record() {
    let text = kit::read_text("dkim/mail-auth/002.txt");
    let (dns, message) = text.split_once("\n\n").unwrap();
    let mut zone = Zone::new();
    kit::dkim::add_dns_file(&mut zone, dns);
    let results =
        block_on(Verifier::default().verify(&zone, &kit::lf_to_crlf(message.as_bytes()), NOW));
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].result, Pass, "{}", results[0].reason());
}

#[test]
fn dkim_verifier_corpus() {
    let zone = zone_from(&["dkim/dkim_verifier/dns.txt"]);
    let d = "dkim/dkim_verifier";
    let rows: Vec<(String, &[DkimResult], &str)> = vec![
        (
            format!("{d}/rfc6376-A.2-body_modified.eml"),
            &[Fail],
            "body hash mismatch",
        ),
        (
            format!("{d}/rfc6376-A.2-header_subject_modified.eml"),
            &[Fail],
            "signed Subject changed",
        ),
        (
            format!("{d}/rfc6376-A.2-ill_formed-missing_v.eml"),
            &[PermError],
            "v= is required, RFC 6376 §3.5",
        ),
        (
            format!("{d}/rfc6376-A.2-ill_formed-list_id.eml"),
            &[Pass],
            "unsigned List-Id is not our business",
        ),
        (
            format!("{d}/rfc8463-A.3-key_algo_mismatch.eml"),
            &[PermError, PermError],
            "k= does not match a=, RFC 6376 §3.6.1",
        ),
        (
            format!("{d}/dkim/header_with_non_ascii_char.eml"),
            &[Pass],
            "UTF-8 in a signed header",
        ),
        (
            format!("{d}/dkim/flags_s-auid_and_sdid_match.eml"),
            &[Pass],
            "t=s with i= domain equal to d=",
        ),
        // dkimpy passes this; RFC 6376 §3.6.1 t=s: the i= domain must not be a subdomain of d=.
        (
            format!("{d}/dkim/flags_s-auid_is_subdomain_of_sdid.eml"),
            &[PermError],
            "t=s, RFC 6376 §3.6.1",
        ),
        (
            format!("{d}/dkim/time-received_after_creation.eml"),
            &[Pass],
            "t= before Received",
        ),
        (
            format!("{d}/dkim/time-received_briefly_before_creation.eml"),
            &[Pass],
            "small skew",
        ),
        (
            format!("{d}/dkim/time-received_long_before_creation.eml"),
            &[Pass],
            "future t= MAY be ignored, RFC 6376 §3.5",
        ),
        (
            format!("{d}/dkim/alignment-signed_by_parent_domain.eml"),
            &[Pass],
            "alignment is DMARC's",
        ),
        (
            format!("{d}/dkim/alignment-from_not_in_auid.eml"),
            &[Pass],
            "alignment is DMARC's",
        ),
        (
            format!("{d}/dkim/alignment-from_not_in_sdid.eml"),
            &[Pass],
            "alignment is DMARC's",
        ),
        // dkimpy fails a second, unsigned From; RFC 6376 §5.4.2 selects the bottom From, which
        // is signed, so the signature verifies. DMARC refuses a message with two From fields.
        (
            format!("{d}/dkim/added_header-from.eml"),
            &[Pass],
            "bottom-up selection, RFC 6376 §5.4.2",
        ),
        (
            format!("{d}/dkim/added_header-subject.eml"),
            &[Pass],
            "bottom-up selection, RFC 6376 §5.4.2",
        ),
        (
            format!("{d}/dkim/added_header-date.eml"),
            &[Pass],
            "bottom-up selection, RFC 6376 §5.4.2",
        ),
        (
            format!("{d}/dkim/added_header-to.eml"),
            &[Pass],
            "bottom-up selection, RFC 6376 §5.4.2",
        ),
        (
            format!("{d}/dkim/unsigned_header-content-type.eml"),
            &[Pass],
            "unsigned header",
        ),
        (
            format!("{d}/dkim/unsigned_header-reply_to-in_domain.eml"),
            &[Pass],
            "unsigned header",
        ),
        (
            format!("{d}/dkim/unsigned_header-reply_to-invalid.eml"),
            &[Pass],
            "unsigned header",
        ),
        (
            format!("{d}/dkim/unsigned_header-reply_to-not_in_domain.eml"),
            &[Pass],
            "unsigned header",
        ),
        (format!("{d}/rfc6376-A.2.eml"), &[Pass], "RFC 6376 A.2"),
        (
            format!("{d}/rfc8463-A.3.eml"),
            &[Pass, Pass],
            "RFC 8463 A.3",
        ),
    ];
    let rows: Vec<(&str, &[DkimResult], &str)> =
        rows.iter().map(|(f, e, w)| (f.as_str(), *e, *w)).collect();
    // Every .eml of the corpus has a row.
    let mut listed: Vec<String> = kit::files(d, ".eml")
        .iter()
        .map(|f| format!("{d}/{f}"))
        .collect();
    listed.extend(
        kit::files(&format!("{d}/dkim"), ".eml")
            .iter()
            .map(|f| format!("{d}/dkim/{f}")),
    );
    for file in &listed {
        assert!(
            rows.iter().any(|(f, _, _)| f == file),
            "{file} has no expected result"
        );
    }
    check_all(&zone, &rows);
}

#[test]
fn dkimpy_signed_messages() {
    let mut zone = zone_from(&["dkim/dkim_verifier/dns.txt"]);
    let key = |zone: &mut Zone, name: &str, file: &str| {
        kit::dkim::add_dns_file(zone, &format!("{name} {}", kit::read_text(file).trim()));
    };
    key(
        &mut zone,
        "test._domainkey.example.com",
        "dkim/dkimpy/test.txt",
    );
    key(
        &mut zone,
        "sed._domainkey.test.ex",
        "dkim/dkimpy/eximtest.dns",
    );
    let d = "dkim/dkimpy";
    check_all(
        &zone,
        &[
            (
                &format!("{d}/rfc6376.signed.msg"),
                &[Pass, Pass],
                "RFC 8463 draft example, both signatures",
            ),
            (
                &format!("{d}/rfc6376.signed.rsa.msg"),
                &[Pass],
                "its rsa-sha256 signature alone",
            ),
            (
                &format!("{d}/rfc6376.signed.no_t.msg"),
                &[Fail],
                "x= added after signing",
            ),
            (
                &format!("{d}/ed25519test2.msg"),
                &[Pass],
                "Exim ed25519-sha256 interop",
            ),
            (
                &format!("{d}/test.message.baddomain"),
                &[PermError],
                "d= is not a domain name, RFC 6376 §3.5",
            ),
            // The 2013 Gmail key is only in dkimpy's test source, not in the corpus.
            (
                &format!("{d}/test2.message"),
                &[PermError],
                "no key record: RFC 6376 §6.1.2 PERMFAIL",
            ),
        ],
    );
}
