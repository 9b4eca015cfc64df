//! Parsed records kept by their text, so a busy evaluator parses each published record once.
//! The DNS is still asked every time (its cache honours TTLs); only parsing is saved.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::error::Error;
use crate::record::Record;

/// How many distinct records are kept; when full, the cache starts again empty.
const CAPACITY: usize = 4096;

type Parsed = Result<Arc<Record>, Error>;

#[derive(Debug, Default)]
pub(crate) struct RecordCache {
    entries: Mutex<HashMap<Box<str>, Parsed>>,
}

impl RecordCache {
    /// The record for this text, parsed now or earlier.
    pub(crate) fn parse(&self, text: &str) -> Parsed {
        if let Some(hit) = self.entries.lock().ok().and_then(|e| e.get(text).cloned()) {
            return hit;
        }
        let parsed = Record::parse(text).map(Arc::new);
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(text.into(), parsed.clone());
        }
        parsed
    }
}
