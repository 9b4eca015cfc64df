//! Identifier alignment (RFC 9989 §4.4), strict and relaxed, with the Public Suffix List.

use mailroom_dmarc::{Alignment, PublicSuffixList, is_aligned};
use mailroom_testkit as kit;

macro_rules! alignment_cases {
    ($($name:ident: $mode:ident, $from:expr, $auth:expr => $expected:expr;)*) => {$(
        #[test]
        fn $name() {
            let psl = PublicSuffixList::from_text(&kit::read_text("psl/public_suffix_list.dat")).unwrap();
            let org = |d: &str| psl.organizational_domain(d);
            assert_eq!(is_aligned(Alignment::$mode, $from, $auth, org), $expected);
        }
    )*};
}

alignment_cases! {
    strict_same: Strict, "example.com", "example.com" => true;
    strict_case_and_dot: Strict, "Example.COM", "example.com." => true;
    strict_subdomain: Strict, "example.com", "mail.example.com" => false;
    relaxed_subdomain: Relaxed, "example.com", "mail.example.com" => true;
    relaxed_sibling_subdomains: Relaxed, "news.example.com", "bounce.example.com" => true;
    relaxed_other_domain: Relaxed, "example.com", "example.net" => false;
    relaxed_public_suffix_boundary: Relaxed, "a.example.co.uk", "b.co.uk" => false;
    relaxed_private_suffix: Relaxed, "alice.github.io", "bob.github.io" => false;
    relaxed_idn: Relaxed, "bücher.example.com", "xn--bcher-kva.example.com" => true;
    relaxed_idn_sub: Relaxed, "mail.bücher.de", "xn--bcher-kva.de" => true;
}
