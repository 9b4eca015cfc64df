//! The delivery worker: a bounded pool of deliveries, fed from the index of due messages and
//! woken by new mail. Each try hands the recipients that are due to their transport, records
//! the outcomes, and either finishes the message or puts it back for its next retry.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;

use super::index::{Entry, Index};
use super::record::{Destination, State};
use super::schedule::{Next, Schedule};
use super::store::Store;
use crate::delivery::{self, Outcome, Transport};
use crate::time::unix_now;

/// Where each kind of recipient goes.
#[derive(Debug, Clone)]
pub struct Transports {
    /// Local mailboxes: Maildir or LMTP.
    pub local: Arc<dyn Transport>,
    /// Other domains: the relay host, if there is one.
    pub relay: Option<Arc<dyn Transport>>,
    /// This server's name: Authentication-Results fields claiming it are stripped from mail
    /// from the world.
    pub hostname: String,
}

/// The delivery worker.
#[derive(Debug)]
pub struct Worker {
    shared: Arc<Shared>,
    deliveries: usize,
}

#[derive(Debug)]
struct Shared {
    store: Arc<Store>,
    index: Arc<Index>,
    transports: Transports,
    schedule: Schedule,
}

impl Worker {
    pub(super) fn new(
        store: Arc<Store>,
        index: Arc<Index>,
        transports: Transports,
        schedule: Schedule,
        deliveries: usize,
    ) -> Self {
        Self {
            shared: Arc::new(Shared {
                store,
                index,
                transports,
                schedule,
            }),
            deliveries: deliveries.max(1),
        }
    }

    /// Delivers until `stop` turns true, then lets the deliveries under way finish.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut running = JoinSet::new();
        loop {
            let now = unix_now();
            while running.len() < self.deliveries {
                let Some(entry) = self.shared.index.pop_due(now) else {
                    break;
                };
                running.spawn(Arc::clone(&self.shared).attempt(entry, now));
            }
            // Sleep until the next message is due (at least a second: times are in seconds),
            // new mail arrives, a delivery ends, or the server stops.
            let wait = match self.shared.index.next_due() {
                Some(at) if running.len() < self.deliveries => {
                    Duration::from_secs(at.saturating_sub(now).max(1))
                }
                _ => Duration::from_secs(60),
            };
            tokio::select! {
                () = self.shared.index.changed() => {}
                () = tokio::time::sleep(wait) => {}
                Some(_) = running.join_next(), if !running.is_empty() => {}
                _ = stop.changed() => break,
            }
        }
        while running.join_next().await.is_some() {}
    }

    /// Delivers everything due at `now` and waits for it (for tests and tools).
    pub async fn deliver_due(&self, now: u64) {
        let mut running = JoinSet::new();
        while let Some(entry) = self.shared.index.pop_due(now) {
            running.spawn(Arc::clone(&self.shared).attempt(entry, now));
        }
        while running.join_next().await.is_some() {}
    }
}

impl Shared {
    /// One try of one message: every recipient due at `now`.
    async fn attempt(self: Arc<Self>, mut entry: Entry, now: u64) {
        let record = &entry.record;
        let message = Arc::new(delivery::Message {
            id: record.id.clone(),
            received: record.received,
            from: record.from.clone(),
            prefix: record.prefix.clone(),
            path: self.store.message_path(&record.id),
            len: entry.data_len,
            strip_results_of: record
                .strip_our_results
                .then(|| self.transports.hostname.clone()),
            eight_bit: record.eight_bit,
        });
        for remote in [false, true] {
            let due: Vec<usize> = entry
                .record
                .recipients
                .iter()
                .enumerate()
                .filter(|(_, r)| {
                    !r.state.is_final()
                        && r.next_attempt <= now
                        && matches!(r.to, Destination::Remote { .. }) == remote
                })
                .map(|(index, _)| index)
                .collect();
            if due.is_empty() {
                continue;
            }
            let transport = if remote {
                self.transports.relay.as_ref()
            } else {
                Some(&self.transports.local)
            };
            let outcomes = match transport {
                Some(transport) => {
                    let recipients = due
                        .iter()
                        .map(|&index| {
                            let state = &entry.record.recipients[index];
                            let (address, folder) = match &state.to {
                                Destination::Local { user, folder } => (user, folder.clone()),
                                Destination::Remote { address } => (address, None),
                            };
                            delivery::Recipient {
                                address: address.clone(),
                                folder,
                                index,
                                retried: entry.recovered || state.attempts > 0,
                            }
                        })
                        .collect();
                    transport.deliver(Arc::clone(&message), recipients).await
                }
                None => {
                    vec![Outcome::Deferred("no relay host is configured".to_owned()); due.len()]
                }
            };
            for (index, outcome) in due.into_iter().zip(outcomes) {
                self.settle(&mut entry, index, outcome, now);
            }
        }
        self.keep(entry).await;
    }

    /// Records what became of one recipient.
    fn settle(&self, entry: &mut Entry, index: usize, outcome: Outcome, now: u64) {
        let id = &entry.record.id;
        let received = entry.record.received;
        let Some(recipient) = entry.record.recipients.get_mut(index) else {
            return;
        };
        recipient.attempts = recipient.attempts.saturating_add(1);
        let to = recipient.to.name();
        match outcome {
            Outcome::Delivered(reply) => {
                tracing::info!(queue_id = %id, %to, %reply, "delivered");
                recipient.state = State::Delivered;
                recipient.last_reply = Some(reply);
            }
            Outcome::Failed(reply) => {
                tracing::warn!(queue_id = %id, %to, %reply, "refused for good");
                recipient.state = State::Failed;
                recipient.last_reply = Some(reply);
            }
            Outcome::Deferred(reply) => {
                match self
                    .schedule
                    .after_failure(received, recipient.attempts, now)
                {
                    Next::RetryAt(at) => {
                        tracing::info!(queue_id = %id, %to, %reply, retry_in_secs = at - now, "deferred");
                        recipient.state = State::Deferred;
                        recipient.next_attempt = at;
                    }
                    Next::GiveUp => {
                        tracing::warn!(queue_id = %id, %to, %reply, attempts = recipient.attempts, "given up: queued too long");
                        recipient.state = State::Failed;
                    }
                }
                recipient.last_reply = Some(reply);
            }
        }
    }

    /// Keeps the outcome of a try: a finished message leaves the queue, another has its record
    /// written and goes back to the index for its next retry.
    async fn keep(&self, mut entry: Entry) {
        let store = Arc::clone(&self.store);
        let finished = entry.record.is_finished();
        let record = entry.record.clone();
        let written = tokio::task::spawn_blocking(move || {
            if finished {
                store.remove(&record.id)
            } else {
                store.update(&record)
            }
        })
        .await;
        match written {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                tracing::error!(queue_id = %entry.record.id, %error, "cannot record the delivery; the queue keeps it in memory");
            }
            Err(error) => {
                tracing::error!(queue_id = %entry.record.id, %error, "recording the delivery stopped");
            }
        }
        if finished {
            self.index.done();
        } else {
            // What the disk now holds (or will, after a restart) matches this try.
            entry.recovered = false;
            self.index.put_back(entry);
        }
    }
}
