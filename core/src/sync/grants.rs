//! Taking the grants of more attempts that come with the hub's answer to a push. The device
//! tells the hub the number of the newest grant it took; the hub answers with the learner's
//! grants after it (all of them again when the hub's numbers start over, after a restore).
//! Each is checked and kept by the store: one for another learner, or behind a publisher the
//! device does not trust, is reported and not kept.

use chrono::Utc;

use super::{RefusedGrant, SyncError, SyncReport};
use crate::ledger::LedgerError;
use crate::protocol::{NumberedGrant, MAX_GRANTS_PER_ANSWER};
use crate::store::{Store, StoreError};

/// Keeps the grants of a push's answer and remembers the newest number taken.
pub(super) fn take_grants(
    store: &Store,
    grants: Vec<NumberedGrant>,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let mut last = None;
    for numbered in grants.into_iter().take(MAX_GRANTS_PER_ANSWER) {
        if last.is_some_and(|last| numbered.number <= last) {
            report.grants_refused.push(RefusedGrant {
                module_id: "(the hub's answer)".into(),
                reason: "the hub's grants are not in rising order".into(),
            });
            break;
        }
        last = Some(numbered.number);
        match store.add_grant(&numbered.grant, Utc::now()) {
            Ok(Some(held)) => report.grants.push(held),
            Ok(None) => {}
            Err(StoreError::Ledger(e @ LedgerError::BadGrant(_))) => {
                report.grants_refused.push(RefusedGrant {
                    module_id: numbered.grant.terms.module.chars().take(64).collect(),
                    reason: e.to_string(),
                });
            }
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(last) = last {
        store.set_grants_taken(last)?;
    }
    Ok(())
}
