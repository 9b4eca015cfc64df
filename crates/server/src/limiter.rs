//! Failed logins, counted per client address and per user: past a limit within a window,
//! further attempts are refused without looking at the password, so passwords cannot be
//! guessed at speed from one address or against one user from many.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed attempts allowed per address or user within [`WINDOW`].
pub(crate) const MAX_FAILURES: u32 = 5;

/// How long failures are remembered.
pub(crate) const WINDOW: Duration = Duration::from_secs(15 * 60);

/// The most keys remembered; the oldest are forgotten first beyond it.
const MAX_KEYS: usize = 100_000;

/// Who failed to log in, and how often.
#[derive(Debug, Default)]
pub(crate) struct AuthLimiter {
    failures: Mutex<HashMap<Key, (u32, Instant)>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Address(IpAddr),
    User(String),
}

impl AuthLimiter {
    /// Whether another attempt from `ip` for `user` may be checked now.
    pub(crate) fn allows(&self, ip: IpAddr, user: &str, now: Instant) -> bool {
        let failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        [Key::Address(ip), Key::User(user.to_ascii_lowercase())]
            .iter()
            .all(|key| match failures.get(key) {
                Some((count, since)) => {
                    *count < MAX_FAILURES || now.duration_since(*since) >= WINDOW
                }
                None => true,
            })
    }

    /// Counts a failed attempt.
    pub(crate) fn failed(&self, ip: IpAddr, user: &str, now: Instant) {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if failures.len() >= MAX_KEYS {
            failures.retain(|_, (_, since)| now.duration_since(*since) < WINDOW);
        }
        for key in [Key::Address(ip), Key::User(user.to_ascii_lowercase())] {
            let entry = failures.entry(key).or_insert((0, now));
            if now.duration_since(entry.1) >= WINDOW {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
    }

    /// A login succeeded: the user's count starts again (the address's does not, so one
    /// account cannot be used to keep guessing others).
    pub(crate) fn succeeded(&self, user: &str) {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        failures.remove(&Key::User(user.to_ascii_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_limited_per_address_and_per_user_within_the_window() {
        let limiter = AuthLimiter::default();
        let start = Instant::now();
        let (one, two) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        for _ in 0..MAX_FAILURES {
            assert!(limiter.allows(one, "alice@example.org", start));
            limiter.failed(one, "alice@example.org", start);
        }
        assert!(!limiter.allows(one, "alice@example.org", start));
        assert!(
            !limiter.allows(one, "bob@example.org", start),
            "the address is limited"
        );
        assert!(
            !limiter.allows(two, "ALICE@example.org", start),
            "the user is limited"
        );
        assert!(limiter.allows(two, "bob@example.org", start));
        assert!(limiter.allows(one, "alice@example.org", start + WINDOW));
        limiter.succeeded("alice@example.org");
        assert!(limiter.allows(two, "alice@example.org", start));
    }
}
