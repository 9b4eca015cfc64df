//! Mailboxes and domains against the ABNF of RFC 5321 §4.1.2-§4.1.3 and RFC 6531 §3.3.

use mailroom_mta_core::{Domain, Error, Mailbox};

#[test]
fn valid_mailboxes_parse_and_write_back() {
    for (text, local, domain, written) in [
        ("joe@example.org", "joe", "example.org", "joe@example.org"),
        (
            "first.last+tag@mail.example.org",
            "first.last+tag",
            "mail.example.org",
            "first.last+tag@mail.example.org",
        ),
        (
            "!#$%&'*+-/=?^_`{|}~@x1.example",
            "!#$%&'*+-/=?^_`{|}~",
            "x1.example",
            "!#$%&'*+-/=?^_`{|}~@x1.example",
        ),
        (
            "\"joe smith\"@example.org",
            "joe smith",
            "example.org",
            "\"joe smith\"@example.org",
        ),
        (
            "\"a\\\"b\\\\c\"@example.org",
            "a\"b\\c",
            "example.org",
            "\"a\\\"b\\\\c\"@example.org",
        ),
        // A quoted local part that could be a Dot-string is written without quotes (§4.1.2).
        (
            "\"joe\"@example.org",
            "joe",
            "example.org",
            "joe@example.org",
        ),
        ("a@b-c.example", "a", "b-c.example", "a@b-c.example"),
    ] {
        let mailbox = Mailbox::parse(text, false).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(mailbox.local, local, "{text}");
        assert_eq!(mailbox.domain, Domain::Name(domain.to_owned()), "{text}");
        assert_eq!(mailbox.to_string(), written, "{text}");
    }
}

#[test]
fn address_literals() {
    let v4 = Mailbox::parse("postmaster@[192.0.2.1]", false).unwrap();
    assert_eq!(v4.domain, Domain::Address("192.0.2.1".parse().unwrap()));
    let v6 = Mailbox::parse("a@[IPv6:2001:db8::1]", false).unwrap();
    assert_eq!(v6.domain, Domain::Address("2001:db8::1".parse().unwrap()));
    assert_eq!(v6.to_string(), "a@[IPv6:2001:db8::1]");
    let general = Mailbox::parse("a@[x-tag:some-content]", false).unwrap();
    assert_eq!(
        general.domain,
        Domain::General {
            tag: "x-tag".into(),
            content: "some-content".into()
        }
    );
    for bad in [
        "a@[300.1.1.1]",
        "a@[IPv6:zz::1]",
        "a@[]",
        "a@[:x]",
        "a@[tag-:x]",
        "a@[192.0.2.1",
    ] {
        assert!(Mailbox::parse(bad, false).is_err(), "{bad}");
    }
}

#[test]
fn invalid_mailboxes_are_syntax_errors() {
    for bad in [
        "",
        "joe",
        "@example.org",
        "joe@",
        "jo e@example.org",
        ".joe@example.org",
        "joe.@example.org",
        "jo..e@example.org",
        "joe@-example.org",
        "joe@example-.org",
        "joe@exa_mple.org",
        "joe@example..org",
        "\"unterminated@example.org",
        "\"bad\x01char\"@example.org",
        "joe@example.org extra",
    ] {
        assert!(
            matches!(Mailbox::parse(bad, false), Err(Error::Syntax { .. })),
            "{bad:?}: {:?}",
            Mailbox::parse(bad, false)
        );
    }
}

#[test]
fn length_limits_of_section_4_5_3_1() {
    let long_local = format!("{}@example.org", "a".repeat(65));
    assert!(matches!(
        Mailbox::parse(&long_local, false),
        Err(Error::TooLong {
            part: "local part",
            limit: 64
        })
    ));
    let ok_local = format!("{}@example.org", "a".repeat(64));
    assert!(Mailbox::parse(&ok_local, false).is_ok());
}

#[test]
fn utf8_only_under_smtputf8() {
    for text in ["jörg@bücher.example", "用户@例子.广告"] {
        assert_eq!(
            Mailbox::parse(text, false),
            Err(Error::Utf8NotAllowed),
            "{text}"
        );
        let mailbox = Mailbox::parse(text, true).unwrap();
        assert!(mailbox.is_utf8());
        assert_eq!(mailbox.to_string(), text);
    }
    assert_eq!(
        Mailbox::parse("\"jörg\"@example.org", false),
        Err(Error::Utf8NotAllowed)
    );
    assert!(!Mailbox::parse("joe@example.org", true).unwrap().is_utf8());
}

#[test]
fn helo_domains() {
    assert_eq!(
        Domain::parse("mx.example.org", false).unwrap().to_string(),
        "mx.example.org"
    );
    assert_eq!(
        Domain::parse("[192.0.2.7]", false).unwrap().to_string(),
        "[192.0.2.7]"
    );
    assert!(Domain::parse("", false).is_err());
    assert!(Domain::parse("bad domain", false).is_err());
}
