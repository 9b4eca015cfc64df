//! Criterion benches for the Mailroom crates live in `benches/`; this library only names the
//! cryptographic backend they measure, so that each bench compares like with like.
//!
//! Run them with `cargo bench -p mailroom-benches` (ring) or with `--features aws-lc-rs`.

#![forbid(unsafe_code)]

/// The backend in use: ring, or aws-lc-rs with the `aws-lc-rs` feature. Both have the same API.
pub mod backend {
    #[cfg(feature = "aws-lc-rs")]
    pub use aws_lc_rs::*;
    #[cfg(not(feature = "aws-lc-rs"))]
    pub use ring::*;

    /// The backend's name, for bench group names.
    #[cfg(feature = "aws-lc-rs")]
    pub const NAME: &str = "aws-lc-rs";
    /// The backend's name, for bench group names.
    #[cfg(not(feature = "aws-lc-rs"))]
    pub const NAME: &str = "ring";
}

/// The criterion settings every bench here uses: short warm-up and measurement, enough samples
/// for stable medians, so a full run stays within a few minutes on two cores.
pub fn criterion_config() -> criterion::Criterion {
    criterion::Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2))
        .sample_size(30)
}

/// A map behind mail-auth's resolver cache trait, filled before a bench runs, so mail-auth
/// answers from parsed records as in its own production use (and never asks the network).
#[derive(Debug)]
pub struct MailAuthCache<K, V>(std::sync::Mutex<std::collections::HashMap<K, V>>);

impl<K, V> Default for MailAuthCache<K, V> {
    fn default() -> Self {
        Self(std::sync::Mutex::default())
    }
}

impl<K: std::hash::Hash + Eq, V: Clone> mail_auth::ResolverCache<K, V> for MailAuthCache<K, V> {
    fn get<Q>(&self, name: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.0.lock().ok()?.get(name).cloned()
    }
    fn remove<Q>(&self, name: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.0.lock().ok()?.remove(name)
    }
    fn insert(&self, key: K, value: V, _: std::time::Instant) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(key, value);
        }
    }
}
