//! Fuzz bodies, shared by the cargo-fuzz targets in `fuzz/` and the proptest properties.

use crate::{BearerRequest, LoginServer, PlainCredentials, ScramCredentials, ScramServer};

/// SASL messages: the first third of the input as a PLAIN message and LOGIN responses, the
/// rest split at the first newline into a SCRAM client-first and client-final message; nothing
/// panics, and what PLAIN decodes encodes back to the same credentials.
pub fn messages(data: &[u8]) {
    let cut = data.len() / 3;
    let (plain, scram) = data.split_at(cut);
    let _ = BearerRequest::parse(data);
    if let Ok(creds) = PlainCredentials::decode(plain) {
        assert_eq!(PlainCredentials::decode(&creds.encode()).ok(), Some(creds));
    }
    let mut login = LoginServer::new();
    for response in plain.split(|&b| b == b'\n') {
        if login.respond(response).is_err() {
            break;
        }
    }
    let (first, last) = match scram.iter().position(|&b| b == b'\n') {
        Some(at) => (&scram[..at], &scram[at + 1..]),
        None => (scram, &[][..]),
    };
    let mut server = ScramServer::new();
    if server.client_first(first).is_ok()
        && let Ok(stored) = ScramCredentials::derive("pw", b"salt", 1)
        && server.server_first(stored, "n").is_ok()
    {
        let _ = server.client_final(last);
    }
}
