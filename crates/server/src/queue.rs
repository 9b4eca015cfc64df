//! The delivery worker: takes queued messages to their Maildirs and, for other recipients, to
//! the relay host; wakes when a message is queued and once a minute for retries.

use std::net::SocketAddr;
use std::path::PathBuf;
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
    async fn deliver_lmtp(&self, item: &mut Queued, message: &std::path::Path, lmtp: SocketAddr) {
        let body = match tokio::fs::read(message).await {
            Ok(body) => body,
            Err(error) => {
                tracing::error!(queue_id = %item.id, %error, "cannot read the queued message");
                return;
            }
        };
        let mut data = item.prefix.as_bytes().to_vec();
        let mut rest = body.as_slice();
        if item.strip_our_results
            && maildir::copy_header_without_results(&mut rest, &mut data, &self.hostname).is_err()
        {
            return;
        }
        data.extend_from_slice(rest);
        let parse = |text: &str| Mailbox::parse(text, true).ok();
        let envelope = Envelope {
            from: parse(&item.from).map_or(ReversePath::Null, ReversePath::Mailbox),
            params: Default::default(),
            recipients: item
                .local
                .iter()
                .filter_map(|local| parse(&local.user))
                .map(|mailbox| Recipient {
                    to: ForwardPath::Mailbox(mailbox),
                    params: Default::default(),
                })
                .collect(),
            size: 0,
        };
        let config = ClientConfig {
            lmtp: true,
            starttls: mailroom_mta_core::StartTls::Never,
            ..ClientConfig::new(self.hostname.clone())
        };
        let result = async {
            let mut client = Client::connect(lmtp, config, None).await?;
            let delivery = client.send(envelope, data).await?;
            let _ = client.quit().await;
            Ok::<_, std::io::Error>(delivery)
        }
        .await;
        match result {
            Ok(delivery) => {
                for (to, reply) in &delivery.recipients {
                    let to = to.to_string();
                    let to = to.trim_matches(['<', '>']);
                    let reply_text = reply.to_string();
                    let reply_text = reply_text.trim_end();
                    if reply.is_transient() {
                        tracing::info!(queue_id = %item.id, %to, %lmtp, reply = %reply_text, "deferred by LMTP");
                        continue;
                    }
                    if reply.is_positive() {
                        tracing::info!(queue_id = %item.id, %to, %lmtp, reply = %reply_text, "delivered over LMTP");
                    } else {
                        tracing::warn!(queue_id = %item.id, %to, %lmtp, reply = %reply_text, "refused by LMTP");
                    }
                    item.local.retain(|l| !l.user.eq_ignore_ascii_case(to));
                }
            }
            Err(error) => {
                tracing::warn!(queue_id = %item.id, %lmtp, %error, "LMTP server unreachable; will retry");
            }
        }
    }

    /// Hands remote recipients to the relay host: delivered and refused ones leave the queue,
    /// deferred ones stay.
    async fn relay(&self, item: &mut Queued, message: &std::path::Path) {
        let Some(relay) = self.relay else {
            tracing::warn!(queue_id = %item.id, "no relay host is configured; remote recipients wait");
            return;
        };
        let parse = |text: &str| Mailbox::parse(text, true).ok();
        let from = if item.from.is_empty() {
            ReversePath::Null
        } else {
            parse(&item.from).map_or(ReversePath::Null, ReversePath::Mailbox)
        };
        let recipients: Vec<Recipient> = item
            .remote
            .iter()
            .filter_map(|to| parse(to))
            .map(|mailbox| Recipient {
                to: ForwardPath::Mailbox(mailbox),
                params: Default::default(),
            })
            .collect();
        let body = match tokio::fs::read(message).await {
            Ok(body) => body,
            Err(error) => {
                tracing::error!(queue_id = %item.id, %error, "cannot read the queued message");
                return;
            }
        };
        let mut data = item.prefix.as_bytes().to_vec();
        data.extend_from_slice(&body);
        let envelope = Envelope {
            from,
            params: Default::default(),
            recipients,
            size: 0,
        };
        let result = async {
            let mut client =
                Client::connect(relay, ClientConfig::new(self.hostname.clone()), None).await?;
            let delivery = client.send(envelope, data).await?;
            let _ = client.quit().await;
            Ok::<_, std::io::Error>(delivery)
        }
        .await;
        match result {
            Ok(delivery) => {
                for (to, reply) in &delivery.recipients {
                    let to = to.to_string();
                    let to = to.trim_matches(['<', '>']);
                    if reply.is_transient() {
                        tracing::info!(queue_id = %item.id, %to, %relay, reply = %reply.to_string().trim_end(), "deferred by the relay");
                    } else {
                        tracing::info!(queue_id = %item.id, %to, %relay, reply = %reply.to_string().trim_end(), "relayed");
                        item.remote.retain(|r| !r.eq_ignore_ascii_case(to));
                    }
                }
            }
            Err(error) => {
                tracing::warn!(queue_id = %item.id, %relay, %error, "relay host unreachable; will retry");
            }
        }
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
