//! Fuzz bodies, shared by the cargo-fuzz targets in `fuzz/` and the proptest properties.

use std::net::IpAddr;

use crate::macros::{MacroContext, MacroString};
use crate::{Evaluator, Record, SpfResult};

/// A record: parsing never panics, and what parses prints and parses back equal.
pub fn record(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(record) = Record::parse(text) {
        let printed = record.to_string();
        assert_eq!(Record::parse(&printed).as_ref(), Ok(&record), "{printed}");
    }
}

/// A macro-string: parsing and expanding never panic; what parses prints and parses back equal.
pub fn macro_string(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = MacroString::parse(text) {
        assert_eq!(
            MacroString::parse(&parsed.to_string()).as_ref(),
            Ok(&parsed),
            "{text}"
        );
        for ip in ["192.0.2.1", "2001:db8::1"] {
            let context = MacroContext {
                sender: "a.b-c+d@example.com",
                domain: "example.com",
                ip: ip.parse::<IpAddr>().unwrap_or(IpAddr::from([0, 0, 0, 0])),
                helo: "mx.example.com",
                receiver: "receiver.example",
                now: 0,
                validated: None,
            };
            let _ = parsed.expand(&context, true);
            if let Ok(domain) = parsed.expand_domain(&context) {
                assert!(
                    domain.trim_end_matches('.').len() <= crate::macros::MAX_DOMAIN_LEN
                        || !domain.contains('.')
                );
            }
        }
    }
}

/// Evaluation over a zone given as text: never panics, never hangs, stays within the limits,
/// and an evaluator that keeps answers (and runs the programs it flattens from them) decides
/// every check as one that keeps nothing.
pub fn evaluate(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(zone) = mailroom_dns::Zone::from_text(text) else {
        return;
    };
    let evaluator = Evaluator::new(&zone);
    let keeping = Evaluator::new(&zone).now(1_700_000_000);
    for ip in ["192.0.2.1", "2001:db8::1", "192.0.2.1"] {
        let Ok(ip) = ip.parse() else { return };
        let out = block_on(evaluator.check_mail_from(ip, "helo.example", "user@example.com"));
        assert!(out.dns_terms <= 11, "{out:?}");
        assert!(out.void_lookups <= 3, "{out:?}");
        if out.result == SpfResult::PermError || out.result == SpfResult::TempError {
            assert!(out.error.is_some());
        }
        let kept = block_on(keeping.check_mail_from(ip, "helo.example", "user@example.com"));
        assert_eq!(kept, out);
    }
}

/// Runs a future that never waits (the zone answers at once) to completion.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}
