//! The queue: messages accepted and not yet delivered, kept so that nothing acknowledged is
//! ever lost, and the worker that delivers them.
//!
//! - [`store`]: the files and the commit protocol (and what recovery does after a crash);
//! - [`record`]: the envelope with a state per recipient, versioned;
//! - [`schedule`]: when to retry and when to give up (pure);
//! - [`Worker`]: a bounded pool of deliveries fed from an in-memory index of due messages.
//!
//! Inbound sessions see only [`Queue`]: receive a message, commit it.

mod group_sync;
mod index;
pub mod record;
pub mod schedule;
pub mod store;
mod worker;

use std::path::Path;
use std::sync::Arc;

pub use record::{Destination, RecipientState, Record, State};
pub use schedule::Schedule;
pub use store::{Incoming, Recovery, Store};
pub use worker::{Transports, Worker};

use crate::error::Error;
use index::{Entry, Index};

/// The handle inbound sessions queue messages through.
#[derive(Debug, Clone)]
pub struct Queue {
    store: Arc<Store>,
    index: Arc<Index>,
}

impl Queue {
    /// Opens the queue of `data_dir`, recovering from whatever a crash left; what was queued
    /// is due for delivery at once.
    ///
    /// # Errors
    ///
    /// The queue's directories cannot be created or read.
    pub fn open(data_dir: &Path) -> Result<(Self, Recovery), Error> {
        let (store, mut recovery) = Store::open(data_dir)?;
        let index = Index::default();
        for stored in std::mem::take(&mut recovery.queued) {
            // Delivered to everyone, but not removed before the stop.
            if stored.record.is_finished() {
                if let Err(error) = store.remove(&stored.record.id) {
                    tracing::warn!(queue_id = %stored.record.id, %error, "cannot remove a delivered message");
                }
                recovery.removed += 1;
                continue;
            }
            index.push(Entry {
                record: stored.record,
                data_len: stored.data_len,
                recovered: true,
            });
        }
        Ok((
            Self {
                store: Arc::new(store),
                index: Arc::new(index),
            },
            recovery,
        ))
    }

    /// Starts receiving a message with the queue ID `id`.
    ///
    /// # Errors
    ///
    /// The spool file cannot be created.
    pub async fn receive(&self, id: &str) -> Result<Incoming, Error> {
        self.store.receive(id).await
    }

    /// Makes the message durable with its record, then hands it to delivery. When this returns
    /// `Ok`, and only then, the message may be acknowledged.
    ///
    /// # Errors
    ///
    /// The message could not be made durable; it is not queued.
    pub async fn commit(&self, incoming: Incoming, record: Record) -> Result<(), Error> {
        let data_len = incoming.commit(&self.store, &record).await?;
        self.index.push(Entry {
            record,
            data_len,
            recovered: false,
        });
        Ok(())
    }

    /// How many messages wait for delivery or are being delivered.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether nothing waits for delivery.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The delivery worker of this queue.
    pub fn worker(&self, transports: Transports, schedule: Schedule, deliveries: usize) -> Worker {
        Worker::new(
            Arc::clone(&self.store),
            Arc::clone(&self.index),
            transports,
            schedule,
            deliveries,
        )
    }

    /// How many directory syncs commits have made (fewer than commits under load).
    pub fn directory_syncs(&self) -> u64 {
        self.store.directory_syncs()
    }
}
