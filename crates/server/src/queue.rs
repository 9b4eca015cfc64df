//! The delivery worker: takes queued messages to their Maildirs and, for other recipients, to
//! the relay host; wakes when a message is queued and once a minute for retries.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mailroom_mta_core::driver::Client;
use mailroom_mta_core::{ClientConfig, Envelope, ForwardPath, Mailbox, Recipient, ReversePath};
use tokio::sync::{Notify, watch};

use crate::error::Error;
use crate::maildir;
use crate::spool::{Queued, Spool};

/// How often queued messages are retried when nothing wakes the worker.
const RETRY_EVERY: Duration = Duration::from_secs(60);

/// The queue and its worker.
#[derive(Debug)]
pub struct Queue {
    spool: Spool,
    mail_root: PathBuf,
    hostname: String,
    relay: Option<SocketAddr>,
    lmtp: Option<SocketAddr>,
    wake: Notify,
}

impl Queue {
    /// A queue over `spool`, delivering into Maildirs under `mail_root` (or to the LMTP
    /// server `lmtp`) and relaying other recipients to `relay`.
    pub fn new(
        spool: Spool,
        mail_root: PathBuf,
        hostname: String,
        relay: Option<SocketAddr>,
        lmtp: Option<SocketAddr>,
    ) -> Self {
        Self {
            spool,
            mail_root,
            hostname,
            relay,
            lmtp,
            wake: Notify::new(),
        }
    }

    /// The spool messages are received into.
    pub fn spool(&self) -> &Spool {
        &self.spool
    }

    /// A message was queued.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Delivers until `stop` turns true; what is queued at the start (after a crash, say) is
    /// delivered first.
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        loop {
            self.deliver_all().await;
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(RETRY_EVERY) => {}
                _ = stop.changed() => return,
            }
        }
    }

    /// One pass over the queue.
    pub async fn deliver_all(&self) {
        let queued = match self.spool.queued() {
            Ok(queued) => queued,
            Err(error) => {
                tracing::error!(%error, "cannot read the queue");
                return;
            }
        };
        for item in queued {
            let id = item.id.clone();
            if let Err(error) = self.deliver(item).await {
                tracing::error!(queue_id = %id, %error, "delivery failed; will retry");
            }
        }
    }

    async fn deliver(&self, mut item: Queued) -> Result<(), Error> {
        let message = self.spool.message(&item.id);
        let unique = format!(
            "{}.{}.{}",
            item.received,
            item.id,
            self.hostname.replace('/', "_")
        );
        if let Some(lmtp) = self.lmtp {
            self.deliver_lmtp(&mut item, &message, lmtp).await;
        } else {
            // Each delivered mailbox leaves the envelope at once, so a failure part way
            // (a full disk, say) does not deliver the others twice on the next try.
            let pending = std::mem::take(&mut item.local);
            let mut failure = None;
            for (index, local) in pending.into_iter().enumerate() {
                if failure.is_some() {
                    item.local.push(local);
                    continue;
                }
                match maildir::deliver(
                    &self.mail_root,
                    &local.user,
                    local.folder.as_deref(),
                    item.prefix.as_bytes(),
                    &message,
                    &format!("{unique}.{index}"),
                    item.strip_our_results.then_some(self.hostname.as_str()),
                ) {
                    Ok(path) => {
                        tracing::info!(queue_id = %item.id, to = %local.user, folder = local.folder.as_deref().unwrap_or("INBOX"), file = %path.display(), "delivered");
                    }
                    Err(error) => {
                        failure = Some(error);
                        item.local.push(local);
                    }
                }
            }
            if let Some(error) = failure {
                self.spool.update(&item)?;
                return Err(error);
            }
        }
        if !item.remote.is_empty() {
            self.relay(&mut item, &message).await;
        }
        if item.remote.is_empty() && item.local.is_empty() {
            self.spool.remove(&item.id)
        } else {
            self.spool.update(&item)
        }
    }

    /// Hands local recipients to the LMTP server (RFC 2033), which answers for each: delivered
    /// and refused ones leave the queue, deferred ones stay.
    async fn deliver_lmtp(&self, item: &mut Queued, message: &Path, lmtp: SocketAddr) {
        let Some(data) = self
            .message_data(item, message, item.strip_our_results)
            .await
        else {
            return;
        };
        let users: Vec<String> = item.local.iter().map(|l| l.user.clone()).collect();
        let settled = self
            .hand_over(&item.id, &item.from, &users, data, lmtp, true)
            .await;
        item.local
            .retain(|l| !settled.iter().any(|s| s.eq_ignore_ascii_case(&l.user)));
    }

    /// Hands remote recipients to the relay host: delivered and refused ones leave the queue,
    /// deferred ones stay.
    async fn relay(&self, item: &mut Queued, message: &Path) {
        let Some(relay) = self.relay else {
            tracing::warn!(queue_id = %item.id, "no relay host is configured; remote recipients wait");
            return;
        };
        let Some(data) = self.message_data(item, message, false).await else {
            return;
        };
        let settled = self
            .hand_over(&item.id, &item.from, &item.remote, data, relay, false)
            .await;
        item.remote
            .retain(|r| !settled.iter().any(|s| s.eq_ignore_ascii_case(r)));
    }

    /// The queued message as it is sent on: the prefix fields, then the message (without our
    /// name's Authentication-Results fields when `strip` is set).
    async fn message_data(&self, item: &Queued, message: &Path, strip: bool) -> Option<Vec<u8>> {
        let body = match tokio::fs::read(message).await {
            Ok(body) => body,
            Err(error) => {
                tracing::error!(queue_id = %item.id, %error, "cannot read the queued message");
                return None;
            }
        };
        let mut data = item.prefix.as_bytes().to_vec();
        let mut rest = body.as_slice();
        if strip {
            maildir::copy_header_without_results(&mut rest, &mut data, &self.hostname).ok()?;
        }
        data.extend_from_slice(rest);
        Some(data)
    }

    /// Sends a message to `target` over SMTP (a relay host) or LMTP for `recipients`, and
    /// returns those settled (taken or refused for good), logging each; the others (deferred,
    /// or all of them when the host cannot be reached) stay queued.
    async fn hand_over(
        &self,
        id: &str,
        from: &str,
        recipients: &[String],
        data: Vec<u8>,
        target: SocketAddr,
        lmtp: bool,
    ) -> Vec<String> {
        let parse = |text: &str| Mailbox::parse(text, true).ok();
        let envelope = Envelope {
            from: parse(from).map_or(ReversePath::Null, ReversePath::Mailbox),
            params: Default::default(),
            recipients: recipients
                .iter()
                .filter_map(|to| parse(to))
                .map(|mailbox| Recipient {
                    to: ForwardPath::Mailbox(mailbox),
                    params: Default::default(),
                })
                .collect(),
            size: 0,
        };
        let config = ClientConfig {
            lmtp,
            ..ClientConfig::new(self.hostname.clone())
        };
        let host = if lmtp {
            "the LMTP server"
        } else {
            "the relay host"
        };
        let result = async {
            let mut client = Client::connect(target, config, None).await?;
            let delivery = client.send(envelope, data).await?;
            let _ = client.quit().await;
            Ok::<_, std::io::Error>(delivery)
        }
        .await;
        let delivery = match result {
            Ok(delivery) => delivery,
            Err(error) => {
                tracing::warn!(queue_id = %id, %target, %error, "{host} cannot be reached; will retry");
                return Vec::new();
            }
        };
        let mut settled = Vec::new();
        for (to, reply) in &delivery.recipients {
            let to = to.to_string().trim_matches(['<', '>']).to_owned();
            let reply_text = reply.to_string();
            let reply_text = reply_text.trim_end();
            if reply.is_transient() {
                tracing::info!(queue_id = %id, %to, %target, reply = %reply_text, "deferred by {host}");
                continue;
            }
            if reply.is_positive() {
                tracing::info!(queue_id = %id, %to, %target, reply = %reply_text, "taken by {host}");
            } else {
                tracing::warn!(queue_id = %id, %to, %target, reply = %reply_text, "refused by {host}");
            }
            settled.push(to);
        }
        settled
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
