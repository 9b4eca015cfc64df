//! Which recipients are taken: local users (through aliases and catch-alls), other domains
//! only for authenticated users and trusted networks with a relay host, and no relaying tricks.

use mailroom_mta_core::{Decision, ForwardPath};

use super::{MailHandler, Session, reply};

impl MailHandler {
    pub(super) fn on_rcpt(&self, session: &mut Session, to: &ForwardPath) -> Decision {
        let Some(directory) = self.shared.directory() else {
            return reply(
                451,
                (4, 3, 0),
                "the directory is unavailable; try again later",
            );
        };
        let (local_part, domain) = match to {
            ForwardPath::Postmaster => {
                ("postmaster".to_owned(), self.shared.config.hostname.clone())
            }
            ForwardPath::Mailbox(mailbox) => (mailbox.local.clone(), mailbox.domain.to_string()),
        };
        let recipient = format!("{local_part}@{domain}").to_ascii_lowercase();
        // The open-relay tricks: the percent hack, bang paths, a quoted local part holding
        // an @, a trailing dot (RFC 2505 §2.6).
        if local_part.contains(['%', '!', '@']) || domain.ends_with('.') {
            return reply(
                550,
                (5, 7, 1),
                "this address form is not accepted (relaying tricks are refused)",
            );
        }
        let users = directory.resolve(&recipient);
        let Some(transaction) = session.transaction.as_mut() else {
            return reply(503, (5, 5, 1), "send MAIL first");
        };
        if !users.is_empty() {
            for user in users {
                if !transaction.local.contains(&user.address) {
                    transaction.local.push(user.address.clone());
                }
            }
            transaction.accepted.push(recipient);
            return Decision::Accept;
        }
        if self.shared.is_local_domain(&directory, &domain) {
            return reply(550, (5, 1, 1), &format!("<{recipient}>: no such user here"));
        }
        if session.user.is_none() && !session.trusted {
            return reply(550, (5, 7, 1), &format!("<{recipient}>: relaying denied"));
        }
        if self.shared.config.delivery.relay_host.is_none() {
            return reply(
                550,
                (5, 7, 1),
                &format!(
                    "<{recipient}>: this server does not deliver to other hosts (no delivery.relay_host)"
                ),
            );
        }
        transaction.remote.push(recipient.clone());
        transaction.accepted.push(recipient);
        Decision::Accept
    }
}
