//! The keys a running server signs with, parsed once and held in memory. The key folder is
//! looked at again by [`Keyring::refresh`] (the server calls it every second, off the async
//! threads); a domain whose files changed is read again, and if a key there is damaged the
//! domain keeps the keys it had, with an error in the log.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use mailroom_dkim::Signer;

use super::store::{KeyStore, Stamp};

/// The signers of every domain with keys.
#[derive(Debug)]
pub struct Keyring {
    store: KeyStore,
    domains: RwLock<HashMap<String, Held>>,
}

/// One domain's signers and the files they came from.
#[derive(Debug, Clone)]
struct Held {
    stamp: Stamp,
    signers: Arc<[Signer]>,
}

impl Keyring {
    /// The keys of `store`, read now.
    pub fn load(store: KeyStore) -> Self {
        let ring = Self {
            store,
            domains: RwLock::default(),
        };
        ring.refresh();
        ring
    }

    /// The signers of `domain` (lower case, no trailing dot), if it has keys. No file is read.
    pub fn signers(&self, domain: &str) -> Option<Arc<[Signer]>> {
        let domains = self.domains.read().ok()?;
        let held = domains.get(domain)?;
        (!held.signers.is_empty()).then(|| Arc::clone(&held.signers))
    }

    /// Reads again the domains whose key files changed; returns how many were read. Blocking.
    pub fn refresh(&self) -> usize {
        let stamps = match self.store.stamps() {
            Ok(stamps) => stamps,
            Err(error) => {
                tracing::error!(%error, "cannot look at the DKIM keys; the keys in use stay");
                return 0;
            }
        };
        let Ok(current) = self.domains.read().map(|d| d.clone()) else {
            return 0;
        };
        let mut next = HashMap::with_capacity(stamps.len());
        let mut read = 0;
        for (domain, stamp) in stamps {
            if let Some(held) = current.get(&domain)
                && held.stamp == stamp
            {
                next.insert(domain, held.clone());
                continue;
            }
            read += 1;
            match self.store.signers(&domain) {
                Ok(signers) => {
                    tracing::info!(%domain, keys = signers.len(), "DKIM keys loaded");
                    next.insert(
                        domain,
                        Held {
                            stamp,
                            signers: signers.into(),
                        },
                    );
                }
                Err(error) => {
                    tracing::error!(%domain, %error, "DAMAGED DKIM KEY: the domain keeps signing with the keys it had; fix or remove the file");
                    if let Some(held) = current.get(&domain) {
                        // Remember the damaged files, so the error is logged once per change.
                        next.insert(
                            domain,
                            Held {
                                stamp,
                                signers: Arc::clone(&held.signers),
                            },
                        );
                    } else {
                        next.insert(
                            domain,
                            Held {
                                stamp,
                                signers: Arc::from(Vec::new()),
                            },
                        );
                    }
                }
            }
        }
        if let Ok(mut domains) = self.domains.write() {
            *domains = next;
        }
        read
    }
}
