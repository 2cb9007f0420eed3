//! Rate limiting by failures ([`FailureLimiter`]): repeated failed attempts
//! for one key (an account, a kiosk), or from one client address, lock
//! further attempts for a while. Logins and appointment check-ins each
//! have one, with their own [`Policy`].
//!
//! The rules ([`Policy`]): after `account_failures` failures for a user name
//! within `window`, that name is locked for `lock`; after
//! `address_failures` failures from one address (any names), that address
//! is locked likewise. A locked attempt is refused before its password is
//! checked, so guessing stops and costs no argon2 work. A successful login
//! clears its account's failures; it does not clear its address's, or one
//! account holder could reset the count for someone guessing others'
//! passwords from the same machine. Unknown user names count like known
//! ones, so a lock does not tell which accounts exist.
//!
//! An attempt is counted from its start ([`FailureLimiter::begin`]) until its
//! password has been checked ([`FailureLimiter::end`]): guesses sent all at
//! once cannot run more password checks than the limits allow, since the
//! failures so far and the attempts still being checked together may not
//! exceed them.
//!
//! Only `POST /api/login` goes through the login limiter: the
//! administrator token and existing sessions are never locked out, so an
//! attacker who locks every account cannot lock out the administrator. A
//! second limiter with [`CHECK_IN_POLICY`] counts unknown appointment codes
//! per kiosk or clerk.
//!
//! The state is in memory: a restart forgets it (failed logins are in the
//! audit trail). Time is a parameter, from the server's clock, so tests
//! move the fake clock instead of sleeping.

use std::collections::HashMap;
use std::net::IpAddr;

use jiff::{SignedDuration, Timestamp};

/// How many failures lock what, for how long.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Failures for one user name before it is locked.
    pub account_failures: u32,
    /// Failures from one address (any user names) before it is locked.
    pub address_failures: u32,
    /// Failures older than this are forgotten.
    pub window: SignedDuration,
    /// How long a lock lasts.
    pub lock: SignedDuration,
}

impl Default for Policy {
    /// 5 failures for an account, or 20 from one address (a hall's staff
    /// often share one address behind its router), within 15 minutes lock
    /// for 5 minutes.
    fn default() -> Policy {
        Policy {
            account_failures: 5,
            address_failures: 20,
            window: SignedDuration::from_mins(15),
            lock: SignedDuration::from_mins(5),
        }
    }
}

/// Appointment check-ins: ten unknown codes from one kiosk or clerk within
/// fifteen minutes pause check-in there for five. A visitor mistyping a
/// code a few times is not held up; trying codes one after another is.
pub const CHECK_IN_POLICY: Policy = Policy {
    account_failures: 10,
    address_failures: u32::MAX,
    window: SignedDuration::from_mins(15),
    lock: SignedDuration::from_mins(5),
};

/// Entries kept per kind before old ones are dropped: random user names
/// must not grow memory without bound.
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug, Clone, Default)]
struct Record {
    /// Times of the failures still inside the window, oldest first.
    failures: Vec<Timestamp>,
    /// Locked until then.
    locked_until: Option<Timestamp>,
}

impl Record {
    fn forget_before(&mut self, since: Timestamp) {
        self.failures.retain(|t| *t > since);
    }

    fn locked_at(&self, now: Timestamp) -> Option<Timestamp> {
        self.locked_until.filter(|until| *until > now)
    }

    fn is_stale(&self, now: Timestamp, window: SignedDuration) -> bool {
        self.locked_at(now).is_none() && self.failures.last().is_none_or(|t| *t + window <= now)
    }
}

/// Why a login is refused before its password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locked {
    /// When attempts are accepted again.
    pub until: Timestamp,
}

impl Locked {
    /// Whole seconds until `until` (at least 1), for `Retry-After`.
    pub fn retry_after_s(&self, now: Timestamp) -> u64 {
        let ms = self.until.as_millisecond() - now.as_millisecond();
        (ms.max(1) as u64).div_ceil(1000)
    }
}

/// Failed logins by user name and by address.
#[derive(Debug, Default)]
pub struct FailureLimiter {
    policy: Policy,
    accounts: HashMap<String, Record>,
    addresses: HashMap<IpAddr, Record>,
    /// Attempts begun and not yet ended, by user name and by address.
    pending_accounts: HashMap<String, u32>,
    pending_addresses: HashMap<IpAddr, u32>,
}

/// A login attempt whose password is being checked; give it back to
/// [`FailureLimiter::end`].
#[derive(Debug)]
#[must_use = "an attempt counts against the limits until it is ended"]
pub struct Attempt {
    username: String,
    address: Option<IpAddr>,
}

/// Whether `failures` so far and `pending` attempts reach `limit`.
fn full<K: std::hash::Hash + Eq>(
    failures: &mut HashMap<K, Record>,
    pending: &HashMap<K, u32>,
    key: &K,
    since: Timestamp,
    limit: u32,
) -> bool {
    let failed = failures.get_mut(key).map_or(0, |r| {
        r.forget_before(since);
        r.failures.len() as u32
    });
    failed + pending.get(key).copied().unwrap_or(0) >= limit
}

fn release<K: std::hash::Hash + Eq>(pending: &mut HashMap<K, u32>, key: &K) {
    if let Some(n) = pending.get_mut(key) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            pending.remove(key);
        }
    }
}

fn lock_of<K: std::hash::Hash + Eq>(
    map: &HashMap<K, Record>,
    key: &K,
    now: Timestamp,
) -> Option<Timestamp> {
    map.get(key).and_then(|r| r.locked_at(now))
}

fn fail<K: std::hash::Hash + Eq + Clone>(
    map: &mut HashMap<K, Record>,
    key: &K,
    now: Timestamp,
    limit: u32,
    policy: &Policy,
) -> Option<Timestamp> {
    if map.len() >= MAX_ENTRIES && !map.contains_key(key) {
        map.retain(|_, r| !r.is_stale(now, policy.window));
        if map.len() >= MAX_ENTRIES {
            // Still full of live entries: drop the one whose last failure
            // is oldest.
            if let Some(oldest) = map
                .iter()
                .min_by_key(|(_, r)| r.failures.last().copied())
                .map(|(k, _)| k.clone())
            {
                map.remove(&oldest);
            }
        }
    }
    let record = map.entry(key.clone()).or_default();
    record.forget_before(now - policy.window);
    record.failures.push(now);
    if record.failures.len() as u32 >= limit {
        let until = now + policy.lock;
        record.locked_until = Some(until);
        // The lock starts a fresh count: after it, `limit` more tries.
        record.failures.clear();
        Some(until)
    } else {
        None
    }
}

impl FailureLimiter {
    /// A limiter with these rules.
    pub fn new(policy: Policy) -> FailureLimiter {
        FailureLimiter {
            policy,
            ..FailureLimiter::default()
        }
    }

    /// Starts an attempt for `username` from `address`: refused while
    /// either is locked, or while its failures so far and the attempts
    /// still being checked reach its limit (then for a second, the time a
    /// check takes). Each attempt begun must be ended.
    pub fn begin(
        &mut self,
        username: &str,
        address: Option<IpAddr>,
        now: Timestamp,
    ) -> Result<Attempt, Locked> {
        if let Some(locked) = self.check(username, address, now) {
            return Err(locked);
        }
        let since = now - self.policy.window;
        let name = username.to_owned();
        let busy = full(
            &mut self.accounts,
            &self.pending_accounts,
            &name,
            since,
            self.policy.account_failures,
        ) || address.is_some_and(|a| {
            full(
                &mut self.addresses,
                &self.pending_addresses,
                &a,
                since,
                self.policy.address_failures,
            )
        });
        if busy {
            return Err(Locked {
                until: now + SignedDuration::from_secs(1),
            });
        }
        *self.pending_accounts.entry(name.clone()).or_default() += 1;
        if let Some(a) = address {
            *self.pending_addresses.entry(a).or_default() += 1;
        }
        Ok(Attempt {
            username: name,
            address,
        })
    }

    /// Ends an attempt, whatever its outcome (record it with [`failed`]
    /// or [`succeeded`] first).
    ///
    /// [`failed`]: FailureLimiter::failed
    /// [`succeeded`]: FailureLimiter::succeeded
    pub fn end(&mut self, attempt: Attempt) {
        release(&mut self.pending_accounts, &attempt.username);
        if let Some(a) = attempt.address {
            release(&mut self.pending_addresses, &a);
        }
    }

    /// Whether an attempt for `username` from `address` is refused now.
    pub fn check(&self, username: &str, address: Option<IpAddr>, now: Timestamp) -> Option<Locked> {
        let account = lock_of(&self.accounts, &username.to_owned(), now);
        let address = address.and_then(|a| lock_of(&self.addresses, &a, now));
        account.max(address).map(|until| Locked { until })
    }

    /// Records a failed attempt; `Some` if it locked the account or the
    /// address.
    pub fn failed(
        &mut self,
        username: &str,
        address: Option<IpAddr>,
        now: Timestamp,
    ) -> Option<Locked> {
        let policy = self.policy;
        let account = fail(
            &mut self.accounts,
            &username.to_owned(),
            now,
            policy.account_failures,
            &policy,
        );
        let address = address.and_then(|a| {
            fail(
                &mut self.addresses,
                &a,
                now,
                policy.address_failures,
                &policy,
            )
        });
        account.max(address).map(|until| Locked { until })
    }

    /// A successful login clears its account's failures.
    pub fn succeeded(&mut self, username: &str) {
        self.accounts.remove(username);
    }

    /// An administrator changed the account (new password, re-enabled):
    /// its lock ends.
    pub fn unlock(&mut self, username: &str) {
        self.accounts.remove(username);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + minute * 60).unwrap()
    }

    #[test]
    fn five_failures_lock_an_account_for_five_minutes() {
        let mut l = FailureLimiter::new(Policy::default());
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for m in 0..4 {
            assert_eq!(l.failed("li", Some(ip), at(m)), None);
            assert_eq!(l.check("li", Some(ip), at(m)), None);
        }
        let locked = l.failed("li", Some(ip), at(4)).unwrap();
        assert_eq!(locked.until, at(9));
        assert_eq!(l.check("li", Some(ip), at(8)), Some(locked));
        assert_eq!(locked.retry_after_s(at(8)), 60);
        assert_eq!(l.check("wang", Some(ip), at(8)), None, "other accounts");
        assert_eq!(l.check("li", Some(ip), at(9)), None, "the lock ends");
    }

    #[test]
    fn old_failures_and_successes_do_not_count() {
        let mut l = FailureLimiter::new(Policy::default());
        for m in 0..4 {
            l.failed("li", None, at(m));
        }
        // 15 minutes after the first failures they are forgotten.
        assert_eq!(l.failed("li", None, at(16)), None);
        l.succeeded("li");
        for m in 17..21 {
            assert_eq!(l.failed("li", None, at(m)), None);
        }
    }

    #[test]
    fn one_address_trying_many_names_is_locked() {
        let mut l = FailureLimiter::new(Policy::default());
        let ip: IpAddr = "10.0.0.2".parse().unwrap();
        for i in 0..19 {
            assert_eq!(l.failed(&format!("u{i}"), Some(ip), at(0)), None);
        }
        assert!(l.failed("u19", Some(ip), at(0)).is_some());
        assert!(l.check("anyone", Some(ip), at(1)).is_some());
        assert!(
            l.check("anyone", Some("10.0.0.3".parse().unwrap()), at(1))
                .is_none()
        );
    }

    #[test]
    fn attempts_being_checked_count_against_the_limit() {
        let mut l = FailureLimiter::new(Policy::default());
        let ip: IpAddr = "10.0.0.4".parse().unwrap();
        // Two failures, then guesses sent all at once: only three more
        // may be checked.
        l.failed("li", Some(ip), at(0));
        l.failed("li", Some(ip), at(0));
        let attempts: Vec<_> = (0..3)
            .map(|_| l.begin("li", Some(ip), at(0)).unwrap())
            .collect();
        let refused = l.begin("li", Some(ip), at(0)).unwrap_err();
        assert_eq!(refused.retry_after_s(at(0)), 1);
        // Other accounts from the address are not held up.
        let other = l.begin("wang", Some(ip), at(0)).unwrap();
        l.end(other);
        // The three fail: the account is locked, and stays so for the
        // attempts that come after.
        for (k, a) in attempts.into_iter().enumerate() {
            let locked = l.failed("li", Some(ip), at(0));
            assert_eq!(locked.is_some(), k == 2);
            l.end(a);
        }
        assert!(l.begin("li", Some(ip), at(1)).is_err());
        // Once the lock is over, attempts begin again; a success clears
        // the account.
        let a = l.begin("li", Some(ip), at(6)).unwrap();
        l.succeeded("li");
        l.end(a);
        assert!(l.pending_accounts.is_empty() && l.pending_addresses.is_empty());
    }

    #[test]
    fn memory_stays_bounded() {
        let mut l = FailureLimiter::new(Policy::default());
        for i in 0..(MAX_ENTRIES + 50) {
            l.failed(&format!("u{i}"), None, at(0));
        }
        assert!(l.accounts.len() <= MAX_ENTRIES);
    }
}
