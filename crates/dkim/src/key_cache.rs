//! Parsed key records kept by their text, so a busy verifier decodes each published key once.
//! The DNS is still asked every time (its own cache honours TTLs); only parsing is saved.

use std::sync::Arc;

use mailroom_dns::ParsedCache;

use crate::crypto::PreparedKey;
use crate::error::{Error, Record, TagListProblem};
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
}

impl Default for KeyCache {
    fn default() -> Self {
        Self {
            entries: ParsedCache::new(CAPACITY),
        }
    }
}

impl KeyCache {
    /// The key record for this text, parsed now or earlier.
    pub(crate) fn parse(&self, text: &[u8]) -> Parsed {
        self.entries.get_or_parse(text, |text| {
            std::str::from_utf8(text)
                .map_err(|_| Error::TagList {
                    record: Record::Key,
                    offset: 0,
                    problem: TagListProblem::NotUtf8,
                })
                .and_then(KeyRecord::parse)
                .map(|record| {
                    Arc::new(CachedKey {
                        prepared: PreparedKey::new(&record.key),
                        record,
                    })
                })
        })
    }
}
