//! Checking the kept credentials' revocation at sync, as a learner on a bad connection needs
//! it: each issuer's signed status list is read once (one GET per address, at most
//! [`MAX_LISTS`], each within [`STATUS_TIMEOUT`] and the sync's deadline), every credential
//! that names it is checked against it by the core's one check, and the store records what
//! it said under its rules (`store::revocation`: revoked stays revoked, a replayed older list
//! is refused, a list that cannot be read leaves the last known state and says why). When a
//! credential is newly revoked, the hub is asked once for its reasons: words to show, never
//! what decides.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use reqwest::header::ACCEPT;
use serde_json::Value;

use super::http::{Body, Within};
use super::STATUS_TIMEOUT;
use super::{Deadline, HubClient, RevokedCredential, SyncError, SyncReport, UnreadList};
use crate::credential::status::{
    check_list_with, is_readable_status_url, revocation_entry, CheckedList,
    MAX_STATUS_LIST_CREDENTIAL_BYTES,
};
use crate::credential::{Contexts, CredentialError};
use crate::protocol::{
    endpoint, RevocationsRequest, RevocationsResponse, MAX_REVOCATIONS_PER_ANSWER,
};
use crate::store::{
    ListReading, ListRecorded, RevocationState, RevocationTarget, Store, StoreError,
};

/// Most status lists read in one sync (a learner's credentials come from a few issuers);
/// the credentials of any further list are checked at a later sync.
pub(super) const MAX_LISTS: usize = 16;

impl HubClient {
    /// Checks every kept credential against its issuer's status list and records what each
    /// said; then, if a credential is newly revoked, takes the hub's reasons. A list that
    /// cannot be read is reported and never stops the sync; only a cancel, the sync's
    /// deadline or the store stop it.
    pub(super) fn check_revocations(
        &self,
        store: &Store,
        report: &mut SyncReport,
        within: Within<'_>,
    ) -> Result<(), SyncError> {
        let mut lists: BTreeMap<String, Vec<RevocationTarget>> = BTreeMap::new();
        for target in store.revocation_targets()? {
            match revocation_entry(&target.credential) {
                Ok(Some((url, _))) => lists.entry(url).or_default().push(target),
                Ok(None) => store.record_revocation_unchecked(
                    &[target.id],
                    "the credential names no revocation list",
                )?,
                Err(e) => store.record_revocation_unchecked(&[target.id], &e.to_string())?,
            }
        }
        // The lists checked longest ago (never, first) are read first, so a learner with
        // more issuers than one sync reads has every list read in turn.
        let mut lists: Vec<(String, Vec<RevocationTarget>)> = lists.into_iter().collect();
        lists.sort_by_cached_key(|(_, held)| held.iter().map(|t| t.checked_at.clone()).min());
        let mut newly_revoked = Vec::new();
        let mut out_of_time = false;
        for (n, (url, held)) in lists.into_iter().enumerate() {
            if within.progress.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            let ids: Vec<String> = held.iter().map(|t| t.id.clone()).collect();
            let read = if n >= MAX_LISTS {
                ListRead::Unread("more lists than one sync reads: the next sync reads it".into())
            } else if within.deadline.passed() {
                out_of_time = true;
                ListRead::Unread(SyncError::OutOfTime.to_string())
            } else {
                self.read_list(store, &url, &held, within.deadline)?
            };
            let reason = match read {
                ListRead::Recorded(ListRecorded::Taken { newly_revoked: ids }) => {
                    newly_revoked.extend(ids);
                    continue;
                }
                // The store noted the refusal beside each credential.
                ListRead::Recorded(ListRecorded::Older { why }) => why,
                ListRead::Unread(why) => {
                    store.record_revocation_unchecked(&ids, &why)?;
                    why
                }
            };
            report.lists_unread.push(UnreadList {
                url: url.chars().take(200).collect(),
                credentials: u32::try_from(ids.len()).unwrap_or(u32::MAX),
                reason,
            });
        }
        if store.revocation_reasons_wanted()? {
            self.take_reasons(store, within)?;
        }
        report_revoked(store, &newly_revoked, report)?;
        if out_of_time {
            return Err(SyncError::OutOfTime);
        }
        Ok(())
    }

    /// Reads the status list at `url` and records what it says of `held`, the credentials
    /// that name it, unless no usable list came.
    fn read_list(
        &self,
        store: &Store,
        url: &str,
        held: &[RevocationTarget],
        deadline: Deadline,
    ) -> Result<ListRead, StoreError> {
        let deadline = deadline.min(Deadline::after(STATUS_TIMEOUT));
        let list = match self.status_list(url, deadline) {
            Ok(list) => list,
            Err(why) => return Ok(ListRead::Unread(why)),
        };
        record_list(store, url, &list, held)
    }

    /// The status list credential at `url` (https, or http on this machine's loopback), at
    /// most [`MAX_STATUS_LIST_CREDENTIAL_BYTES`], by `deadline`; its bytes count against the
    /// learner's data budget as every other answer's. The error says why, for the learner.
    fn status_list(&self, url: &str, deadline: Deadline) -> Result<Value, String> {
        if !is_readable_status_url(url) {
            return Err("the revocation list's address is not https".into());
        }
        let request = self
            .http
            .get(url)
            .header(ACCEPT, "application/vc+ld+json, application/json")
            .timeout(deadline.left());
        let body = self
            .send(request)
            .and_then(|response| {
                self.read_bounded(response, MAX_STATUS_LIST_CREDENTIAL_BYTES, deadline)
            })
            .map_err(|e| match e {
                SyncError::Offline(why) => format!("the revocation list cannot be reached: {why}"),
                SyncError::Refused { status, .. } => {
                    format!("the revocation list's server answered {status}")
                }
                other => format!("the revocation list is not understood: {other}"),
            })?;
        serde_json::from_slice(&body)
            .map_err(|e| format!("the revocation list is not understood: {e}"))
    }

    /// Asks the hub for its reasons for the learner's revoked credentials and keeps those of
    /// credentials the lists revoked. A hub that cannot say (an older hub without the
    /// endpoint, a malformed answer) is not asked again for these; a network that fails
    /// leaves them for the next sync. The revocations themselves are recorded already.
    fn take_reasons(&self, store: &Store, within: Within<'_>) -> Result<(), SyncError> {
        let body = serde_json::to_vec(&RevocationsRequest {})
            .map_err(|e| SyncError::BadAnswer(e.to_string()))?;
        let answer: Result<RevocationsResponse, SyncError> =
            self.post_signed(store, endpoint::REVOCATIONS, Body::Json(body), within);
        let reasons: Vec<(String, String)> = match answer {
            Ok(answer) => answer
                .revocations
                .into_iter()
                .take(MAX_REVOCATIONS_PER_ANSWER)
                .map(|r| (r.id, r.reason))
                .collect(),
            Err(SyncError::Refused { .. } | SyncError::BadAnswer(_)) => Vec::new(),
            Err(SyncError::Cancelled) => return Err(SyncError::Cancelled),
            Err(SyncError::Store(e)) => return Err(e.into()),
            Err(_) => return Ok(()),
        };
        Ok(store.set_revocation_reasons(&reasons)?)
    }
}

/// Records what `list`, the status list read from `url` (at a sync, or carried in a relay
/// answer), says of `held`, the credentials that name it; a list no credential could use is
/// as good as none, and said so.
pub(super) fn record_list(
    store: &Store,
    url: &str,
    list: &Value,
    held: &[RevocationTarget],
) -> Result<ListRead, StoreError> {
    let valid_from = match list_valid_from(list) {
        Ok(valid_from) => valid_from,
        Err(why) => return Ok(ListRead::Unread(why)),
    };
    let now = Utc::now();
    let documents = store.issuer_documents()?;
    // The list is checked once for each issuer whose credentials name it (its proof is the
    // costly part), then each credential's bit is read.
    let mut checked: HashMap<&str, Result<CheckedList, String>> = HashMap::new();
    let readings: Vec<(String, ListReading)> = held
        .iter()
        .map(|t| {
            let list = checked.entry(t.issuer.as_str()).or_insert_with(|| {
                check_list_with(list, url, &t.issuer, now, Contexts::bundled(), &documents)
                    .map_err(|e| e.to_string())
            });
            let reading = reading_of(&t.credential, url, list);
            (t.id.clone(), reading)
        })
        .collect();
    // A list no credential could use (another's signature, expired, …) is as good as
    // none, and said so.
    let usable = readings
        .iter()
        .any(|(_, r)| !matches!(r, ListReading::Unusable(_)));
    if let (false, Some((_, ListReading::Unusable(why)))) = (usable, readings.first()) {
        return Ok(ListRead::Unread(why.clone()));
    }
    let recorded = store.record_status_list(url, valid_from, &readings, now)?;
    if matches!(recorded, ListRecorded::Taken { .. }) {
        store.keep_status_list(url, list)?;
    }
    Ok(ListRead::Recorded(recorded))
}

/// What `list`, read from `url` and checked once for the credential's issuer, says of
/// `credential`.
fn reading_of(credential: &Value, url: &str, list: &Result<CheckedList, String>) -> ListReading {
    let index = match revocation_entry(credential) {
        Ok(Some((named, index))) if named == url => index,
        Ok(Some(_)) => {
            return ListReading::Unusable("the list is not the one the credential names".into())
        }
        Ok(None) => return ListReading::Unusable("the credential names no revocation list".into()),
        Err(e) => return ListReading::Unusable(e.to_string()),
    };
    match list {
        Err(why) => ListReading::Unusable(why.clone()),
        Ok(list) => match list.revocation_at(index) {
            Ok(_) => ListReading::NotRevoked,
            Err(CredentialError::Revoked) => ListReading::Revoked,
            Err(e) => ListReading::Unusable(e.to_string()),
        },
    }
}

/// Adds the credentials of `newly_revoked` to the report, with the hub's reasons as the store
/// now holds them: shown to the learner once, at the sync (or relay answer) that revoked them.
pub(super) fn report_revoked(
    store: &Store,
    newly_revoked: &[String],
    report: &mut SyncReport,
) -> Result<(), StoreError> {
    if newly_revoked.is_empty() {
        return Ok(());
    }
    report
        .revoked
        .extend(store.credentials()?.into_iter().filter_map(|c| {
            let RevocationState::Revoked { reason, .. } = c.revocation else {
                return None;
            };
            newly_revoked.contains(&c.id).then_some(RevokedCredential {
                id: c.id,
                achievement: c.achievement,
                reason,
            })
        }));
    Ok(())
}

/// What reading one list came to.
pub(super) enum ListRead {
    /// A list came, and the store took it or refused it.
    Recorded(ListRecorded),
    /// No usable list came (unreachable, not https, too large, undated): why.
    Unread(String),
}

/// When a list says it was signed (`validFrom`): a list that does not say cannot be told from
/// a replay of an older one, so it is not used.
fn list_valid_from(list: &Value) -> Result<DateTime<Utc>, String> {
    list.get("validFrom")
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| "the list does not say when it was signed (no validFrom)".to_owned())
}
