//! Presentations on the phone, both sides of a meeting. The worker chooses credentials and
//! the phone signs a presentation over the client's challenge, carrying the signed status
//! lists it holds for them ([`PresentationFile`]). The client's phone gives the challenge,
//! then checks the presentation offline: each credential, that every one is the presenter's,
//! the presenter's signature, that the challenge is one it gave and not answered before, and
//! revocation from the signed lists carried or kept here, each with its date.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Device;
use crate::credential::presentation::summary::{read_summary, PresentationSummary};
use crate::credential::status::{check_status_with, revocation_entry};
use crate::credential::{
    verify_presentation, Contexts, CredentialError, PresentationRequest, CLOCK_TOLERANCE,
    MAX_PRESENTED,
};
use crate::store::StoreError;
use crate::Result;

/// Largest presentation file read: eight credentials with their issuers' endorsements and
/// status lists (a list is about 200 bytes gzipped, 4 KB with its proof).
pub const MAX_PRESENTATION_FILE: usize = 512 * 1024;

/// A presentation as a worker hands it over (a file, a share): the signed Verifiable
/// Presentation, and the issuers' signed status lists the worker's phone holds for the
/// credentials in it. The lists are signed by the issuers, so who carries them does not
/// matter; each says as of when it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PresentationFile {
    /// The Verifiable Presentation the worker signed.
    pub presentation: Value,
    /// Status lists for its credentials, as the issuers signed them.
    #[serde(default)]
    pub status_lists: Vec<Value>,
}

/// What checking a presentation found: valid, or the one check that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct PresentationCheck {
    /// True when every check passed.
    pub valid: bool,
    /// The check that failed, in words, when one did.
    pub problem: Option<String>,
    /// The presenter's `did:key` (every credential is about it), when the signature checked.
    pub holder: String,
    /// Whether it answers a challenge this phone gave, unanswered before: a presentation
    /// without one may be a copy of an earlier meeting's.
    pub answers_challenge: bool,
    /// When the presenter signed it, by their phone's clock (RFC 3339), if said.
    pub signed_at: Option<String>,
    /// Each credential, in the presenter's order.
    pub credentials: Vec<PresentedCredential>,
}

/// One credential of a presentation that checked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct PresentedCredential {
    /// The credential's id.
    pub id: String,
    /// What it is for.
    pub achievement: String,
    /// The issuer's id (a `did:key`, a `did:web`, an address).
    pub issuer: String,
    /// The issuer's name, as the credential gives it.
    pub issuer_name: String,
    /// Whether this phone trusts the issuer (any key may give itself any name).
    pub trusted_issuer: bool,
    /// What the issuer's signed list says of it.
    pub revocation: ListedRevocation,
}

/// What an issuer's signed status list says of a presented credential, as of its date.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
pub enum ListedRevocation {
    /// The list, signed at `list_date`, does not revoke it; `current` when the list still
    /// holds now (an older list says nothing of what came after it).
    NotRevoked {
        /// The list's validFrom (RFC 3339).
        list_date: String,
        /// Whether the list is within its validity now.
        current: bool,
    },
    /// The list, signed at `list_date`, revokes it.
    Revoked {
        /// The list's validFrom (RFC 3339).
        list_date: String,
    },
    /// No usable list: why.
    NotChecked {
        /// Why, for the screen.
        why: String,
    },
}

/// What a scanned presentation summary says, checked: the holder signed it, over a challenge
/// this phone gave that is still open; or the one check that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct SummaryCheck {
    /// True when the signature and the challenge checked out.
    pub valid: bool,
    /// The check that failed, in words, when one did.
    pub problem: Option<String>,
    /// The holder's `did:key`.
    pub holder: String,
    /// The ids of the credentials announced, in order.
    pub credentials: Vec<String>,
}

impl SummaryCheck {
    fn failed(problem: String) -> Self {
        Self {
            valid: false,
            problem: Some(problem),
            holder: String::new(),
            credentials: Vec::new(),
        }
    }
}

impl PresentationCheck {
    fn failed(problem: String) -> Self {
        Self {
            valid: false,
            problem: Some(problem),
            holder: String::new(),
            answers_challenge: false,
            signed_at: None,
            credentials: Vec::new(),
        }
    }
}

impl Device {
    /// A new challenge to ask a worker for a presentation with (shown as text or a QR code):
    /// answered once, within the hour.
    pub fn presentation_challenge(&self, domain: Option<&str>) -> Result<String> {
        Ok(self.store.give_challenge(domain, Utc::now())?)
    }

    /// The learner's presentation of the kept credentials `ids`, signed now over the
    /// client's `challenge` and `domain` when given, as a [`PresentationFile`] in JSON.
    pub fn present(
        &self,
        ids: &[String],
        challenge: Option<&str>,
        domain: Option<&str>,
    ) -> Result<String> {
        let request = PresentationRequest { challenge, domain };
        let presentation = self.store.present(ids, request, Utc::now())?;
        let mut status_lists: Vec<Value> = Vec::new();
        for id in ids {
            let credential = self.store.credential(id)?;
            if let Ok(Some((url, _))) = revocation_entry(&credential) {
                if let Some(list) = self.store.status_list(&url)? {
                    if !status_lists.contains(&list) {
                        status_lists.push(list);
                    }
                }
            }
        }
        let file = PresentationFile {
            presentation,
            status_lists,
        };
        serde_json::to_string_pretty(&file)
            .map_err(|e| CredentialError::Malformed(e.to_string()).into())
    }

    /// Checks a presentation a worker handed over (a [`PresentationFile`], or a bare
    /// presentation), now and offline, trusting the issuers this phone trusts. With
    /// `require_challenge`, it must answer a challenge this phone gave, fresh and unanswered
    /// (the challenge is then used up); without, one it carries is still checked that way.
    /// A presentation that fails a check is a result naming it, not an error.
    pub fn verify_presentation(
        &self,
        text: &str,
        require_challenge: bool,
    ) -> Result<PresentationCheck> {
        self.check_presentation(text, None, require_challenge)
    }

    /// The QR text of a summary of the learner's presentation of the kept credentials `ids`
    /// over the client's `challenge` (and `domain`): what the client's phone scans while the
    /// full presentation ([`Device::present`], over the same challenge) follows by file or
    /// nearby transfer.
    pub fn presentation_summary(
        &self,
        ids: &[String],
        challenge: &str,
        domain: Option<&str>,
    ) -> Result<String> {
        Ok(self.store.summarise(ids, challenge, domain, Utc::now())?)
    }

    /// What a scanned summary says, checked at once: the holder's signature, and whether it
    /// answers a challenge this phone gave that is still open (not used up by this).
    pub fn check_presentation_summary(&self, text: &str) -> Result<SummaryCheck> {
        let summary = match read_summary(text) {
            Ok(summary) => summary,
            Err(e) => return Ok(SummaryCheck::failed(e.to_string())),
        };
        let problem = match self.store.open_challenge(&summary.challenge, Utc::now()) {
            Ok(asked) if asked.is_some() && asked != summary.domain => Some(format!(
                "the summary is for the domain {:?}, not {:?}",
                summary.domain.unwrap_or_default(),
                asked.unwrap_or_default()
            )),
            Ok(_) => None,
            Err(
                e @ (StoreError::ChallengeNotGiven
                | StoreError::ChallengeUsed(_)
                | StoreError::ChallengeExpired(_)),
            ) => Some(e.to_string()),
            Err(e) => return Err(e.into()),
        };
        Ok(SummaryCheck {
            valid: problem.is_none(),
            problem,
            holder: summary.holder.to_did_key(),
            credentials: summary.credentials.into_iter().map(|(id, _)| id).collect(),
        })
    }

    /// Checks the full presentation that follows a scanned summary: as
    /// [`Device::verify_presentation`] does with a challenge required, and that it is the one
    /// the summary announced (holder, challenge, each credential by id and digest).
    pub fn verify_presentation_with_summary(
        &self,
        summary: &str,
        text: &str,
    ) -> Result<PresentationCheck> {
        let summary = match read_summary(summary) {
            Ok(summary) => summary,
            Err(e) => return Ok(PresentationCheck::failed(e.to_string())),
        };
        self.check_presentation(text, Some(&summary), true)
    }

    /// [`Device::verify_presentation`], matched against `summary` when given.
    fn check_presentation(
        &self,
        text: &str,
        summary: Option<&PresentationSummary>,
        require_challenge: bool,
    ) -> Result<PresentationCheck> {
        let file = match read_file(text) {
            Ok(file) => file,
            Err(why) => return Ok(PresentationCheck::failed(why)),
        };
        let now = Utc::now();
        let trusted = self.store.trusted_issuers()?;
        let documents = self.store.issuer_documents()?;
        let verified = match verify_presentation(
            &file.presentation,
            PresentationRequest::default(),
            &trusted,
            now,
            CLOCK_TOLERANCE,
            Contexts::bundled(),
            &documents,
        ) {
            Ok(verified) => verified,
            Err(e) => return Ok(PresentationCheck::failed(e.to_string())),
        };
        if let Some(summary) = summary {
            if let Err(e) = summary.matches(&file.presentation) {
                return Ok(PresentationCheck::failed(e.to_string()));
            }
        }
        let answers_challenge = match verified.challenge.as_deref() {
            // The domain is compared before the challenge is used up: a presentation for
            // another verifier leaves the worker's real answer its chance.
            Some(challenge) => match self.store.open_challenge(challenge, now).and_then(|asked| {
                if asked.is_some() && asked != verified.domain {
                    return Ok(Err(format!(
                        "the presentation is for the domain {:?}, not {:?}",
                        verified.domain.clone().unwrap_or_default(),
                        asked.unwrap_or_default()
                    )));
                }
                self.store.use_challenge(challenge, now).map(Ok)
            }) {
                Ok(Ok(_)) => true,
                Ok(Err(why)) => return Ok(PresentationCheck::failed(why)),
                Err(
                    e @ (StoreError::ChallengeNotGiven
                    | StoreError::ChallengeUsed(_)
                    | StoreError::ChallengeExpired(_)),
                ) => return Ok(PresentationCheck::failed(e.to_string())),
                Err(e) => return Err(e.into()),
            },
            None if require_challenge => {
                return Ok(PresentationCheck::failed(
                    "the presentation answers no challenge: ask for one with a challenge from \
                     this phone"
                        .into(),
                ))
            }
            None => false,
        };
        let mut credentials = Vec::with_capacity(verified.credentials.len());
        for ((id, checked), credential) in verified.credentials.into_iter().zip(&verified.carried) {
            let revocation = self.listed_revocation(
                credential,
                &checked.issuer,
                &file.status_lists,
                &documents,
                now,
            )?;
            credentials.push(PresentedCredential {
                id,
                achievement: checked.achievement,
                issuer: checked.issuer,
                issuer_name: checked.issuer_name,
                trusted_issuer: checked.trusted_issuer,
                revocation,
            });
        }
        // A revoked credential makes the presentation not valid, as a revoked credential is
        // not: the credentials are still listed, the revoked one said so.
        let revoked = credentials.iter().find_map(|c| match &c.revocation {
            ListedRevocation::Revoked { list_date } => Some(format!(
                "the credential {} is revoked: its issuer's list of {list_date} says so",
                c.id
            )),
            _ => None,
        });
        Ok(PresentationCheck {
            valid: revoked.is_none(),
            problem: revoked,
            holder: verified.holder,
            answers_challenge,
            signed_at: verified.created.map(|t| crate::credential::timestamp(&t)),
            credentials,
        })
    }

    /// What the newest usable list, carried or kept on this phone, says of `credential`.
    fn listed_revocation(
        &self,
        credential: &Value,
        issuer: &str,
        carried: &[Value],
        documents: &[crate::credential::ControllerDocument],
        now: DateTime<Utc>,
    ) -> Result<ListedRevocation> {
        let url = match revocation_entry(credential) {
            Ok(Some((url, _))) => url,
            Ok(None) => {
                return Ok(ListedRevocation::NotChecked {
                    why: "it names no revocation list".into(),
                })
            }
            Err(e) => return Ok(ListedRevocation::NotChecked { why: e.to_string() }),
        };
        let mut lists: Vec<Value> = carried
            .iter()
            .filter(|l| l.get("id").and_then(Value::as_str) == Some(url.as_str()))
            .cloned()
            .collect();
        lists.extend(self.store.status_list(&url)?);
        let mut best: Option<(DateTime<Utc>, ListedRevocation)> = None;
        let mut why = format!("no list from {url} was carried or is kept here");
        for list in &lists {
            let Some(date) = list_valid_from(list) else {
                why = "the list has no validFrom".into();
                continue;
            };
            if best.as_ref().is_some_and(|(newest, _)| *newest >= date) {
                continue;
            }
            // Checked as of its own date: an older list is still the issuer's word, then.
            let reading = check_status_with(
                credential,
                issuer,
                list,
                date,
                Contexts::bundled(),
                documents,
            );
            let list_date = crate::credential::timestamp(&date);
            let outcome = match reading {
                Ok(_) => ListedRevocation::NotRevoked {
                    current: list_valid_until(list).is_some_and(|until| now < until),
                    list_date,
                },
                Err(CredentialError::Revoked) => ListedRevocation::Revoked { list_date },
                Err(e) => {
                    why = e.to_string();
                    continue;
                }
            };
            best = Some((date, outcome));
        }
        Ok(best.map_or(ListedRevocation::NotChecked { why }, |(_, outcome)| outcome))
    }
}

/// The file, bounded, as a [`PresentationFile`] or a bare presentation; why not, in words.
fn read_file(text: &str) -> std::result::Result<PresentationFile, String> {
    if text.len() > MAX_PRESENTATION_FILE {
        return Err(format!(
            "the presentation is {} bytes; at most {MAX_PRESENTATION_FILE} are read",
            text.len()
        ));
    }
    let value = crate::credential::json::parse(text.as_bytes()).map_err(|e| e.to_string())?;
    let file = if value.get("presentation").is_some() {
        serde_json::from_value::<PresentationFile>(value)
            .map_err(|e| format!("not a presentation file: {e}"))?
    } else {
        PresentationFile {
            presentation: value,
            status_lists: Vec::new(),
        }
    };
    if file.status_lists.len() > MAX_PRESENTED {
        return Err(format!(
            "{} status lists carried; at most {MAX_PRESENTED} are read",
            file.status_lists.len()
        ));
    }
    Ok(file)
}

fn list_date(list: &Value, name: &str) -> Option<DateTime<Utc>> {
    list.get(name)
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

fn list_valid_from(list: &Value) -> Option<DateTime<Utc>> {
    list_date(list, "validFrom")
}

fn list_valid_until(list: &Value) -> Option<DateTime<Utc>> {
    list_date(list, "validUntil")
}
