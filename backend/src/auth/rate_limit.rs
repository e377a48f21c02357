//! Sign-in attempts counted per client address, per user name *and*
//! address, and per user name from anywhere (a cap well above the second),
//! so guessing is slow whether it targets one account or many, and an
//! attacker elsewhere cannot lock the owner out of their account.
//!
//! Memory stays bounded whatever callers send: user names are kept as
//! keyed hashes (a fixed size, and not chosen by the caller), keys whose
//! allowance is full again are dropped regularly, and each table has a cap.
//!
//! The counters live in each process: with several replicas, a guesser gets
//! the allowance once per replica, which still bounds guessing to a handful
//! of tries a minute.

use std::hash::{BuildHasher, Hash, RandomState};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// The per-user cap from anywhere, as a multiple of the per-user-and-address
/// allowance: reached only by guessers on many addresses.
const USER_CAP_FACTOR: u32 = 20;

/// Keys a table may hold. A key takes a few dozen bytes, so the three
/// tables stay within a few megabytes.
const MAX_KEYS: usize = 50_000;

/// Drop keys with a full allowance every this many attempts.
const SWEEP_EVERY: u32 = 1_024;

/// The three limiters.
pub struct LoginLimits {
    per_address: Table<IpAddr>,
    per_user_and_address: Table<(u64, IpAddr)>,
    per_user: Table<u64>,
    names: RandomState,
    attempts: AtomicU32,
    max_keys: usize,
}

impl LoginLimits {
    /// `per_user` attempts a minute for one user from one address (and
    /// [`USER_CAP_FACTOR`] times that from anywhere), and `per_address`
    /// attempts a minute from one address; each allowed in a burst.
    pub fn new(per_user: u32, per_address: u32) -> Self {
        Self::with_max_keys(per_user, per_address, MAX_KEYS)
    }

    fn with_max_keys(per_user: u32, per_address: u32, max_keys: usize) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            per_address: Table::new(quota(per_address)),
            per_user_and_address: Table::new(quota(per_user)),
            per_user: Table::new(quota(per_user.saturating_mul(USER_CAP_FACTOR))),
            names: RandomState::new(),
            attempts: AtomicU32::new(0),
            max_keys,
        }
    }

    /// Counts an attempt; `Err(wait)` when it is over a limit. A later
    /// table counts only attempts the earlier ones let through, so a
    /// guesser held back by its address's limit does not use up the
    /// user's allowance.
    pub fn check(&self, user: &str, address: IpAddr) -> Result<(), Duration> {
        self.sweep_now_and_then();
        let user = self.names.hash_one(user);
        self.per_address.check(&address)?;
        self.per_user_and_address.check(&(user, address))?;
        self.per_user.check(&user)
    }

    /// Keys held in all, for tests and logs.
    pub fn len(&self) -> usize {
        self.per_address.len() + self.per_user_and_address.len() + self.per_user.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn sweep_now_and_then(&self) {
        let n = self.attempts.fetch_add(1, Ordering::Relaxed);
        let full = self.per_address.len() >= self.max_keys
            || self.per_user_and_address.len() >= self.max_keys
            || self.per_user.len() >= self.max_keys;
        if n.is_multiple_of(SWEEP_EVERY) || full {
            self.per_address.bound(self.max_keys);
            self.per_user_and_address.bound(self.max_keys);
            self.per_user.bound(self.max_keys);
        }
    }
}

/// One keyed limiter, replaceable when it must start afresh.
struct Table<K: Hash + Eq + Clone> {
    quota: Quota,
    limiter: RwLock<DefaultKeyedRateLimiter<K>>,
}

impl<K: Hash + Eq + Clone> Table<K> {
    fn new(quota: Quota) -> Self {
        Self {
            quota,
            limiter: RwLock::new(RateLimiter::keyed(quota)),
        }
    }

    /// Counts an attempt; `Err(wait)` when over the limit.
    fn check(&self, key: &K) -> Result<(), Duration> {
        let now = DefaultClock::default().now();
        self.limiter
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .check_key(key)
            .map_err(|e| e.wait_time_from(now))
    }

    fn len(&self) -> usize {
        self.limiter
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Drops keys whose allowance is full again; a table still at its cap
    /// (a flood from more addresses than it holds) starts afresh, which
    /// only gives each of those addresses its allowance again.
    fn bound(&self, max_keys: usize) {
        let mut limiter = self.limiter.write().unwrap_or_else(PoisonError::into_inner);
        limiter.retain_recent();
        if limiter.len() >= max_keys {
            tracing::warn!(
                keys = limiter.len(),
                "sign-in attempts from very many addresses: a rate-limit table starts afresh"
            );
            *limiter = RateLimiter::keyed(self.quota);
        }
        limiter.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_over_the_limit_are_refused_per_user_and_address_and_per_address() {
        let limits = LoginLimits::new(3, 4);
        let here: IpAddr = [127, 0, 0, 1].into();
        let there: IpAddr = [127, 0, 0, 2].into();
        for _ in 0..3 {
            assert!(limits.check("ada", here).is_ok());
        }
        assert!(limits.check("ada", here).is_err(), "ada from here");
        assert!(
            limits.check("ada", there).is_ok(),
            "someone guessing elsewhere does not lock the owner out"
        );
        assert!(
            limits.check("eve", here).is_err(),
            "the address's limit holds for any user"
        );
    }

    #[test]
    fn a_user_has_a_cap_from_anywhere() {
        let limits = LoginLimits::new(1, 100);
        let allowed = (0..=u8::MAX)
            .filter(|i| limits.check("ada", [10, 0, 0, *i].into()).is_ok())
            .count();
        assert_eq!(allowed, USER_CAP_FACTOR as usize);
    }

    #[test]
    fn the_tables_never_hold_more_than_their_cap() {
        let limits = LoginLimits::with_max_keys(5, 1_000_000, 1_000);
        let here: IpAddr = [127, 0, 0, 1].into();
        for i in 0..10_000 {
            let _ = limits.check(&format!("user-{i}"), here);
            assert!(
                limits.len() <= 2 * 1_000 + 1,
                "{} keys at {i}",
                limits.len()
            );
        }
    }
}
