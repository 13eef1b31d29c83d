//! When a learner may start an attempt: the attempts a module allows and the cooldown after
//! a failed one. Time is the device's clock, passed in. Cheap phones' clocks are often wrong,
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

/// The number the next attempt gets, or why it cannot start now.
pub fn next_attempt(
    rules: &AssessmentRules,
    history: &[PastAttempt],
    now: DateTime<Utc>,
) -> Result<u32, AssessError> {
    let used = history.len() as u32;
    if rules.attempts > 0 && used >= rules.attempts {
        return Err(AssessError::NoAttemptsLeft {
            allowed: rules.attempts,
        });
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
        assert_eq!(next_attempt(&rules(3, 30), &[], at(0)), Ok(1));
    }

    #[test]
    fn cooldown_runs_after_a_failure_and_says_when_it_ends() {
        let history = [failed(1, 0)];
        assert_eq!(
            next_attempt(&rules(3, 30), &history, at(29)),
            Err(AssessError::CoolingDown { until: at(30) })
        );
        assert_eq!(next_attempt(&rules(3, 30), &history, at(30)), Ok(2));
    }

    #[test]
    fn no_cooldown_after_a_pass() {
        let history = [PastAttempt {
            number: 1,
            ended_at: at(0),
            passed: true,
        }];
        assert_eq!(next_attempt(&rules(3, 30), &history, at(1)), Ok(2));
    }

    #[test]
    fn attempts_run_out_unless_unlimited() {
        let history = [failed(1, 0), failed(2, 60)];
        assert_eq!(
            next_attempt(&rules(2, 30), &history, at(500)),
            Err(AssessError::NoAttemptsLeft { allowed: 2 })
        );
        assert_eq!(next_attempt(&rules(0, 30), &history, at(500)), Ok(3));
    }

    #[test]
    fn a_clock_that_went_backwards_does_not_lock_the_learner_out() {
        let history = [failed(1, 0)];
        assert_eq!(
            next_attempt(&rules(3, 30), &history, at(-60 * 24 * 365)),
            Ok(2)
        );
    }
}
