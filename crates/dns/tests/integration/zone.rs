//! The in-memory zone: text loading (RFC 1035 §5) and lookup semantics.

use futures::executor::block_on;
use mailroom_dns::{
    Answer, DnsError, MalformedAnswer, Mx, RecordData, Resolver, Txt, Zone, ZoneProblem,
};

fn zone(text: &str) -> Zone {
    Zone::from_text(text).unwrap_or_else(|e| panic!("{e}"))
}

fn syntax_error(text: &str) -> (usize, ZoneProblem) {
    match Zone::from_text(text) {
        Err(DnsError::ZoneSyntax { line, problem, .. }) => (line, problem),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

fn txt(zone: &Zone, name: &str) -> Vec<Vec<u8>> {
    block_on(zone.txt(name))
        .unwrap()
        .records()
        .iter()
        .map(Txt::concat)
        .collect()
}

#[test]
fn every_record_type() {
    let z = zone(
        r#"
        example.org.  300 IN A     192.0.2.1
        example.org.  300 IN AAAA  2001:db8::1
        example.org.      IN MX    10 mx1.example.org.
        example.org.      IN MX    20 mx2.example.org
        example.org.         TXT   "v=spf1 mx -all"
        1.2.0.192.in-addr.arpa. PTR example.org.
        www.example.org.     CNAME example.org.
        "#,
    );
    assert_eq!(
        block_on(z.a("example.org")).unwrap().records(),
        &["192.0.2.1".parse::<std::net::Ipv4Addr>().unwrap()]
    );
    assert_eq!(
        block_on(z.aaaa("example.org")).unwrap().records(),
        &["2001:db8::1".parse::<std::net::Ipv6Addr>().unwrap()]
    );
    assert_eq!(
        block_on(z.mx("example.org")).unwrap().into_records(),
        vec![
            Mx {
                preference: 10,
                exchange: "mx1.example.org".into()
            },
            Mx {
                preference: 20,
                exchange: "mx2.example.org".into()
            },
        ]
    );
    assert_eq!(txt(&z, "example.org"), vec![b"v=spf1 mx -all".to_vec()]);
    assert_eq!(
        block_on(z.ptr("192.0.2.1".parse().unwrap())).unwrap(),
        Answer::Records(vec!["example.org".into()])
    );
    assert_eq!(txt(&z, "www.example.org"), vec![b"v=spf1 mx -all".to_vec()]);
}

#[test]
fn nxdomain_versus_nodata() {
    let z = zone("example.org. A 192.0.2.1");
    assert_eq!(block_on(z.txt("example.org")), Ok(Answer::NoData));
    assert_eq!(block_on(z.txt("other.example.org")), Ok(Answer::NxDomain));
    assert_eq!(block_on(z.exists("example.org")), Ok(true));
    assert_eq!(block_on(z.exists("other.example.org")), Ok(false));
}

#[test]
fn names_ignore_case_and_trailing_dot() {
    let z = zone("Example.ORG TXT hello");
    assert_eq!(txt(&z, "example.org."), vec![b"hello".to_vec()]);
    assert_eq!(txt(&z, "EXAMPLE.org"), vec![b"hello".to_vec()]);
}

#[test]
fn internationalized_names_are_a_labels() {
    let z = zone("bücher.example. A 192.0.2.3\nxn--mnchen-3ya.example. A 192.0.2.4");
    assert!(!block_on(z.a("xn--bcher-kva.example")).unwrap().is_void());
    assert!(!block_on(z.a("BÜCHER.example")).unwrap().is_void());
    assert!(!block_on(z.a("münchen.example")).unwrap().is_void());
}

#[test]
fn txt_strings_escapes_and_multiple_strings() {
    let z = zone(r#"e.example. TXT "a \"quoted\" word" "\\ and \065\066C" bare"#);
    let answer = block_on(z.txt("e.example")).unwrap();
    let record = &answer.records()[0];
    let strings: Vec<&[u8]> = record.strings().iter().map(|s| &s[..]).collect();
    assert_eq!(
        strings,
        vec![&b"a \"quoted\" word"[..], b"\\ and ABC", b"bare"]
    );
}

#[test]
fn txt_raw_bytes_survive() {
    let z = zone(r#"e.example. TXT "\239\187\191v=spf1 \128 -all""#);
    assert_eq!(
        txt(&z, "e.example"),
        vec![b"\xEF\xBB\xBFv=spf1 \x80 -all".to_vec()]
    );
}

#[test]
fn several_txt_records_at_one_name() {
    let z = zone(
        "e.example. TXT \"v=spf1 -all\"\ne.example. TXT \"v=spf1 +all\"\ne.example. TXT \"v=spf1 -all\"",
    );
    assert_eq!(
        txt(&z, "e.example").len(),
        2,
        "duplicates collapse, distinct records stay"
    );
}

#[test]
fn comments_blank_lines_and_continuation_owner() {
    let z = zone(
        "; a zone\n\n\
         e.example.  A 192.0.2.1 ; the web server\n\
         \t          TXT \"v=spf1 a -all\"   ; same owner as above\n\
         \n",
    );
    assert_eq!(txt(&z, "e.example"), vec![b"v=spf1 a -all".to_vec()]);
}

#[test]
fn parentheses_continue_a_record_as_opendkim_genkey_writes_it() {
    let z = zone(
        "mail._domainkey.example.com.\tIN\tTXT\t( \"v=DKIM1; h=sha256; k=rsa; \"\n\
         \t  \"p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\" )  ; ----- DKIM key mail for example.com\n\
         other.example.com. A 192.0.2.2\n",
    );
    assert_eq!(
        txt(&z, "mail._domainkey.example.com"),
        vec![b"v=DKIM1; h=sha256; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA".to_vec()]
    );
    assert!(!block_on(z.a("other.example.com")).unwrap().is_void());
}

#[test]
fn origin_makes_names_relative_as_opendkim_genkey_writes_them() {
    // opendkim-genkey's sel.txt, pasted under an $ORIGIN line as it is: its owner is relative.
    let z = zone(
        "$ORIGIN Example.COM.\n\
         sel._domainkey\tIN\tTXT\t( \"v=DKIM1; k=rsa; \"\n\
         \t  \"p=MIIB\" )  ; ----- DKIM key sel for example.com\n\
         @ MX 10 mx\n\
         mx A 192.0.2.25\n\
         www CNAME @\n\
         abs.example.net. TXT \"absolute\"\n\
         $ORIGIN sub\n\
         deep A 192.0.2.26\n\
         $ORIGIN other.example.\n\
         @ TXT \"other\"\n",
    );
    assert_eq!(
        txt(&z, "sel._domainkey.example.com"),
        vec![b"v=DKIM1; k=rsa; p=MIIB".to_vec()]
    );
    assert_eq!(
        block_on(z.mx("example.com")).unwrap().records(),
        [Mx {
            preference: 10,
            exchange: "mx.example.com".to_owned()
        }]
    );
    assert!(!block_on(z.a("mx.example.com")).unwrap().is_void());
    // The CNAME's target, `@`, is the origin.
    assert!(!block_on(z.mx("www.example.com")).unwrap().is_void());
    assert_eq!(txt(&z, "abs.example.net"), vec![b"absolute".to_vec()]);
    // An $ORIGIN without a final dot is relative to the one before it.
    assert!(!block_on(z.a("deep.sub.example.com")).unwrap().is_void());
    assert_eq!(txt(&z, "other.example"), vec![b"other".to_vec()]);
    // Before any $ORIGIN, names are absolute with or without the final dot.
    let z = zone("a.example A 192.0.2.1\n$ORIGIN example.org.\nb A 192.0.2.2");
    let names: Vec<String> = z.records().map(|r| r.name.to_owned()).collect();
    assert_eq!(names, ["a.example", "b.example.org"]);
}

#[test]
fn ttl_and_class_in_either_order_and_dollar_ttl() {
    let z = zone(
        "$TTL 1h\na.example. A 192.0.2.1\nb.example. IN 60 A 192.0.2.2\nc.example. 1d2h IN A 192.0.2.3",
    );
    let ttls: Vec<(String, u32)> = z.records().map(|r| (r.name.to_owned(), r.ttl)).collect();
    assert_eq!(
        ttls,
        vec![
            ("a.example".to_owned(), 3600),
            ("b.example".to_owned(), 60),
            ("c.example".to_owned(), 93_600),
        ]
    );
}

#[test]
fn timeout_names() {
    let z = zone("slow.example. TIMEOUT\nhalf.example. TXT \"v=spf1 -all\"\nhalf.example. TIMEOUT");
    assert_eq!(
        block_on(z.txt("slow.example")),
        Err(DnsError::Timeout {
            name: "slow.example".into()
        })
    );
    assert!(block_on(z.a("slow.example")).unwrap_err().is_temporary());
    // Records the name has are still answered; every other type times out.
    assert_eq!(txt(&z, "half.example"), vec![b"v=spf1 -all".to_vec()]);
    assert!(matches!(
        block_on(z.mx("half.example")),
        Err(DnsError::Timeout { .. })
    ));
}

#[test]
fn cname_chains_loops_and_dangling_targets() {
    let z = zone(
        "a.example. CNAME b.example.\nb.example. CNAME c.example.\nc.example. A 192.0.2.1\n\
         loop1.example. CNAME loop2.example.\nloop2.example. CNAME loop1.example.\n\
         dangling.example. CNAME nowhere.example.",
    );
    assert!(!block_on(z.a("a.example")).unwrap().is_void());
    assert_eq!(block_on(z.txt("a.example")), Ok(Answer::NoData));
    assert_eq!(
        block_on(z.a("loop1.example")),
        Err(DnsError::Malformed {
            name: "loop1.example".into(),
            problem: MalformedAnswer::CnameChain
        })
    );
    assert_eq!(block_on(z.a("dangling.example")), Ok(Answer::NxDomain));
}

#[test]
fn null_mx() {
    let z = zone("nomail.example. MX 0 .");
    let mx = block_on(z.mx("nomail.example")).unwrap().into_records();
    assert!(mx[0].is_null());
}

#[test]
fn errors_name_the_line() {
    assert_eq!(
        syntax_error("a.example. A 192.0.2.1\n\nb.example. SRV 0 0 25 x."),
        (3, ZoneProblem::UnknownType)
    );
    assert_eq!(
        syntax_error("a.example. A 192.0.2.300"),
        (1, ZoneProblem::BadIpv4)
    );
    assert_eq!(
        syntax_error("a.example. AAAA 192.0.2.3"),
        (1, ZoneProblem::BadIpv6)
    );
    assert_eq!(
        syntax_error("a.example. MX 70000 mx.example."),
        (1, ZoneProblem::BadPreference)
    );
    assert_eq!(
        syntax_error("a.example. MX 10"),
        (1, ZoneProblem::WrongFieldCount)
    );
    assert_eq!(
        syntax_error("a.example. A 192.0.2.1 192.0.2.2"),
        (1, ZoneProblem::WrongFieldCount)
    );
    assert_eq!(syntax_error("a.example.\n"), (1, ZoneProblem::MissingType));
    assert_eq!(
        syntax_error("a.example. 99999999999 A 192.0.2.1"),
        (1, ZoneProblem::BadTtl)
    );
    assert_eq!(
        syntax_error("a.example. CH A 192.0.2.1"),
        (1, ZoneProblem::UnsupportedClass)
    );
    assert_eq!(
        syntax_error("  A 192.0.2.1"),
        (1, ZoneProblem::MissingOwner)
    );
    assert_eq!(
        syntax_error("a.example. TXT \"open\n"),
        (1, ZoneProblem::UnclosedQuote)
    );
    assert_eq!(
        syntax_error("a.example. TXT \"\\999\""),
        (1, ZoneProblem::BadEscape)
    );
    assert_eq!(syntax_error("a.example. TXT"), (1, ZoneProblem::EmptyTxt));
    assert_eq!(
        syntax_error(&format!(
            "x. A 192.0.2.1\na.example. TXT \"{}\"",
            "x".repeat(256)
        )),
        (2, ZoneProblem::StringTooLong)
    );
    assert_eq!(
        syntax_error("a.example. TXT ( \"x\"\n\nb. A 1.2.3.4"),
        (1, ZoneProblem::UnbalancedParentheses)
    );
    assert_eq!(
        syntax_error("a.example. TXT \"x\" )"),
        (1, ZoneProblem::UnbalancedParentheses)
    );
    assert_eq!(
        syntax_error("$INCLUDE other.zone"),
        (1, ZoneProblem::UnsupportedDirective)
    );
    assert_eq!(syntax_error("@ A 192.0.2.1"), (1, ZoneProblem::NoOrigin));
    assert_eq!(syntax_error("$ORIGIN"), (1, ZoneProblem::BadName));
    assert_eq!(
        syntax_error("$ORIGIN example.org. extra"),
        (1, ZoneProblem::WrongFieldCount)
    );
    assert_eq!(
        syntax_error("$ORIGIN example.org.\na..b A 192.0.2.1"),
        (2, ZoneProblem::BadName)
    );
    assert_eq!(
        syntax_error("a..example. A 192.0.2.1"),
        (1, ZoneProblem::BadName)
    );
    assert_eq!(
        syntax_error("a.example. CNAME b..example."),
        (1, ZoneProblem::BadName)
    );
    assert_eq!(
        syntax_error("a.example. TIMEOUT extra"),
        (1, ZoneProblem::WrongFieldCount)
    );
    assert_eq!(
        syntax_error("a.example. A 192.0.2.1\na.example. CNAME b.example."),
        (2, ZoneProblem::CnameAndOtherData)
    );
}

#[test]
fn error_messages_read_well() {
    let error = Zone::from_text("ok.example. A 192.0.2.1\nbad.example. SRV 0 0 25 x.").unwrap_err();
    assert_eq!(
        error.to_string(),
        "zone line 2: unknown record type (A, AAAA, MX, TXT, PTR, CNAME or TIMEOUT) (`SRV`)"
    );
    assert!(!error.is_temporary());
}

#[test]
fn a_failed_load_adds_nothing() {
    let mut z = zone("a.example. A 192.0.2.1");
    let before = z.clone();
    assert!(
        z.add_text("b.example. A 192.0.2.2\nc.example. A nonsense")
            .is_err()
    );
    assert_eq!(z, before);
}

#[test]
fn built_in_code() {
    let mut z = Zone::new();
    z.insert(
        "Example.org.",
        RecordData::Txt(Txt::new(["v=spf1 ", "-all"])),
    )
    .unwrap();
    z.insert_with_ttl(
        "example.org",
        60,
        RecordData::Mx(Mx {
            preference: 5,
            exchange: "MX.example.org.".into(),
        }),
    )
    .unwrap();
    z.insert("www.example.org", RecordData::Cname("example.org".into()))
        .unwrap();
    z.insert_timeout("slow.example.org").unwrap();
    assert_eq!(txt(&z, "www.example.org"), vec![b"v=spf1 -all".to_vec()]);
    assert_eq!(
        block_on(z.mx("example.org")).unwrap().records()[0].exchange,
        "mx.example.org"
    );
    assert!(matches!(
        z.insert(
            "www.example.org",
            RecordData::A("192.0.2.1".parse().unwrap())
        ),
        Err(DnsError::ZoneConflict {
            problem: ZoneProblem::CnameAndOtherData,
            ..
        })
    ));
    assert!(matches!(
        z.insert("bad..name", RecordData::A("192.0.2.1".parse().unwrap())),
        Err(DnsError::InvalidName { .. })
    ));
}

#[test]
fn display_writes_text_that_reads_back() {
    let z = zone(
        "b.example. 60 A 192.0.2.1\na.example. TXT \"x\\\"y\" \"\\200\"\nn.example. MX 0 .\n\
         w.example. CNAME b.example.\nslow.example. TIMEOUT\n7.2.0.192.in-addr.arpa. PTR b.example.",
    );
    let text = z.to_string();
    assert!(
        text.contains("a.example. 3600 IN TXT \"x\\\"y\" \"\\200\"\n"),
        "{text}"
    );
    assert!(text.contains("n.example. 3600 IN MX 0 .\n"), "{text}");
    assert_eq!(Zone::from_text(&text).unwrap(), z);
}

#[test]
fn txt_answers_carry_the_smallest_ttl_and_negative_answers_the_default() {
    let z = zone(
        "a.example. 600 TXT \"one\"\na.example. 120 TXT \"two\"\nalias.example. 60 CNAME a.example.\nb.example. 30 A 192.0.2.1\nslow.example. TIMEOUT",
    );
    let ttl = |name: &str| block_on(z.txt_with_ttl(name)).1;
    assert_eq!(ttl("a.example"), Some(120));
    assert_eq!(ttl("alias.example"), Some(60), "the CNAME's TTL counts too");
    assert_eq!(ttl("b.example"), Some(mailroom_dns::DEFAULT_TTL));
    assert_eq!(ttl("nowhere.example"), Some(mailroom_dns::DEFAULT_TTL));
    assert_eq!(ttl("slow.example"), None);
    let (answer, _) = block_on(z.txt_with_ttl("a.example"));
    assert_eq!(answer, block_on(z.txt("a.example")));
    assert_eq!(block_on(z.a_with_ttl("b.example")).1, Some(30));
    assert_eq!(
        block_on(z.aaaa_with_ttl("b.example")).1,
        Some(mailroom_dns::DEFAULT_TTL)
    );
    assert_eq!(block_on(z.mx_with_ttl("a.example")).0, Ok(Answer::NoData));
}
