//! The answer a trainer carries back to a place with no connection: after the hub imports a
//! learner's relay bundle, it writes what a sync would have brought that learner's phone (their
//! credentials, the endorsements of the keys that signed them, their grants of attempts, the
//! issuers' signed revocation lists with the hub's reasons, and their records from other
//! devices). The file itself is not signed, on purpose: every part of it is signed by the key
//! the phone already checks it by (an issuer, a publisher, a device bound by the learner), and
//! the phone checks each part as it would at a sync, so a carrier can drop parts but forge
//! none. It is read from a file, so it is bounded before it is parsed.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::wire::{HistoryRecord, IssuedCredential, NumberedGrant, RevocationNotice};
use crate::credential::IssuerEndorsement;

/// The format this version writes and reads.
pub const ANSWER_FORMAT: &str = "skillpack-relay-answer-v1";
/// Largest answer file read.
pub const MAX_ANSWER_BYTES: usize = 32 << 20;
/// Most credentials one answer carries.
pub const MAX_ANSWER_CREDENTIALS: usize = 500;
/// Most revocation lists one answer carries.
pub const MAX_ANSWER_LISTS: usize = 16;
/// Most records of other devices one answer carries.
pub const MAX_ANSWER_HISTORY: usize = 5_000;

/// What a sync would have brought one learner's phone, carried as a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayAnswer {
    /// Always [`ANSWER_FORMAT`].
    pub format: String,
    /// The learner's `did:key`: a phone of another learner takes nothing of it.
    pub learner: String,
    /// When the hub wrote it (RFC 3339).
    pub written_at: String,
    /// The learner's credentials, numbered, oldest first.
    pub credentials: Vec<IssuedCredential>,
    /// Own-format endorsements of the keys that signed them (older issuers).
    pub endorsements: Vec<IssuerEndorsement>,
    /// The learner's grants of attempts, numbered, oldest first.
    pub grants: Vec<NumberedGrant>,
    /// The signed revocation lists of the issuers of those credentials.
    pub status_lists: Vec<CarriedList>,
    /// The hub's reasons for the learner's revoked credentials: words to show only.
    pub reasons: Vec<RevocationNotice>,
    /// The learner's records from their devices other than the one whose bundle came in.
    pub history: Vec<HistoryRecord>,
}

/// One issuer's signed revocation list, as read from its address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarriedList {
    /// The list's address, as the credentials name it.
    pub url: String,
    /// The status list credential, as served.
    pub list: Value,
}

/// Why a file is not an answer a phone can take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    /// Larger than any answer.
    #[error("the answer file is {0} bytes, above the limit of {MAX_ANSWER_BYTES}")]
    TooLarge(usize),
    /// Not an answer of this format.
    #[error("not a Skillpack relay answer: {0}")]
    Malformed(String),
    /// More of something than an answer carries.
    #[error("the answer carries more {0} than an answer may")]
    TooMany(&'static str),
}

impl RelayAnswer {
    /// Reads an answer file, bounded before it is parsed.
    pub fn parse(bytes: &[u8]) -> Result<Self, AnswerError> {
        if bytes.len() > MAX_ANSWER_BYTES {
            return Err(AnswerError::TooLarge(bytes.len()));
        }
        let answer: Self =
            serde_json::from_slice(bytes).map_err(|e| AnswerError::Malformed(e.to_string()))?;
        if answer.format != ANSWER_FORMAT {
            return Err(AnswerError::Malformed(format!(
                "unknown format {:?}",
                answer.format.chars().take(40).collect::<String>()
            )));
        }
        for (count, limit, what) in [
            (
                answer.credentials.len(),
                MAX_ANSWER_CREDENTIALS,
                "credentials",
            ),
            (answer.status_lists.len(), MAX_ANSWER_LISTS, "lists"),
            (answer.history.len(), MAX_ANSWER_HISTORY, "records"),
            (answer.grants.len(), MAX_ANSWER_CREDENTIALS, "grants"),
            (answer.reasons.len(), MAX_ANSWER_CREDENTIALS, "reasons"),
            (answer.endorsements.len(), MAX_ANSWER_LISTS, "endorsements"),
        ] {
            if count > limit {
                return Err(AnswerError::TooMany(what));
            }
        }
        Ok(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> RelayAnswer {
        RelayAnswer {
            format: ANSWER_FORMAT.into(),
            learner: "did:key:z6MkLearner".into(),
            written_at: "2026-12-07T10:00:00Z".into(),
            credentials: Vec::new(),
            endorsements: Vec::new(),
            grants: Vec::new(),
            status_lists: Vec::new(),
            reasons: Vec::new(),
            history: Vec::new(),
        }
    }

    #[test]
    fn an_answer_is_bounded_and_of_its_format_before_anything_is_taken() {
        let bytes = serde_json::to_vec(&empty()).expect("json");
        assert_eq!(RelayAnswer::parse(&bytes).expect("reads"), empty());
        assert!(matches!(
            RelayAnswer::parse(&vec![b' '; MAX_ANSWER_BYTES + 1]),
            Err(AnswerError::TooLarge(_))
        ));
        let other = RelayAnswer {
            format: "skillpack-relay-answer-v9".into(),
            ..empty()
        };
        assert!(matches!(
            RelayAnswer::parse(&serde_json::to_vec(&other).expect("json")),
            Err(AnswerError::Malformed(_))
        ));
        let lists = RelayAnswer {
            status_lists: vec![
                CarriedList {
                    url: "https://hub.example/v1/status/1".into(),
                    list: Value::Null,
                };
                MAX_ANSWER_LISTS + 1
            ],
            ..empty()
        };
        assert!(matches!(
            RelayAnswer::parse(&serde_json::to_vec(&lists).expect("json")),
            Err(AnswerError::TooMany("lists"))
        ));
        let mut extra = serde_json::to_value(empty()).expect("json");
        extra["smuggled"] = Value::Bool(true);
        assert!(matches!(
            RelayAnswer::parse(&serde_json::to_vec(&extra).expect("json")),
            Err(AnswerError::Malformed(_))
        ));
    }
}
