//! Who may send as whom: AUTH before MAIL on submission, the envelope sender and the From
//! addresses of submitted mail against the user's own addresses (spoof protection), and SPF
//! for mail from the world at MAIL.

use mailroom_mta_core::{Decision, ReversePath};

use super::{MailHandler, Session, Transaction, address, queue_id, reply};
use crate::config::Role;

impl MailHandler {
    pub(super) async fn on_mail(&self, session: &mut Session, from: &ReversePath) -> Decision {
        let submission = matches!(self.role, Role::Submission | Role::Submissions);
        if submission && session.user.is_none() && !session.trusted {
            // RFC 4954 §6.
            return reply(530, (5, 7, 0), "authentication required");
        }
        if let (Some(user), Some(sender)) = (&session.user, address(from))
            && self.shared.config.policy.spoof_protection
        {
            let Some(directory) = self.shared.directory() else {
                return reply(
                    451,
                    (4, 3, 0),
                    "the directory is unavailable; try again later",
                );
            };
            if directory.may_send_as(user, &sender).is_none() {
                tracing::info!(client = %session.peer.remote, %user, from = %sender, "refused: sender does not belong to the user");
                return reply(553, (5, 7, 1), &not_yours(&sender, user));
            }
        }
        let spf = if self.role == Role::Inbound && session.user.is_none() && !session.trusted {
            Some(self.check_spf(session, from).await)
        } else {
            None
        };
        session.transaction = Some(Transaction {
            spf,
            id: queue_id(),
            from: from.clone(),
            local: Vec::new(),
            remote: Vec::new(),
            accepted: Vec::new(),
            incoming: None,
            header: Vec::new(),
            size: 0,
        });
        Decision::Accept
    }

    /// Spoof protection at the end of DATA: each From address must belong to the user.
    pub(super) fn check_from(&self, session: &Session, authors: &Authors) -> Option<Decision> {
        let user = session.user.as_ref()?;
        if !self.shared.config.policy.spoof_protection {
            return None;
        }
        let directory = self.shared.directory()?;
        let authors = &authors.addresses;
        if authors.is_empty() {
            return Some(reply(550, (5, 6, 0), "the message has no From address"));
        }
        let foreign = authors
            .iter()
            .find(|author| directory.may_send_as(user, author).is_none())?;
        tracing::info!(client = %session.peer.remote, %user, from = %foreign, "refused: From does not belong to the user");
        Some(reply(
            553,
            (5, 7, 1),
            &not_yours(&format!("From: {foreign}"), user),
        ))
    }
}

fn not_yours(address: &str, user: &str) -> String {
    format!(
        "{address} does not belong to {user}: it is not the user's address or +tag form, an alias \
         or catch-all delivering to the user, or a sender grant"
    )
}

/// The addresses of a message's From field, read once at the end of DATA from the header
/// section kept during it; spoof protection and signing both use them.
#[derive(Debug, Default)]
pub(super) struct Authors {
    addresses: Vec<String>,
}

impl Authors {
    /// The From addresses of `header` (none when it has no From field or cannot be read).
    pub(super) fn of(header: &[u8]) -> Self {
        let addresses = mail_parser::MessageParser::new()
            .parse_headers(header)
            .and_then(|message| {
                message.from().map(|from| {
                    from.iter()
                        .filter_map(|a| a.address.as_deref().map(str::to_owned))
                        .collect()
                })
            })
            .unwrap_or_default();
        Self { addresses }
    }

    /// The domain of the first address, in lower case: the one the message is signed for.
    pub(super) fn domain(&self) -> Option<String> {
        let (_, domain) = self.addresses.first()?.rsplit_once('@')?;
        Some(domain.to_ascii_lowercase())
    }
}
