//! The verdict on mail from the world: SPF at MAIL, then DKIM and DMARC on the whole message,
//! the policy the From domain asks for, and the fields that record the results.

use mailroom_dmarc::{AuthenticationResults, Checker, Disposition, DmarcResult, Identifiers};
use mailroom_mta_core::{Decision, ReversePath};
use mailroom_spf::{Evaluator, Identity, SpfOutput};

use super::{MailHandler, Session, Transaction, reply, sender_text};
use crate::error::Error;
use crate::queue::Incoming;
use crate::time::unix_now;

/// What the checks of an inbound message decided.
pub(super) enum Verdict {
    /// Deliver, with these header fields (Received-SPF, Authentication-Results).
    Deliver { header: String, summary: String },
    /// Deliver to the Junk folder (DMARC `p=quarantine`).
    Quarantine { header: String, summary: String },
    /// Refuse with this reply (DMARC `p=reject`).
    Reject(Decision),
}

impl MailHandler {
    /// SPF for the client and MAIL FROM (or the HELO name for the null sender, RFC 7208 §2.4).
    pub(super) async fn check_spf(
        &self,
        session: &Session,
        from: &ReversePath,
    ) -> (SpfOutput, Identity) {
        let sender = sender_text(from);
        let helo = session.helo.as_ref().map_or("", |(h, _)| h.as_str());
        let identity = if sender.is_empty() {
            Identity::Helo
        } else {
            Identity::MailFrom
        };
        let out = Evaluator::new(&self.shared.resolver)
            .receiver(self.shared.config.hostname.as_str())
            .cache(&self.shared.spf_cache)
            .now(unix_now())
            .check_mail_from(session.peer.remote.ip(), helo, &sender)
            .await;
        tracing::info!(client = %session.peer.remote, from = %sender, spf = %out.result, domain = %out.domain, "SPF");
        (out, identity)
    }

    /// DKIM and DMARC on a complete inbound message, and the policy the From domain asks for;
    /// the header fields that record the results (RFC 7208 §9.1, RFC 8601).
    pub(super) async fn authenticate(
        &self,
        session: &Session,
        transaction: &Transaction,
        spf: &SpfOutput,
        identity: Identity,
        incoming: &mut Incoming,
    ) -> Result<Verdict, Error> {
        incoming
            .flush()
            .await
            .map_err(Error::io("cannot write", incoming.path()))?;
        let message = tokio::fs::read(incoming.path())
            .await
            .map_err(Error::io("cannot read", incoming.path()))?;
        let resolver = &self.shared.resolver;
        let hostname = self.shared.config.hostname.as_str();
        let now = unix_now();
        let dkim = self
            .shared
            .dkim_verifier
            .verify(resolver, &message, now)
            .await;
        let dkim_pass = Identifiers::dkim_pass(&dkim);
        let identifiers = Identifiers {
            spf_pass: Identifiers::spf_pass(spf),
            dkim_pass: &dkim_pass,
        };
        let dmarc = Checker::new(resolver)
            .cache(&self.shared.dmarc_cache)
            .now(now)
            .check_message(&message, identifiers, pct_draw())
            .await;

        let sender = sender_text(&transaction.from);
        let helo = session.helo.as_ref().map_or("", |(h, _)| h.as_str());
        let results = AuthenticationResults::of_checks(hostname, spf, identity, &dkim, &dmarc);
        let header = format!(
            "{}\r\n{}\r\n",
            spf.received_spf(session.peer.remote.ip(), helo, &sender, hostname, identity),
            results.header()
        );
        let from_domain = dmarc.from_domain.clone().unwrap_or_default();
        let dkim_summary: Vec<String> = dkim
            .iter()
            .map(|r| format!("{}:{}", r.domain.as_deref().unwrap_or("?"), r.result))
            .collect();
        let summary = format!(
            "spf={} dkim={} dmarc={} from_domain={from_domain}",
            spf.result,
            if dkim_summary.is_empty() {
                "none".to_owned()
            } else {
                dkim_summary.join(",")
            },
            dmarc.output.result
        );
        let policy = &self.shared.config.policy;
        if dmarc.output.result == DmarcResult::Fail {
            match dmarc.output.disposition {
                Disposition::Reject if policy.dmarc_reject => {
                    let text = format!(
                        "rejected by the DMARC policy of {from_domain}: {}",
                        dmarc.output.reason()
                    );
                    tracing::info!(queue_id = %transaction.id, client = %session.peer.remote, from = %sender, checks = %summary, "refused: DMARC p=reject");
                    return Ok(Verdict::Reject(reply(550, (5, 7, 1), &text)));
                }
                Disposition::Quarantine if policy.dmarc_quarantine => {
                    return Ok(Verdict::Quarantine { header, summary });
                }
                _ => {}
            }
        }
        Ok(Verdict::Deliver { header, summary })
    }
}

/// A number from 0 to 99 for DMARC's `pct=` sampling (RFC 7489 §6.3).
fn pct_draw() -> u8 {
    let mut byte = [0_u8; 1];
    for _ in 0..8 {
        if getrandom::fill(&mut byte).is_ok() && byte[0] < 200 {
            return byte[0] % 100;
        }
    }
    // No usable randomness: apply the policy, which is the safe side.
    0
}
