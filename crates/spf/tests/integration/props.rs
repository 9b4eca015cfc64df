//! Properties: records round-trip, macros never panic, evaluation stays within the limits
//! whatever the record graph (include loops, deep chains, huge records), and an evaluator that
//! keeps records and answers (and the programs flattened from them) decides as the walk does.

use futures::executor::block_on;
use mailroom_dns::{RecordData, Txt, Zone};
use mailroom_spf::{Evaluator, SpfResult, fuzzing};
use proptest::prelude::*;

fn term() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("all".to_owned()),
        "ip4:(1?[0-9]{1,2}\\.){3}[0-9]{1,2}(/[1-2]?[0-9])?".prop_map(|s| s),
        "ip6:2001:db8:[0-9a-f]{1,4}::(/[1-9][0-9]?)?".prop_map(|s| s),
        "(a|mx)(:[a-z]{1,6}\\.example)?(/[1-2]?[0-9])?(//[1-9][0-9]?)?",
        "(include|exists):[a-z]{1,6}\\.example",
        "exists:%\\{[sldhi][1-9]?r?[-.+]*\\}\\.example",
        "ptr(:[a-z]{1,6}\\.example)?",
        "redirect=[a-z]{1,6}\\.example",
        "exp=[a-z]{1,6}\\.example",
        "x-[a-z]{1,5}=[a-z%_]{0,6}",
    ]
    .prop_map(|t| t)
}

fn record() -> impl Strategy<Value = String> {
    (proptest::collection::vec(
        (
            prop_oneof![Just(""), Just("-"), Just("~"), Just("?"), Just("+")],
            term(),
        ),
        0..12,
    ))
    .prop_map(|terms| {
        let mut r = "v=spf1".to_owned();
        for (q, t) in terms {
            r.push(' ');
            if !t.contains('=') {
                r.push_str(q);
            }
            r.push_str(&t);
        }
        r
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn records_round_trip(text in record()) {
        fuzzing::record(text.as_bytes());
    }

    #[test]
    fn any_bytes_as_record_or_macro(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        fuzzing::record(&data);
        fuzzing::macro_string(&data);
    }

    #[test]
    fn macro_strings(text in "([a-z.]{0,4}|%\\{[slodiphcrtvSLODIPHCRTV][0-9]{0,3}r?[.+,/_=-]{0,3}\\}|%%|%_|%-){0,8}") {
        fuzzing::macro_string(text.as_bytes());
    }

    /// A graph of records over a few names, with includes and redirects pointing anywhere
    /// (loops included): every check ends, within the limits, with an error named on errors.
    #[test]
    fn evaluation_terminates_within_limits(
        graph in proptest::collection::vec(
            proptest::collection::vec(
                prop_oneof![
                    (0usize..6).prop_map(|n| format!("include:n{n}.example")),
                    (0usize..6).prop_map(|n| format!("a:n{n}.example")),
                    (0usize..6).prop_map(|n| format!("mx:n{n}.example")),
                    (0usize..6).prop_map(|n| format!("exists:n{n}.example")),
                    (0usize..6).prop_map(|n| format!("redirect=n{n}.example")),
                    Just("ip4:192.0.2.0/24".to_owned()),
                    Just("-all".to_owned()),
                ],
                0..8,
            ),
            6,
        ),
    ) {
        let mut zone = Zone::new();
        for (n, terms) in graph.iter().enumerate() {
            let name = format!("n{n}.example");
            zone.insert(&name, RecordData::Txt(Txt::new([format!("v=spf1 {}", terms.join(" "))]))).unwrap();
            zone.insert(&name, RecordData::Mx(mailroom_dns::Mx { preference: 0, exchange: name.clone() })).unwrap();
        }
        let spf = Evaluator::new(&zone);
        let out = block_on(spf.check_host("198.51.100.1".parse().unwrap(), "n0.example", "a@n0.example", "h.example"));
        prop_assert!(out.dns_terms <= 11);
        prop_assert!(out.void_lookups <= 3);
        if matches!(out.result, SpfResult::PermError | SpfResult::TempError) {
            prop_assert!(out.error.is_some());
        }
    }
}

/// One directive or modifier of the graphs the cold and warm evaluators are compared on.
fn graph_term() -> impl Strategy<Value = String> {
    let qualifier = prop_oneof![Just(""), Just("-"), Just("~"), Just("?")];
    let name = (0usize..6).prop_map(|n| format!("n{n}.example"));
    let mechanism = prop_oneof![
        name.clone().prop_map(|n| format!("include:{n}")),
        name.clone().prop_map(|n| format!("a:{n}")),
        name.clone().prop_map(|n| format!("mx:{n}/28//120")),
        Just("a".to_owned()),
        Just("mx".to_owned()),
        (0u8..=32).prop_map(|p| format!("ip4:192.0.2.0/{p}")),
        (16u8..=32).prop_map(|p| format!("ip4:198.51.100.64/{p}")),
        (0u8..=128).prop_map(|p| format!("ip6:2001:db8::/{p}")),
        Just("exists:%{i}.n1.example".to_owned()),
        Just("include:%{d2}".to_owned()),
        Just("all".to_owned()),
    ];
    prop_oneof![
        8 => (qualifier, mechanism).prop_map(|(q, m)| format!("{q}{m}")),
        1 => name.clone().prop_map(|n| format!("redirect={n}")),
        1 => name.prop_map(|n| format!("exp=why.{n}")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Records over a few names with addresses, exchangers, includes and redirects anywhere:
    /// checked again and again by an evaluator that keeps what it learns, every output equals
    /// the output of an evaluator that keeps nothing.
    #[test]
    fn kept_programs_decide_as_the_walk_does(
        graph in proptest::collection::vec(proptest::collection::vec(graph_term(), 0..7), 6),
        addresses in proptest::collection::vec((any::<bool>(), any::<bool>()), 6),
        client in 0usize..5,
    ) {
        let mut zone = Zone::new();
        for (n, terms) in graph.iter().enumerate() {
            let name = format!("n{n}.example");
            zone.insert(&name, RecordData::Txt(Txt::new([format!("v=spf1 {}", terms.join(" "))]))).unwrap();
            zone.insert(&name, RecordData::Mx(mailroom_dns::Mx { preference: 5, exchange: format!("mx.n{n}.example") })).unwrap();
            let (v4, v6) = addresses[n];
            if v4 {
                zone.insert(&format!("mx.n{n}.example"), RecordData::A(format!("198.51.100.{}", 64 + n).parse().unwrap())).unwrap();
                zone.insert(&name, RecordData::A(format!("192.0.2.{n}").parse().unwrap())).unwrap();
            }
            if v6 {
                zone.insert(&format!("mx.n{n}.example"), RecordData::Aaaa(format!("2001:db8::{n}").parse().unwrap())).unwrap();
            }
            zone.insert(&format!("why.n{n}.example"), RecordData::Txt(Txt::new([format!("not n{n} %{{i}}")]))).unwrap();
        }
        zone.insert("1.2.0.192.n1.example", RecordData::A("127.0.0.2".parse().unwrap())).unwrap();
        let ip: std::net::IpAddr = ["192.0.2.1", "198.51.100.66", "2001:db8::2", "203.0.113.9", "::ffff:192.0.2.3"][client].parse().unwrap();
        let cold = Evaluator::new(&zone).receiver("r.example");
        let warm = Evaluator::new(&zone).receiver("r.example").now(1_700_000_000);
        for domain in ["n0.example", "n1.example", "n0.example", "n2.example", "n0.example", "n1.example"] {
            let sender = format!("a@{domain}");
            let expected = block_on(cold.check_host(ip, domain, &sender, "h.example"));
            let got = block_on(warm.check_host(ip, domain, &sender, "h.example"));
            prop_assert_eq!(got, expected, "{}", domain);
        }
    }
}

#[test]
fn a_huge_record_and_a_deep_chain() {
    let mut zone = Zone::new();
    let huge = format!(
        "v=spf1 {} -all",
        (0..2000)
            .map(|i| format!("ip4:10.{}.{}.0/24", i / 256, i % 256))
            .collect::<Vec<_>>()
            .join(" ")
    );
    zone.insert("huge.example", RecordData::Txt(Txt::new([huge])))
        .unwrap();
    for n in 0..50 {
        zone.insert(
            &format!("c{n}.example"),
            RecordData::Txt(Txt::new([format!("v=spf1 include:c{}.example", n + 1)])),
        )
        .unwrap();
    }
    let spf = Evaluator::new(&zone);
    let ip = "192.0.2.1".parse().unwrap();
    assert_eq!(
        block_on(spf.check_host(ip, "huge.example", "a@huge.example", "h")).result,
        SpfResult::Fail
    );
    let chain = block_on(spf.check_host(ip, "c0.example", "a@c0.example", "h"));
    assert_eq!(chain.result, SpfResult::PermError);
    assert_eq!(chain.dns_terms, 11);
}

/// The fuzz target's seeds, through the fuzz body: within the limits, and the same with kept
/// answers and programs as without.
#[test]
fn fuzz_seeds() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/spf_eval");
    let mut seeds = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        #[allow(clippy::disallowed_methods)] // the test reads the committed seeds
        let seed = std::fs::read(entry.unwrap().path()).unwrap();
        fuzzing::evaluate(&seed);
        seeds += 1;
    }
    assert!(seeds >= 2, "{}", dir.display());
}
