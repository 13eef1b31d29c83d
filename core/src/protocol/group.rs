//! Group names: the one rule for every place a group name enters (the operator's enrolment
//! codes, publishing, the catalog, the operator's queries, the device's registration), so a
//! name means one group everywhere and can never change the query it travels in.

use std::fmt;

use thiserror::Error;

/// Longest group name, in bytes (all ASCII).
pub const MAX_GROUP_LEN: usize = 64;

/// A group of learners, as the hub and devices name it: 1 to 64 ASCII letters, digits, `-`
/// or `_`. Letters keep their case (`Riders` and `riders` are two groups).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupName(String);

/// Why a text is not a group name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GroupNameError {
    /// The name is empty.
    #[error("a group name cannot be empty; it is 1-64 letters, digits, - or _")]
    Empty,
    /// The name is longer than [`MAX_GROUP_LEN`] bytes.
    #[error("a group name is at most {MAX_GROUP_LEN} characters; this one has {0} bytes")]
    TooLong(usize),
    /// The name holds a character other than an ASCII letter, digit, `-` or `_`.
    #[error("a group name is letters, digits, - or _; {0:?} is none of these")]
    Character(char),
}

impl GroupName {
    /// The group of hubs and devices that name none.
    pub const DEFAULT: &'static str = "default";

    /// Checks `name` against the rule.
    pub fn parse(name: &str) -> Result<Self, GroupNameError> {
        if name.is_empty() {
            return Err(GroupNameError::Empty);
        }
        if name.len() > MAX_GROUP_LEN {
            return Err(GroupNameError::TooLong(name.len()));
        }
        if let Some(c) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(GroupNameError::Character(c));
        }
        Ok(Self(name.to_owned()))
    }

    /// The group named [`GroupName::DEFAULT`].
    pub fn default_group() -> Self {
        Self(Self::DEFAULT.to_owned())
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name, owned.
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for GroupName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for GroupName {
    type Err = GroupNameError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::parse(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_for_every_group_name() {
        for good in ["riders", "Riders-2", "a_b", "default", &"g".repeat(64)] {
            assert_eq!(
                GroupName::parse(good).map(|g| g.into_inner()),
                Ok(good.into())
            );
        }
        assert_eq!(GroupName::parse(""), Err(GroupNameError::Empty));
        assert_eq!(
            GroupName::parse(&"g".repeat(300)),
            Err(GroupNameError::TooLong(300))
        );
        for (bad, c) in [
            ("a&b", '&'),
            ("a b", ' '),
            ("a=b", '='),
            ("a%26b", '%'),
            ("grupo-niño", 'ñ'),
            ("a\nb", '\n'),
            ("a/b", '/'),
        ] {
            assert_eq!(GroupName::parse(bad), Err(GroupNameError::Character(c)));
        }
    }
}
