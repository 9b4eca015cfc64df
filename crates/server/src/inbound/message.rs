//! The message: its data goes to the spool as it arrives; at its end the checks, the trace
//! fields and the signatures are put together and the message is committed before the 250.

use std::io;

use mailroom_mta_core::Decision;

use super::sender::Authors;
use super::trace::received_field;
use super::verdict::Verdict;
use super::{MailHandler, Session, Transaction, reply, sender_text};
use crate::error::Error;
use crate::queue::{Destination, Incoming, RecipientState, Record};
use crate::signing;
use crate::time::unix_now;

/// 451 4.3.0: the message could not be `done` (stored, checked, signed); the client tries
/// again later.
fn try_later(done: &str) -> Decision {
    reply(
        451,
        (4, 3, 0),
        &format!("the message could not be {done}; try again later"),
    )
}

/// How much of a message's header section is kept for the From check.
pub(super) const MAX_HEADER: usize = 64 * 1024;

impl MailHandler {
    pub(super) async fn on_data(&self, session: &mut Session, chunk: &[u8]) -> io::Result<()> {
        let Some(transaction) = session.transaction.as_mut() else {
            return Err(io::Error::other("message data outside a transaction"));
        };
        if transaction.incoming.is_none() {
            let incoming = self
                .shared
                .queue
                .receive(&transaction.id)
                .await
                .map_err(|error| {
                    tracing::error!(queue_id = %transaction.id, %error, "cannot spool");
                    io::Error::other(error)
                })?;
            transaction.incoming = Some(incoming);
        }
        if transaction.header.len() < MAX_HEADER && end_of_header(&transaction.header).is_none() {
            let room = MAX_HEADER - transaction.header.len();
            transaction
                .header
                .extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        transaction.size += chunk.len() as u64;
        match &mut transaction.incoming {
            Some(incoming) => incoming.write(chunk).await.inspect_err(|error| {
                tracing::error!(queue_id = %transaction.id, file = %incoming.path().display(), %error, "cannot write message data");
            }),
            None => Ok(()),
        }
    }

    pub(super) async fn on_discard(&self, session: &mut Session) {
        if let Some(transaction) = session.transaction.take()
            && let Some(incoming) = transaction.incoming
        {
            incoming.abandon().await;
        }
    }

    pub(super) async fn on_message(&self, session: &mut Session) -> Decision {
        let Some(mut transaction) = session.transaction.take() else {
            return reply(503, (5, 5, 1), "no transaction");
        };
        let mut incoming = match transaction.incoming.take() {
            Some(incoming) => incoming,
            // An empty message: still a message.
            None => match self.shared.queue.receive(&transaction.id).await {
                Ok(incoming) => incoming,
                Err(error) => {
                    tracing::error!(queue_id = %transaction.id, %error, "cannot spool");
                    return try_later("stored");
                }
            },
        };
        let authors = Authors::of(&transaction.header);
        if let Some(refusal) = self.check_from(session, &authors) {
            incoming.abandon().await;
            return refusal;
        }
        let mut authentication = String::new();
        let mut folder = None;
        let mut checks = if session.user.is_some() {
            "none (authenticated)".to_owned()
        } else {
            "none (trusted network)".to_owned()
        };
        if let Some((spf, identity)) = &transaction.spf {
            match self
                .authenticate(session, &transaction, spf, *identity, &mut incoming)
                .await
            {
                Ok(Verdict::Deliver { header, summary }) => {
                    authentication = header;
                    checks = summary;
                }
                Ok(Verdict::Quarantine { header, summary }) => {
                    authentication = header;
                    checks = format!("{summary} folder=Junk");
                    folder = Some("Junk".to_owned());
                }
                Ok(Verdict::Reject(refusal)) => {
                    incoming.abandon().await;
                    return refusal;
                }
                Err(error) => {
                    tracing::error!(queue_id = %transaction.id, %error, "cannot check the message");
                    incoming.abandon().await;
                    return try_later("checked");
                }
            }
        }
        let mut prefix = received_field(
            &self.shared.config.hostname,
            session,
            &transaction.id,
            &transaction.accepted,
        );
        prefix.push_str(&authentication);
        match self
            .sign(session, &transaction, &authors, &mut incoming)
            .await
        {
            Ok(signatures) => prefix.push_str(&signatures),
            Err(error) => {
                tracing::error!(queue_id = %transaction.id, %error, "cannot sign");
                incoming.abandon().await;
                return try_later("signed");
            }
        }
        let local = transaction
            .local
            .into_iter()
            .map(|user| Destination::Local {
                user,
                folder: folder.clone(),
            });
        let remote = transaction
            .remote
            .into_iter()
            .map(|address| Destination::Remote { address });
        let queued = Record {
            version: crate::queue::record::VERSION,
            id: transaction.id.clone(),
            received: unix_now(),
            from: sender_text(&transaction.from),
            prefix,
            strip_our_results: transaction.spf.is_some(),
            eight_bit: incoming.is_eight_bit(),
            recipients: local.chain(remote).map(RecipientState::pending).collect(),
        };
        let id = queued.id.clone();
        let from = queued.from.clone();
        if let Err(error) = self.shared.queue.commit(incoming, queued).await {
            tracing::error!(queue_id = %id, %error, "cannot queue");
            return try_later("stored");
        }
        tracing::info!(
            queue_id = %id,
            client = %session.peer.remote,
            helo = session.helo.as_ref().map_or("", |(h, _)| h.as_str()),
            user = session.user.as_deref().unwrap_or(""),
            %from,
            to = %transaction.accepted.join(","),
            size = transaction.size,
            %checks,
            reply = %format!("250 2.0.0 queued as {id}"),
            "queued"
        );
        reply(250, (2, 0, 0), &format!("queued as {id}"))
    }

    /// DKIM-signs mail from authenticated users and trusted networks with every key of its
    /// From domain (RFC 6376 §5), reading the spooled message; returns the DKIM-Signature
    /// fields, or nothing, saying in the log why a message leaves unsigned.
    async fn sign(
        &self,
        session: &Session,
        transaction: &Transaction,
        authors: &Authors,
        incoming: &mut Incoming,
    ) -> Result<String, Error> {
        let id = &transaction.id;
        if session.user.is_none() && !session.trusted {
            return Ok(String::new());
        }
        let Some(domain) = authors.domain() else {
            tracing::warn!(queue_id = %id, "unsigned: the message has no From domain");
            return Ok(String::new());
        };
        let Some(signers) = self.shared.keys.signers(&domain) else {
            // Worth a warning for one of our own domains; mail a trusted host relays for
            // someone else's domain is not ours to sign.
            let ours = self
                .shared
                .directory()
                .is_some_and(|directory| self.shared.is_local_domain(&directory, &domain));
            if ours {
                tracing::warn!(queue_id = %id, %domain, "unsigned: no DKIM key for the From domain (mailroom dkim keygen {domain})");
            } else {
                tracing::info!(queue_id = %id, %domain, "unsigned: the From domain is not one of ours and has no key here");
            }
            return Ok(String::new());
        };
        incoming
            .flush()
            .await
            .map_err(Error::io("cannot write", incoming.path()))?;
        let path = incoming.path().to_owned();
        let now = unix_now();
        let signed = tokio::task::spawn_blocking(move || signing::sign_file(&signers, &path, now))
            .await
            .map_err(|e| Error::Stopped {
                what: "DKIM signing",
                problem: e.to_string(),
            })??;
        let mut fields = String::new();
        for (field, algorithm) in signed {
            tracing::info!(queue_id = %id, %domain, %algorithm, "DKIM-signed");
            fields.push_str(&field);
        }
        Ok(fields)
    }
}

/// Where the header section ends (its blank line), if it has ended.
fn end_of_header(header: &[u8]) -> Option<usize> {
    memchr::memmem::find(header, b"\r\n\r\n")
}
