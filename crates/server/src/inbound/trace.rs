//! Trace fields: the `Received` field this server adds to every message.

use std::time::SystemTime;

use super::Session;
use crate::time::rfc5322;

/// The `Received` field (RFC 5321 §4.4), with the protocol names of RFC 3848.
pub(super) fn received_field(
    hostname: &str,
    session: &Session,
    id: &str,
    recipients: &[String],
) -> String {
    let (helo, extended) = session
        .helo
        .clone()
        .unwrap_or_else(|| ("unknown".to_owned(), false));
    let mut protocol = if extended { "ESMTP" } else { "SMTP" }.to_owned();
    if extended && session.tls {
        protocol.push('S');
    }
    if extended && session.user.is_some() {
        protocol.push('A');
    }
    let ip = session.peer.remote.ip();
    let mut field = format!(
        "Received: from {helo} ([{ip}])\r\n\tby {hostname} (Mailroom) with {protocol} id {id}"
    );
    // A single recipient is named; several are not, so they do not learn of each other.
    if let [only] = recipients {
        field.push_str(&format!("\r\n\tfor <{only}>"));
    }
    field.push_str(&format!(";\r\n\t{}\r\n", rfc5322(SystemTime::now())));
    field
}
