//! The device and its hub, on the learner's terms (feature `client`): registering with an
//! enrolment code, and syncing within the data settings. On metered data a sync counts every
//! byte it moves, even when it fails half way (the carrier bills them all), and packs that do
//! not fit what is left of the month's budget wait for a later sync.

use chrono::Utc;

use super::Device;
use crate::progress::Progress;
use crate::sync::{HubClient, SyncError, SyncReport};
use crate::Result;

impl Device {
    /// Whether a sync may run now, on a metered connection or not: the learner's data
    /// settings against what syncs have used on metered data this month.
    pub fn may_sync(&self, metered: bool) -> Result<bool> {
        let used = self.metered_use_this_month()?;
        Ok(self.store.learner_settings()?.may_sync(metered, used))
    }

    /// Bytes syncs have used on metered data this calendar month (UTC).
    pub fn metered_use_this_month(&self) -> Result<u64> {
        Ok(self.store.metered_use(Utc::now())?)
    }

    /// Joins the group a trainer's enrolment link names (scanned from the code sheet, or
    /// pasted): trusts the publishers it names, then registers with its hub by its code;
    /// returns the group. A link that cannot be used changes nothing.
    pub fn join(&self, link: &str) -> Result<String> {
        let link = crate::protocol::JoinLink::parse(link)?;
        for publisher in &link.publishers {
            self.store
                .trust(publisher, &format!("publisher {}", publisher.fingerprint()))?;
        }
        self.register(&link.hub, &link.code)
    }

    /// Registers this device with the hub at `hub_url` using a trainer's enrolment code;
    /// returns the group it joined.
    pub fn register(&self, hub_url: &str, code: &str) -> Result<String> {
        Ok(HubClient::new(hub_url)?.register(&self.store, code)?)
    }

    /// Sends results waiting to sync, then installs new or updated packs of the learner's
    /// group in the chosen media variant. On a `metered` connection it counts what it moves
    /// and leaves packs that do not fit the month's budget for later; when the settings
    /// allow nothing on this connection now it fails with [`SyncError::DataBudget`] before
    /// moving a byte.
    pub fn sync(&self, metered: bool, progress: &dyn Progress) -> Result<SyncReport> {
        let used = self.metered_use_this_month()?;
        let allowance = self.store.learner_settings()?.allowance(metered, used);
        if allowance == Some(0) {
            return Err(SyncError::DataBudget.into());
        }
        let client = HubClient::registered(&self.store)?;
        let synced = client.sync_with(&self.store, &self.downloads_dir(), progress, allowance);
        if metered {
            self.store
                .add_metered_use(Utc::now(), client.bytes_moved())?;
        }
        Ok(synced?)
    }
}
