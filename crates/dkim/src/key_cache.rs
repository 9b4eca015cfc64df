//! Parsed key records kept by their text, so a busy verifier decodes each published key once,
//! and the key found at each name kept for the TTL of its answer, so it is not asked for again
//! until that runs out.

use std::sync::Arc;

use mailroom_dns::{ParsedCache, TtlCache};

use crate::crypto::PreparedKey;
use crate::error::Error;
use crate::key::KeyRecord;

/// How many distinct key records are kept; when full, the cache starts again empty.
const CAPACITY: usize = 1024;

/// A key record, and its key made ready for the backend.
#[derive(Debug)]
pub(crate) struct CachedKey {
    pub(crate) record: KeyRecord,
    pub(crate) prepared: PreparedKey,
}

type Parsed = Result<Arc<CachedKey>, Error>;

#[derive(Debug)]
pub(crate) struct KeyCache {
    entries: ParsedCache<Parsed>,
    /// The key found at each `<selector>._domainkey.<domain>` name, for the TTL of the answer.
    names: TtlCache<Arc<CachedKey>>,
}

impl Default for KeyCache {
    fn default() -> Self {
        Self {
            entries: ParsedCache::new(CAPACITY),
            names: TtlCache::new(CAPACITY),
        }
    }
}

impl KeyCache {
    /// The key an earlier lookup of `name` found, while the answer's TTL lasts at `now`.
    pub(crate) fn kept(&self, name: &str, now: u64) -> Option<Arc<CachedKey>> {
        self.names.get(name, now)
    }

    /// Keeps the key found at `name` from `now` for `ttl` seconds.
    pub(crate) fn keep(&self, name: &str, key: &Arc<CachedKey>, now: u64, ttl: Option<u32>) {
        if let Some(ttl) = ttl {
            self.names.insert(name, Arc::clone(key), now, ttl);
        }
    }

    /// The key record for this text, parsed now or earlier.
    pub(crate) fn parse(&self, text: &[u8]) -> Parsed {
        self.entries.get_or_parse(text, |text| {
            KeyRecord::parse_txt(text).map(|record| {
                Arc::new(CachedKey {
                    prepared: PreparedKey::new(&record.key),
                    record,
                })
            })
        })
    }
}
