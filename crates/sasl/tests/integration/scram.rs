//! SCRAM-SHA-256: the RFC 7677 §3 example exchange, byte for byte, both sides; failures.

use base64::Engine as _;
use mailroom_sasl::{Error, ScramClient, ScramCredentials, ScramServer};
use proptest::prelude::*;

const SALT: &str = "W22ZaJ0SNY7soEsUEjb6gQ==";
const CLIENT_NONCE: &str = "rOprNGfwEbeRWgbNEkqO";
const SERVER_NONCE: &str = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
const CLIENT_FIRST: &str = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
const SERVER_FIRST: &str =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
const CLIENT_FINAL: &str = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
const SERVER_FINAL: &str = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

fn stored() -> ScramCredentials {
    let salt = base64::engine::general_purpose::STANDARD
        .decode(SALT)
        .unwrap();
    ScramCredentials::derive("pencil", &salt, 4096).unwrap()
}

#[test]
fn rfc7677_example_client_side() {
    let mut client = ScramClient::new("user", "pencil", None, CLIENT_NONCE).unwrap();
    assert_eq!(client.client_first(), CLIENT_FIRST);
    assert_eq!(
        client.server_first(SERVER_FIRST.as_bytes()).unwrap(),
        CLIENT_FINAL
    );
    client.server_final(SERVER_FINAL.as_bytes()).unwrap();
}

#[test]
fn rfc7677_example_server_side() {
    let mut server = ScramServer::new();
    let user = server.client_first(CLIENT_FIRST.as_bytes()).unwrap();
    assert_eq!((user.username.as_str(), user.authzid), ("user", None));
    assert_eq!(
        server.server_first(stored(), SERVER_NONCE).unwrap(),
        SERVER_FIRST
    );
    assert_eq!(
        server.client_final(CLIENT_FINAL.as_bytes()).unwrap(),
        SERVER_FINAL
    );
}

#[test]
fn a_wrong_password_fails_and_a_lying_server_is_caught() {
    let mut server = ScramServer::new();
    let mut client = ScramClient::new("user", "not pencil", None, CLIENT_NONCE).unwrap();
    server
        .client_first(client.client_first().as_bytes())
        .unwrap();
    let first = server.server_first(stored(), SERVER_NONCE).unwrap();
    let last = client.server_first(first.as_bytes()).unwrap();
    assert_eq!(server.client_final(last.as_bytes()), Err(Error::Failed));

    let mut client = ScramClient::new("user", "pencil", None, CLIENT_NONCE).unwrap();
    client.server_first(SERVER_FIRST.as_bytes()).unwrap();
    assert_eq!(
        client.server_final(b"v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
        Err(Error::ServerNotAuthenticated)
    );
}

#[test]
fn names_with_commas_and_authzid_are_escaped() {
    let stored = ScramCredentials::derive("pw", b"salt", 4096).unwrap();
    let mut client = ScramClient::new("a,b=c", "pw", Some("admin"), "nonce").unwrap();
    assert_eq!(client.client_first(), "n,a=admin,n=a=2Cb=3Dc,r=nonce");
    let mut server = ScramServer::new();
    let user = server
        .client_first(client.client_first().as_bytes())
        .unwrap();
    assert_eq!(
        (user.username.as_str(), user.authzid.as_deref()),
        ("a,b=c", Some("admin"))
    );
    let first = server.server_first(stored, "srv").unwrap();
    let last = client.server_first(first.as_bytes()).unwrap();
    let fin = server.client_final(last.as_bytes()).unwrap();
    client.server_final(fin.as_bytes()).unwrap();
}

#[test]
fn malformed_and_out_of_order_messages() {
    assert_eq!(
        ScramServer::new().client_first(b"p=tls-unique,,n=user,r=x"),
        Err(Error::ChannelBinding)
    );
    for bad in [
        "",
        "n,,",
        "n,,r=x",
        "n,,n=user",
        "x,,n=user,r=abc",
        "n,,m=ext,n=user,r=abc",
        "n,,n=a=2X,r=abc",
    ] {
        assert!(
            matches!(
                ScramServer::new().client_first(bad.as_bytes()),
                Err(Error::Malformed { .. })
            ),
            "{bad}"
        );
    }
    assert_eq!(
        ScramServer::new().client_final(CLIENT_FINAL.as_bytes()),
        Err(Error::OutOfOrder)
    );
    let mut server = ScramServer::new();
    server.client_first(CLIENT_FIRST.as_bytes()).unwrap();
    server.server_first(stored(), SERVER_NONCE).unwrap();
    let wrong_nonce = CLIENT_FINAL.replace("k0,p", "k1,p");
    assert!(matches!(
        server.client_final(wrong_nonce.as_bytes()),
        Err(Error::Malformed { .. })
    ));
    let mut client = ScramClient::new("user", "pencil", None, CLIENT_NONCE).unwrap();
    assert!(
        client
            .server_first(b"r=other,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
            .is_err()
    );
    assert!(
        client
            .server_first(b"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=100")
            .is_err()
    );
    assert_eq!(
        ScramClient::new("user", "pencil\u{7}", None, "n").unwrap_err(),
        Error::Prohibited { field: "password" }
    );
}

proptest! {
    #[test]
    fn server_messages_never_panic(first in "\\PC{0,60}", last in "\\PC{0,80}") {
        let mut server = ScramServer::new();
        if server.client_first(first.as_bytes()).is_ok() {
            let stored = ScramCredentials::derive("pw", b"s", 4096).unwrap();
            if server.server_first(stored, "n").is_ok() {
                let _ = server.client_final(last.as_bytes());
            }
        }
    }
}

proptest! {
    #[test]
    fn the_fuzz_body_holds(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        mailroom_sasl::fuzzing::messages(&data);
    }
}
