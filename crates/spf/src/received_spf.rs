//! The Received-SPF header field (RFC 7208 §9.1) and the Authentication-Results method
//! fragment (RFC 8601 §2.7.2).

use std::net::IpAddr;

use crate::eval::SpfOutput;
use crate::result::SpfResult;

/// Which identity a check was for (RFC 7208 §9.1 `identity=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// The MAIL FROM reverse-path.
    MailFrom,
    /// The HELO/EHLO name.
    Helo,
}

impl SpfOutput {
    /// The `Received-SPF:` header field (with its name, without the final CRLF):
    /// `result (comment) key=value; ...` as RFC 7208 §9.1 shows.
    ///
    /// ```
    /// use mailroom_dns::Zone;
    /// use mailroom_spf::{Evaluator, Identity};
    /// let zone = Zone::from_text("example.org. TXT \"v=spf1 ip4:192.0.2.0/24 -all\"")?;
    /// let ip = "192.0.2.7".parse()?;
    /// let out = futures::executor::block_on(Evaluator::new(&zone).check_mail_from(ip, "mx.example.org", "joe@example.org"));
    /// let header = out.received_spf(ip, "mx.example.org", "joe@example.org", "mx.receiver.example", Identity::MailFrom);
    /// assert!(header.starts_with("Received-SPF: pass (mx.receiver.example: domain of joe@example.org designates 192.0.2.7 as permitted sender)"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn received_spf(
        &self,
        ip: IpAddr,
        helo: &str,
        sender: &str,
        receiver: &str,
        identity: Identity,
    ) -> String {
        let who = match identity {
            Identity::MailFrom => format!("domain of {sender}"),
            Identity::Helo => helo.to_string(),
        };
        let comment = match self.result {
            SpfResult::Pass => format!("{receiver}: {who} designates {ip} as permitted sender"),
            SpfResult::Fail => {
                format!("{receiver}: {who} does not designate {ip} as permitted sender")
            }
            SpfResult::SoftFail => format!(
                "{receiver}: transitioning {who} does not designate {ip} as permitted sender"
            ),
            SpfResult::Neutral => {
                format!("{receiver}: {ip} is neither permitted nor denied by {who}")
            }
            SpfResult::None => {
                format!("{receiver}: {who} does not designate permitted sender hosts")
            }
            SpfResult::TempError | SpfResult::PermError => format!(
                "{receiver}: error in processing during lookup of {}: {}",
                self.domain,
                self.error
                    .as_ref()
                    .map_or_else(String::new, ToString::to_string)
            ),
        };
        let mut header = format!(
            "Received-SPF: {} ({}) client-ip={ip}; envelope-from={}; helo={}; receiver={receiver}; identity={}",
            self.result,
            sanitize_comment(&comment),
            quote(sender),
            quote(helo),
            match identity {
                Identity::MailFrom => "mailfrom",
                Identity::Helo => "helo",
            }
        );
        if let Some(mechanism) = &self.mechanism {
            header.push_str(&format!("; mechanism={}", quote(mechanism)));
        }
        header
    }

    /// The `spf=` method of an Authentication-Results header (RFC 8601 §2.7.2), e.g.
    /// `spf=pass smtp.mailfrom=example.org`.
    pub fn authentication_results(&self, identity: Identity) -> String {
        let property = match identity {
            Identity::MailFrom => "smtp.mailfrom",
            Identity::Helo => "smtp.helo",
        };
        format!("spf={} {property}={}", self.result, quote(&self.domain))
    }
}

/// A value as a token when it is one, else a quoted-string (RFC 5322 §3.2.4).
fn quote(value: &str) -> String {
    let token = !value.is_empty()
        && value.bytes().all(|c| {
            c.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&c) || c == b'@' || c == b'.'
        });
    if token {
        value.to_owned()
    } else {
        let escaped: String = value
            .chars()
            .filter(|c| !c.is_control())
            .flat_map(|c| match c {
                '"' | '\\' => vec!['\\', c],
                _ => vec![c],
            })
            .collect();
        format!("\"{escaped}\"")
    }
}

/// Keeps a comment's parentheses balanced and its characters printable.
fn sanitize_comment(comment: &str) -> String {
    comment
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '(' | ')' | '\\' => ' ',
            c => c,
        })
        .collect()
}
