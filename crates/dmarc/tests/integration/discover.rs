//! Policy discovery and the organizational domain by the DNS tree walk (RFC 9989 §4.10).

use futures::executor::block_on;
use mailroom_dmarc::{Error, Policy, discover, tree_walk_targets};
use mailroom_dns::Zone;

fn zone(text: &str) -> Zone {
    Zone::from_text(text).unwrap()
}

#[test]
fn the_from_domain_s_own_record_wins() {
    let z = zone(
        "_dmarc.mail.example.com. TXT \"v=DMARC1; p=none\"\n_dmarc.example.com. TXT \"v=DMARC1; p=reject\"",
    );
    let found = block_on(discover(&z, "mail.example.com")).unwrap();
    let (at, record) = found.policy.unwrap();
    assert_eq!(
        (at.as_str(), record.policy),
        ("mail.example.com", Some(Policy::None))
    );
    // Without psd= tags, the organizational domain is the found one with the fewest labels.
    assert_eq!(found.organizational_domain.as_deref(), Some("example.com"));
    assert_eq!(found.queried, ["mail.example.com", "example.com", "com"]);
}

#[test]
fn psd_y_makes_the_domain_below_it_organizational() {
    let z = zone("_dmarc.example. TXT \"v=DMARC1; p=reject; psd=y\"");
    let found = block_on(discover(&z, "mail.shop.example")).unwrap();
    assert_eq!(found.policy.unwrap().0, "example");
    assert_eq!(found.organizational_domain.as_deref(), Some("shop.example"));
}

#[test]
fn psd_n_names_the_organizational_domain_and_stops_the_walk() {
    let z = zone(
        "_dmarc.shop.example. TXT \"v=DMARC1; p=quarantine; psd=n\"\n_dmarc.example. TXT \"v=DMARC1; p=reject; psd=y\"",
    );
    let found = block_on(discover(&z, "a.b.shop.example")).unwrap();
    assert_eq!(found.organizational_domain.as_deref(), Some("shop.example"));
    assert_eq!(
        found.queried,
        ["a.b.shop.example", "b.shop.example", "shop.example"]
    );
}

#[test]
fn long_names_jump_to_seven_labels_and_the_walk_is_capped() {
    let long = "a.b.c.d.e.f.g.h.i.example.com";
    let targets = tree_walk_targets(long);
    assert_eq!(targets[0], long);
    assert_eq!(targets[1], "e.f.g.h.i.example.com");
    assert_eq!(targets.last().unwrap(), "com");
    assert_eq!(targets.len(), 8);
    let found = block_on(discover(&Zone::new(), long)).unwrap();
    assert_eq!(found.queried.len(), 8);
    assert_eq!((found.policy, found.organizational_domain), (None, None));
}

#[test]
fn several_records_at_one_name_count_as_none() {
    let z = zone(
        "_dmarc.example.com. TXT \"v=DMARC1; p=reject\"\n_dmarc.example.com. TXT \"v=DMARC1; p=none\"",
    );
    assert_eq!(block_on(discover(&z, "example.com")).unwrap().policy, None);
}

#[test]
fn dns_failures_are_errors_and_bad_names_are_refused() {
    let z = zone("_dmarc.example.com. TIMEOUT");
    assert!(matches!(
        block_on(discover(&z, "example.com")),
        Err(Error::Dns { .. })
    ));
    assert!(matches!(
        block_on(discover(&Zone::new(), "a..b")),
        Err(Error::InvalidDomain { .. })
    ));
}

#[test]
fn internationalized_from_domains_are_walked_as_a_labels() {
    let z = zone("_dmarc.xn--bcher-kva.example. TXT \"v=DMARC1; p=reject\"");
    let found = block_on(discover(&z, "mail.Bücher.example")).unwrap();
    assert_eq!(found.policy.unwrap().0, "xn--bcher-kva.example");
}
