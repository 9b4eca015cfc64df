//! When a deferred recipient is tried again, and when the queue gives up on it. Pure: the time
//! comes in as an argument.

use std::time::Duration;

/// The retry plan: the first retry after `first_retry`, each later one twice as long after the
/// last up to `max_retry` apart; after `give_up` since the message was received, no more tries.
/// The defaults are near Postfix's (5 minutes, 1 hour, 5 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// The wait before the first retry.
    pub first_retry: Duration,
    /// The longest wait between two tries.
    pub max_retry: Duration,
    /// How long after it was received a message is tried at all.
    pub give_up: Duration,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            first_retry: Duration::from_secs(5 * 60),
            max_retry: Duration::from_secs(60 * 60),
            give_up: Duration::from_secs(5 * 24 * 60 * 60),
        }
    }
}

/// What to do with a recipient after a temporary failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Try again at this time (seconds since the Unix epoch).
    RetryAt(u64),
    /// Stop trying: the message has been queued too long.
    GiveUp,
}

impl Schedule {
    /// The wait after the `attempts`-th failed try (1 for the first).
    pub fn backoff(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(32);
        self.first_retry
            .saturating_mul(1_u32 << doublings.min(31))
            .min(self.max_retry)
    }

    /// After a temporary failure at `now` of a message received at `received`, on its
    /// `attempts`-th try: when to try again, or to give up. A retry that would fall after the
    /// give-up time is moved to that time, so the last try is made when it is due.
    pub fn after_failure(&self, received: u64, attempts: u32, now: u64) -> Next {
        let deadline = received.saturating_add(self.give_up.as_secs());
        if now >= deadline {
            return Next::GiveUp;
        }
        let next = now.saturating_add(self.backoff(attempts).as_secs().max(1));
        Next::RetryAt(next.min(deadline))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_700_000_000;

    #[test]
    fn waits_double_from_five_minutes_up_to_an_hour() {
        let schedule = Schedule::default();
        let waits: Vec<u64> = (1..=7).map(|n| schedule.backoff(n).as_secs()).collect();
        assert_eq!(waits, [300, 600, 1200, 2400, 3600, 3600, 3600]);
        assert_eq!(schedule.backoff(0).as_secs(), 300);
        assert_eq!(schedule.backoff(u32::MAX).as_secs(), 3600);
    }

    #[test]
    fn a_retry_is_due_after_the_backoff_from_now() {
        let schedule = Schedule::default();
        assert_eq!(
            schedule.after_failure(T0, 1, T0 + 10),
            Next::RetryAt(T0 + 310)
        );
        assert_eq!(
            schedule.after_failure(T0, 3, T0 + 1000),
            Next::RetryAt(T0 + 2200)
        );
    }

    #[test]
    fn the_queue_gives_up_after_five_days_with_a_last_try_at_the_deadline() {
        let schedule = Schedule::default();
        let deadline = T0 + 5 * 86_400;
        assert_eq!(
            schedule.after_failure(T0, 40, deadline - 60),
            Next::RetryAt(deadline)
        );
        assert_eq!(schedule.after_failure(T0, 41, deadline), Next::GiveUp);
        assert_eq!(schedule.after_failure(T0, 1, u64::MAX), Next::GiveUp);
    }

    #[test]
    fn a_custom_plan_is_followed() {
        let schedule = Schedule {
            first_retry: Duration::from_secs(1),
            max_retry: Duration::from_secs(4),
            give_up: Duration::from_secs(10),
        };
        let mut now = T0;
        let mut tries = vec![now];
        let mut attempts = 1;
        while let Next::RetryAt(at) = schedule.after_failure(T0, attempts, now) {
            now = at;
            attempts += 1;
            tries.push(now - T0);
        }
        assert_eq!(tries[1..], [1, 3, 7, 10]);
    }

    #[test]
    fn a_zero_wait_still_moves_time_forward() {
        let schedule = Schedule {
            first_retry: Duration::ZERO,
            ..Schedule::default()
        };
        assert_eq!(schedule.after_failure(T0, 1, T0), Next::RetryAt(T0 + 1));
    }
}
