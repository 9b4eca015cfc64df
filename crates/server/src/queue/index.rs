//! The messages waiting for delivery, in memory, ordered by when they are due. The disk is
//! read once, at start-up; after that commits add to the index and the worker takes from it.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering as AtomicOrdering};

use tokio::sync::Notify;

use super::record::Record;

/// A queued message with what delivery needs besides its record.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) record: Record,
    /// How many octets of the message file are the message.
    pub(crate) data_len: u64,
    /// Found at start-up: a try may have been cut short by a crash.
    pub(crate) recovered: bool,
}

/// The index.
#[derive(Debug, Default)]
pub(crate) struct Index {
    due: Mutex<BinaryHeap<Reverse<Due>>>,
    /// Ties between messages due at the same second go to the one queued first.
    sequence: AtomicU64,
    /// Messages in the index or being delivered.
    count: AtomicUsize,
    wake: Notify,
}

#[derive(Debug)]
struct Due {
    at: u64,
    sequence: u64,
    entry: Entry,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Due {}

impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Due {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.sequence).cmp(&(other.at, other.sequence))
    }
}

impl Index {
    /// Adds a message that is new to the index, and wakes the worker.
    pub(crate) fn push(&self, entry: Entry) {
        self.count.fetch_add(1, AtomicOrdering::Relaxed);
        self.put_back(entry);
    }

    /// Puts back a message the worker took and tried; it is due again at its next attempt.
    pub(crate) fn put_back(&self, entry: Entry) {
        let Some(at) = entry.record.next_due() else {
            self.done();
            return;
        };
        let sequence = self.sequence.fetch_add(1, AtomicOrdering::Relaxed);
        if let Ok(mut due) = self.due.lock() {
            due.push(Reverse(Due {
                at,
                sequence,
                entry,
            }));
        }
        self.wake.notify_one();
    }

    /// A message the worker took is finished with.
    pub(crate) fn done(&self) {
        self.count.fetch_sub(1, AtomicOrdering::Relaxed);
    }

    /// Takes the message due first, if it is due at `now`.
    pub(crate) fn pop_due(&self, now: u64) -> Option<Entry> {
        let mut due = self.due.lock().ok()?;
        if due.peek()?.0.at > now {
            return None;
        }
        due.pop().map(|Reverse(due)| due.entry)
    }

    /// When the next message is due.
    pub(crate) fn next_due(&self) -> Option<u64> {
        Some(self.due.lock().ok()?.peek()?.0.at)
    }

    /// Messages in the index or being delivered.
    pub(crate) fn len(&self) -> usize {
        self.count.load(AtomicOrdering::Relaxed)
    }

    /// Waits for a push.
    pub(crate) async fn changed(&self) {
        self.wake.notified().await;
    }
}
