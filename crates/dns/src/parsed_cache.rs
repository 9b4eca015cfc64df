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

/// Values kept by DNS name until their TTL runs out, so a checker asks the DNS again only when
/// the answer it had may have changed. Time comes in as an argument (seconds since the Unix
/// epoch), as everywhere in the protocol crates.
///
/// ```
/// let cache = mailroom_dns::TtlCache::new(16);
/// cache.insert("_dmarc.example.com", "v=DMARC1; p=none", 1_000, 300);
/// assert_eq!(cache.get("_dmarc.example.com", 1_299), Some("v=DMARC1; p=none"));
/// assert_eq!(cache.get("_dmarc.example.com", 1_300), None);
/// ```
#[derive(Debug)]
pub struct TtlCache<V> {
    entries: Mutex<HashMap<Box<str>, (V, u64), foldhash::fast::RandomState>>,
    capacity: usize,
}

impl<V> Default for TtlCache<V> {
    fn default() -> Self {
        Self::new(DEFAULT_PARSED_CACHE_CAPACITY)
    }
}

impl<V> TtlCache<V> {
    /// An empty cache keeping at most `capacity` names; when full, it starts again empty.
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::default()),
            capacity: capacity.max(1),
        }
    }
}

impl<V: Clone> TtlCache<V> {
    /// The value kept for `name`, if its TTL has not run out at `now`.
    pub fn get(&self, name: &str, now: u64) -> Option<V> {
        self.get_until(name, now).map(|(value, _)| value)
    }

    /// The value kept for `name`, if its TTL has not run out at `now`, and the time it does.
    ///
    /// ```
    /// let cache = mailroom_dns::TtlCache::new(16);
    /// cache.insert("example.com", 7, 1_000, 300);
    /// assert_eq!(cache.get_until("example.com", 1_100), Some((7, 1_300)));
    /// ```
    pub fn get_until(&self, name: &str, now: u64) -> Option<(V, u64)> {
        let entries = self.entries.lock().ok()?;
        let (value, expires) = entries.get(name)?;
        (now < *expires).then(|| (value.clone(), *expires))
    }

    /// What `read` makes of the value kept for `name`, if its TTL has not run out at `now`,
    /// without cloning the value.
    ///
    /// ```
    /// let cache = mailroom_dns::TtlCache::new(16);
    /// cache.insert("example.com", vec![1, 2, 3], 1_000, 300);
    /// assert_eq!(cache.read("example.com", 1_100, Vec::len), Some(3));
    /// ```
    pub fn read<T>(&self, name: &str, now: u64, read: impl FnOnce(&V) -> T) -> Option<T> {
        let entries = self.entries.lock().ok()?;
        let (value, expires) = entries.get(name)?;
        (now < *expires).then(|| read(value))
    }

    /// Keeps `value` for `name` from `now` for `ttl` seconds (a TTL of 0 keeps nothing).
    pub fn insert(&self, name: &str, value: V, now: u64, ttl: u32) {
        if ttl == 0 {
            return;
        }
        self.insert_until(name, value, now.saturating_add(u64::from(ttl)));
    }

    /// Keeps `value` for `name` until the time `expires`, as when replacing a value with one
    /// derived from it that runs out at the same time.
    pub fn insert_until(&self, name: &str, value: V, expires: u64) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.capacity {
                entries.clear();
            }
            entries.insert(name.into(), (value, expires));
        }
    }
}
