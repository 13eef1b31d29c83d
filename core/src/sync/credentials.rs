//! Taking the learner's credentials from the hub at sync. The hub says, in its answer to a
//! push, the number of the newest credential it issued to the learner; when the device took
//! fewer, it asks for those after the newest it holds, a page at a time, until none are left
//! or the sync's deadline passes (checked before each page and each credential: verifying
//! is the CPU work of a sync, a few milliseconds each and bounded by canonicalisation's
//! budget). What a sync cut short did not take, the next one does: the number taken is kept
//! after every credential, and the announcement with the store. Each credential is verified
//! and kept by the store as any other (a hub cannot give a learner a credential that does not
//! verify, nor someone else's); each endorsement is kept only when a publisher the device
//! trusts signed it.

use chrono::Utc;

use super::http::{Body, Within};
use super::{HubClient, RefusedCredential, SyncError, SyncReport};
use crate::protocol::{endpoint, CredentialsRequest, CredentialsResponse};
use crate::store::{Store, StoreError};

impl HubClient {
    /// Takes the credentials the hub announced (`newest`) that the device has not taken.
    pub(super) fn take_credentials(
        &self,
        store: &Store,
        newest: u64,
        report: &mut SyncReport,
        within: Within<'_>,
    ) -> Result<(), SyncError> {
        let mut taken = store.credentials_taken()?;
        if newest == taken {
            return Ok(());
        }
        if newest < taken {
            // The hub was restored or replaced: its numbers start again. What the device
            // already keeps is kept once.
            taken = 0;
        }
        loop {
            if within.progress.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            if within.deadline.passed() {
                return Err(SyncError::OutOfTime);
            }
            let body = serde_json::to_vec(&CredentialsRequest { after: taken })
                .map_err(|e| SyncError::BadAnswer(e.to_string()))?;
            let answer: CredentialsResponse =
                self.post_signed(store, endpoint::CREDENTIALS, Body::Json(body), within)?;
            for endorsement in &answer.endorsements {
                // One that does not check out or comes from a stranger is not kept; the
                // credentials it would vouch for are kept as from an unknown issuer.
                let _ = store.add_endorsement(endorsement);
            }
            let before = taken;
            let mut last = taken;
            for issued in answer.credentials {
                if within.deadline.passed() {
                    return Err(SyncError::OutOfTime);
                }
                if issued.number <= last {
                    return Err(SyncError::BadAnswer(
                        "the hub's credentials are not in rising order".into(),
                    ));
                }
                last = issued.number;
                match store.add_credential(&issued.credential, Utc::now()) {
                    Ok(_) => report.credentials += 1,
                    Err(
                        e @ (StoreError::Credential(_)
                        | StoreError::OtherLearnersCredential
                        | StoreError::CredentialIdTaken(_)),
                    ) => report.credentials_refused.push(RefusedCredential {
                        id: issued
                            .credential
                            .get("id")
                            .and_then(|id| id.as_str())
                            .unwrap_or("(no id)")
                            .chars()
                            .take(100)
                            .collect(),
                        reason: e.to_string(),
                    }),
                    Err(e) => return Err(e.into()),
                }
                store.set_credentials_taken(last)?;
            }
            taken = last;
            if !answer.more || taken == before {
                return Ok(());
            }
        }
    }
}
