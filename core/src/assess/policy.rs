//! When a learner may start an attempt: the attempts a module allows (its own, plus those a
//! trainer granted), how many are left, and the cooldown after a failed one. The one home
//! of "attempts left": the catalog, the attempt's start and the sync's wait for a grant all
//! ask [`attempts_left`]. Time is the device's clock, passed in. Cheap phones' clocks are often wrong,
//! and a clock behind the last attempt's end would otherwise lock a learner out for as long
//! as it is wrong; so a clock that went backwards does not block (DESIGN: nothing is refused
//! only because a clock is off).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::error::AssessError;
use crate::module::AssessmentRules;

/// A finished attempt, as the policy needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastAttempt {
    /// 1 for the first attempt.
    pub number: u32,
    /// When it was submitted (device time).
    pub ended_at: DateTime<Utc>,
    /// Whether it passed.
    pub passed: bool,
}

/// How many more attempts a learner may start at a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptsLeft {
    /// The module allows any number (grants change nothing).
    Unlimited,
    /// `left` of the `allowed` attempts remain.
    Limited {
        /// Attempts still to start.
        left: u32,
        /// Attempts allowed in all: the module's own plus every one granted.
        allowed: u32,
    },
}

impl AttemptsLeft {
    /// Whether every attempt allowed has been used.
    pub fn none_left(self) -> bool {
        matches!(self, AttemptsLeft::Limited { left: 0, .. })
    }
}

/// Attempts left at a module with `rules`, after the finished attempts of `history`, with
/// `granted` more attempts a trainer gave beyond the module's own.
pub fn attempts_left(
    rules: &AssessmentRules,
    granted: u32,
    history: &[PastAttempt],
) -> AttemptsLeft {
    if rules.attempts == 0 {
        return AttemptsLeft::Unlimited;
    }
    let allowed = rules.attempts.saturating_add(granted);
    let used = u32::try_from(history.len()).unwrap_or(u32::MAX);
    AttemptsLeft::Limited {
        left: allowed.saturating_sub(used),
        allowed,
    }
}

/// The number the next attempt gets, or why it cannot start now; `granted` attempts are
/// added to the module's own (see [`attempts_left`]).
pub fn next_attempt(
    rules: &AssessmentRules,
    granted: u32,
    history: &[PastAttempt],
    now: DateTime<Utc>,
) -> Result<u32, AssessError> {
    if let AttemptsLeft::Limited { left: 0, allowed } = attempts_left(rules, granted, history) {
        return Err(AssessError::NoAttemptsLeft { allowed });
    }
    if let Some(last) = history.iter().max_by_key(|a| a.number) {
        let until = last.ended_at + Duration::minutes(i64::from(rules.cooldown_minutes));
        let clock_went_back = now < last.ended_at;
        if !last.passed && now < until && !clock_went_back {
            return Err(AssessError::CoolingDown { until });
        }
    }
    Ok(history.iter().map(|a| a.number).max().unwrap_or(0) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(attempts: u32, cooldown_minutes: u32) -> AssessmentRules {
        AssessmentRules {
            pass_mark: 70,
            draw: 1,
            attempts,
            cooldown_minutes,
            time_limit_minutes: None,
        }
    }

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).expect("valid") + Duration::minutes(minutes)
    }

    fn failed(number: u32, minutes: i64) -> PastAttempt {
        PastAttempt {
            number,
            ended_at: at(minutes),
            passed: false,
        }
    }

    #[test]
    fn first_attempt_is_number_one() {
        assert_eq!(next_attempt(&rules(3, 30), 0, &[], at(0)), Ok(1));
    }

    #[test]
    fn cooldown_runs_after_a_failure_and_says_when_it_ends() {
        let history = [failed(1, 0)];
        assert_eq!(
            next_attempt(&rules(3, 30), 0, &history, at(29)),
            Err(AssessError::CoolingDown { until: at(30) })
        );
        assert_eq!(next_attempt(&rules(3, 30), 0, &history, at(30)), Ok(2));
    }

    #[test]
    fn no_cooldown_after_a_pass() {
        let history = [PastAttempt {
            number: 1,
            ended_at: at(0),
            passed: true,
        }];
        assert_eq!(next_attempt(&rules(3, 30), 0, &history, at(1)), Ok(2));
    }

    #[test]
    fn attempts_run_out_unless_unlimited() {
        let history = [failed(1, 0), failed(2, 60)];
        assert_eq!(
            next_attempt(&rules(2, 30), 0, &history, at(500)),
            Err(AssessError::NoAttemptsLeft { allowed: 2 })
        );
        assert_eq!(next_attempt(&rules(0, 30), 0, &history, at(500)), Ok(3));
    }

    #[test]
    fn attempts_left_counts_the_modules_own_the_granted_and_the_used() {
        let history = [failed(1, 0), failed(2, 60)];
        assert_eq!(
            attempts_left(&rules(3, 30), 0, &[]),
            AttemptsLeft::Limited {
                left: 3,
                allowed: 3
            }
        );
        assert_eq!(
            attempts_left(&rules(3, 30), 0, &history),
            AttemptsLeft::Limited {
                left: 1,
                allowed: 3
            }
        );
        assert_eq!(
            attempts_left(&rules(2, 30), 2, &history),
            AttemptsLeft::Limited {
                left: 2,
                allowed: 4
            },
            "two granted after two used"
        );
        assert!(attempts_left(&rules(2, 30), 0, &history).none_left());
        assert!(!attempts_left(&rules(2, 30), 1, &history).none_left());
        assert_eq!(
            attempts_left(&rules(0, 30), 5, &history),
            AttemptsLeft::Unlimited,
            "a grant leaves an unlimited module unlimited"
        );
        let many: Vec<PastAttempt> = (1..=5).map(|n| failed(n, 60 * i64::from(n))).collect();
        assert_eq!(
            attempts_left(&rules(3, 30), 1, &many),
            AttemptsLeft::Limited {
                left: 0,
                allowed: 4
            },
            "more used than allowed leaves none, never a negative"
        );
        assert_eq!(
            attempts_left(&rules(3, 0), u32::MAX, &[]),
            AttemptsLeft::Limited {
                left: u32::MAX,
                allowed: u32::MAX
            }
        );
    }

    #[test]
    fn a_grant_opens_the_next_attempt_and_says_how_many_in_all() {
        let history = [failed(1, 0), failed(2, 60)];
        assert_eq!(next_attempt(&rules(2, 30), 1, &history, at(500)), Ok(3));
        let history = [failed(1, 0), failed(2, 60), failed(3, 120)];
        assert_eq!(
            next_attempt(&rules(2, 30), 1, &history, at(500)),
            Err(AssessError::NoAttemptsLeft { allowed: 3 })
        );
    }

    #[test]
    fn a_clock_that_went_backwards_does_not_lock_the_learner_out() {
        let history = [failed(1, 0)];
        assert_eq!(
            next_attempt(&rules(3, 30), 0, &history, at(-60 * 24 * 365)),
            Ok(2)
        );
    }
}
