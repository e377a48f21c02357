//! Login attempts per user name and per client address, so guessing
//! passwords is slow whether it targets one account or many.
//!
//! The counters live in each process: with several replicas, a guesser gets
//! the allowance once per replica, which still bounds guessing to a handful
//! of tries a minute.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// The two limiters.
pub struct LoginLimits {
    per_user: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
}

impl LoginLimits {
    /// `per_user` and `per_address` attempts a minute, each allowed in a burst.
    pub fn new(per_user: u32, per_address: u32) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            per_user: RateLimiter::keyed(quota(per_user)),
            per_address: RateLimiter::keyed(quota(per_address)),
        }
    }

    /// Counts an attempt; `Err(wait)` when it is over either limit.
    pub fn check(&self, user: &str, address: IpAddr) -> Result<(), Duration> {
        let now = DefaultClock::default().now();
        let address = self.per_address.check_key(&address);
        let user = self.per_user.check_key(&user.to_owned());
        match (address, user) {
            (Ok(()), Ok(())) => Ok(()),
            (Err(e), _) | (_, Err(e)) => Err(e.wait_time_from(now)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_over_the_limit_are_refused_per_user_and_per_address() {
        let limits = LoginLimits::new(3, 4);
        let here: IpAddr = [127, 0, 0, 1].into();
        let there: IpAddr = [127, 0, 0, 2].into();
        for _ in 0..3 {
            assert!(limits.check("ada", here).is_ok());
        }
        assert!(
            limits.check("ada", there).is_err(),
            "the user's limit holds from anywhere"
        );
        assert!(limits.check("bob", here).is_ok());
        assert!(
            limits.check("eve", here).is_err(),
            "the address's limit holds for any user"
        );
    }
}
