//! Option weights, for choice questions scored as Moodle scores them: each option a learner
//! chooses earns a percentage of the question's points (a negative one takes points away),
//! and the question earns their sum, held between nothing and all of its points.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A percentage of a question's points, from -100 to 100, kept exactly in hundred-thousandths
/// of a percent: Moodle keeps weights to seven decimals of a fraction, which is five of a
/// percent, so `33.33333` survives the trip.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Weight(i32);

/// Weight units in one percent.
const PER_PERCENT: i32 = 100_000;

/// How far the positive weights of a question may fall from 100 % and still count as all of
/// it: each weight written to five decimals is off by at most half a unit, and a question has
/// at most 20 options (three options of `33.33333` add up to `99.99999`).
const ROUNDING_SLACK: i64 = 20;

impl Weight {
    /// All of the question's points.
    pub const FULL: Self = Self(100 * PER_PERCENT);

    /// A weight from a percentage; `None` when it is not a number from -100 to 100.
    pub fn from_percent(percent: f64) -> Option<Self> {
        let units = (percent * f64::from(PER_PERCENT)).round();
        (units.is_finite() && units.abs() <= f64::from(Self::FULL.0)).then_some(Self(units as i32))
    }

    /// The weight as a percentage.
    pub fn percent(self) -> f64 {
        f64::from(self.0) / f64::from(PER_PERCENT)
    }

    /// True for a weight that earns something.
    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// True for a weight that takes points away.
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// True for a weight of all the points (within the rounding of five decimals).
    pub fn is_full(self) -> bool {
        (i64::from(self.0) - i64::from(Self::FULL.0)).abs() <= ROUNDING_SLACK
    }
}

/// The total of some weights, kept wide so that no number of options can overflow it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct WeightSum(i64);

impl WeightSum {
    /// Adds up weights.
    pub(crate) fn of(weights: impl IntoIterator<Item = Weight>) -> Self {
        Self(weights.into_iter().map(|w| i64::from(w.0)).sum())
    }

    /// True when the total is 100 %, within the rounding of five decimals.
    pub(crate) fn is_full(self) -> bool {
        (self.0 - i64::from(Weight::FULL.0)).abs() <= ROUNDING_SLACK
    }

    /// The total as a percentage, for messages.
    pub(crate) fn percent(self) -> f64 {
        self.0 as f64 / f64::from(PER_PERCENT)
    }

    /// The part of `max` the total earns: the total held between 0 and 100 %, then rounded
    /// to the nearest unit of `max` (so `3 × 33.33333 %` earns all of it, as in Moodle).
    pub(crate) fn share_of(self, max: u32) -> u32 {
        let full = i64::from(Weight::FULL.0);
        let share = self.0.clamp(0, full);
        let earned = (i64::from(max) * share + full / 2) / full;
        u32::try_from(earned).unwrap_or(max).min(max)
    }
}

impl Serialize for Weight {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0 % PER_PERCENT == 0 {
            serializer.serialize_i32(self.0 / PER_PERCENT)
        } else {
            serializer.serialize_f64(self.percent())
        }
    }
}

impl<'de> Deserialize<'de> for Weight {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let percent = f64::deserialize(deserializer)?;
        Self::from_percent(percent).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "the weight {percent} is not a percentage from -100 to 100"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(percent: f64) -> Weight {
        Weight::from_percent(percent).expect("a weight")
    }

    #[test]
    fn weights_are_percentages_kept_to_five_decimals() {
        assert_eq!(w(33.33333).percent(), 33.33333);
        assert_eq!(w(-100.0).percent(), -100.0);
        assert!(w(100.0).is_full());
        for bad in [100.5, -101.0, f64::NAN, f64::INFINITY] {
            assert_eq!(Weight::from_percent(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_sum_earns_its_share_held_between_nothing_and_all() {
        let thirds = WeightSum::of([w(33.33333); 3]);
        assert!(thirds.is_full());
        assert_eq!(thirds.share_of(1000), 1000);
        assert_eq!(thirds.share_of(100_000), 100_000);
        assert_eq!(WeightSum::of([w(50.0), w(-100.0)]).share_of(1000), 0);
        assert_eq!(WeightSum::of([w(100.0), w(100.0)]).share_of(1000), 1000);
        assert_eq!(WeightSum::of([w(50.0), w(-25.0)]).share_of(2000), 500);
        assert_eq!(WeightSum::of([]).share_of(1000), 0);
    }

    #[test]
    fn serialized_as_the_percentage_written() {
        let json = serde_json::to_string(&[w(50.0), w(-33.33333)]).expect("json");
        assert_eq!(json, "[50,-33.33333]");
        let back: Vec<Weight> = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, vec![w(50.0), w(-33.33333)]);
        let err = serde_json::from_str::<Weight>("150").expect_err("too much");
        assert!(err.to_string().contains("-100 to 100"), "{err}");
    }
}
