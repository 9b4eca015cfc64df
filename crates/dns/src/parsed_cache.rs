//! Parsed records kept by their text, so a busy checker parses each published record once.
//! The DNS is still asked every time (its cache honours TTLs); only the parsing is saved, and
//! a record that changes in the DNS is simply a new text.

use std::collections::HashMap;
use std::sync::Mutex;

/// How many distinct texts a [`ParsedCache`] keeps by default; when full, it starts again
/// empty, so hostile senders cannot grow it without bound.
pub const DEFAULT_PARSED_CACHE_CAPACITY: usize = 4096;

/// What parsing each record text gave, kept for the next time the same text is seen. Shared by
/// clones of the checkers that hold it (behind an `Arc`), and safe to use from many tasks.
///
/// ```
/// let cache = mailroom_dns::ParsedCache::new(16);
/// let len = cache.get_or_parse(b"v=spf1 -all", |text| text.len());
/// assert_eq!(len, 11);
/// // The second time, the closure is not called.
/// assert_eq!(cache.get_or_parse(b"v=spf1 -all", |_| unreachable!()), 11);
/// ```
#[derive(Debug)]
pub struct ParsedCache<V> {
    /// foldhash: fast on short texts and seeded per process, so hostile record texts cannot
    /// be chosen to collide.
    entries: Mutex<HashMap<Box<[u8]>, V, foldhash::fast::RandomState>>,
    capacity: usize,
}

impl<V> Default for ParsedCache<V> {
    fn default() -> Self {
        Self::new(DEFAULT_PARSED_CACHE_CAPACITY)
    }
}

impl<V> ParsedCache<V> {
    /// An empty cache keeping at most `capacity` texts.
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::default()),
            capacity: capacity.max(1),
        }
    }
}

impl<V: Clone> ParsedCache<V> {
    /// What `parse` gives for `text` (the record's octets, as the DNS gave them), from an
    /// earlier call when there was one.
    pub fn get_or_parse(&self, text: &[u8], parse: impl FnOnce(&[u8]) -> V) -> V {
        if let Some(hit) = self.entries.lock().ok().and_then(|e| e.get(text).cloned()) {
            return hit;
        }
        let parsed = parse(text);
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.capacity {
                entries.clear();
            }
            entries.insert(text.into(), parsed.clone());
        }
        parsed
    }
}
