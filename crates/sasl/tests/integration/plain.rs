//! PLAIN (RFC 4616 §4 examples) and LOGIN.

use mailroom_sasl::{Error, LoginServer, LoginStep, PlainCredentials};
use proptest::prelude::*;

#[test]
fn rfc4616_examples() {
    let creds = PlainCredentials::decode(b"\0tim\0tanstaaftanstaaf").unwrap();
    assert_eq!(
        (
            creds.authzid,
            creds.authcid.as_str(),
            creds.password.as_str()
        ),
        (None, "tim", "tanstaaftanstaaf")
    );
    let creds = PlainCredentials::decode(b"Ursel\0Kurt\0xipj3plmq").unwrap();
    assert_eq!(creds.authzid.as_deref(), Some("Ursel"));
    assert_eq!(PlainCredentials::decode(&creds.encode()).unwrap(), creds);
    assert!(
        !format!("{creds:?}").contains("xipj3plmq"),
        "Debug never shows the password"
    );
}

#[test]
fn malformed_plain_messages() {
    for bad in [
        &b""[..],
        b"\0tim",
        b"\0\0pw",
        b"\0tim\0",
        b"a\0b\0c\0d",
        b"\0tim\0\xff",
    ] {
        assert!(
            matches!(
                PlainCredentials::decode(bad),
                Err(Error::Malformed {
                    mechanism: "PLAIN",
                    ..
                })
            ),
            "{bad:?}"
        );
    }
    let long = [b"\0".as_slice(), &[b'a'; 256], b"\0pw"].concat();
    assert!(PlainCredentials::decode(&long).is_err());
}

#[test]
fn login_exchange_and_misuse() {
    let mut login = LoginServer::new();
    assert_eq!(login.challenge(), Some(&b"Username:"[..]));
    assert!(matches!(
        login.respond(b"tim").unwrap(),
        LoginStep::Challenge(b"Password:")
    ));
    assert_eq!(login.challenge(), Some(&b"Password:"[..]));
    let LoginStep::Done(creds) = login.respond(b"secret").unwrap() else {
        panic!()
    };
    assert_eq!(creds.password, "secret");
    assert_eq!(login.challenge(), None);
    assert_eq!(login.respond(b"more").unwrap_err(), Error::OutOfOrder);
    assert!(LoginServer::new().respond(b"").is_err());
}

proptest! {
    #[test]
    fn plain_decoding_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = PlainCredentials::decode(&bytes);
    }

    #[test]
    fn plain_round_trips(authzid in "[^\0]{0,20}", authcid in "[^\0]{1,20}", password in "[^\0]{1,20}") {
        let creds = PlainCredentials { authzid: (!authzid.is_empty()).then_some(authzid), authcid, password };
        prop_assert_eq!(PlainCredentials::decode(&creds.encode()).unwrap(), creds);
    }
}
