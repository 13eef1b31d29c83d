//! The learner's settings (language, media, data budget) and the device's registration with
//! a hub, kept in the store's `settings` table under names only this module knows.

use chrono::{DateTime, Datelike, Utc};
use rusqlite::OptionalExtension;

use super::{Store, StoreError};
use crate::pack::Rendition;

/// Names in the `settings` table.
pub(super) mod key {
    pub const LANGUAGE: &str = "language";
    pub const MEDIA: &str = "media";
    pub const UNMETERED_ONLY: &str = "sync.unmetered_only";
    pub const MONTHLY_BUDGET_MB: &str = "sync.monthly_budget_mb";
    pub const HUB: &str = "hub";
    pub const GROUP: &str = "group";
    pub const ENROLMENT_CODE: &str = "enrolment_code";
    pub const LEARNER_KEY: &str = "learner_key";
    pub const METERED_USE: &str = "sync.metered_use";
    pub const CATALOG: &str = "sync.catalog";
    pub const HELD_CHECKED: &str = "sync.held_checked";
    /// The number of the newest credential taken from the hub.
    pub const CREDENTIALS_TAKEN: &str = "sync.credentials_taken";
    /// The number of the newest grant of attempts taken from the hub.
    pub const GRANTS_TAKEN: &str = "sync.grants_taken";
    /// The id of the last record of the learner's other devices taken from the hub.
    pub const HISTORY_AFTER: &str = "sync.history_after";
    /// What the hub's last push answer announced: the newest credential's number, and how
    /// many records of the learner's other devices it holds (`<credentials> <history>`).
    pub const ANNOUNCED: &str = "sync.announced";
    pub const DISPLAY_NAME: &str = "display_name";
    /// The display name as the hub last took it (`""` for none).
    pub const NAME_SENT: &str = "sync.name_sent";
    /// `<seq> <hash>` of the last record checked (see `Store::check_recent`).
    pub const RECORDS_CHECKED: &str = "records.checked";
}

/// Bytes in the megabyte of a data budget (as carriers count).
const MB: u64 = 1_000_000;

/// Longest language tag accepted (BCP 47 tags in use are far shorter).
const MAX_LANGUAGE_LEN: usize = 35;

/// What the learner chose in the app's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct LearnerSettings {
    /// Preferred language (a BCP 47 tag such as `es-MX`), if chosen.
    pub language: Option<String>,
    /// Which media to show and fetch: full, or the low-data rendition.
    pub media: Rendition,
    /// Sync only on unmetered connections (Wi-Fi): the data budget's switch.
    pub unmetered_only: bool,
    /// Most megabytes a month the app may use on metered data (0: no limit).
    pub monthly_budget_mb: u32,
    /// The name the learner chooses to show the trainers of the groups they enrol in (none:
    /// trainers see only the learner's key).
    pub display_name: Option<String>,
}

impl Default for LearnerSettings {
    fn default() -> Self {
        Self {
            language: None,
            media: Rendition::Full,
            unmetered_only: false,
            monthly_budget_mb: 0,
            display_name: None,
        }
    }
}

impl LearnerSettings {
    /// Bytes a sync may move now, given `used_this_month` bytes already used on metered
    /// data: no limit on an unmetered connection or without a budget; on metered data none
    /// when the learner chose unmetered only, else what is left of the month's budget.
    pub fn allowance(&self, metered: bool, used_this_month: u64) -> Option<u64> {
        match (metered, self.unmetered_only, self.monthly_budget_mb) {
            (false, _, _) | (true, false, 0) => None,
            (true, true, _) => Some(0),
            (true, false, budget) => Some((u64::from(budget) * MB).saturating_sub(used_this_month)),
        }
    }

    /// Whether a sync may run now: unless on metered data the allowance is spent.
    pub fn may_sync(&self, metered: bool, used_this_month: u64) -> bool {
        self.allowance(metered, used_this_month) != Some(0)
    }
}

/// A group's catalog as the hub last sent it, and its tag: an unchanged catalog then costs
/// a `304`, and the kept copy still tells which packs are wanted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CachedCatalog {
    /// The group it lists.
    pub group: String,
    /// The hub's `ETag` for it.
    pub etag: String,
    /// Its JSON, as received.
    pub body: String,
}

/// The hub a device registered with, and the learners' group it joined there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The hub's base URL.
    pub hub: String,
    /// The group whose packs the device receives.
    pub group: String,
}

impl Store {
    /// The learner's settings; defaults for what was never set.
    pub fn learner_settings(&self) -> Result<LearnerSettings, StoreError> {
        let defaults = LearnerSettings::default();
        Ok(LearnerSettings {
            language: self.setting(key::LANGUAGE)?,
            media: self.media_rendition()?,
            unmetered_only: self
                .setting(key::UNMETERED_ONLY)?
                .map_or(defaults.unmetered_only, |v| v == "true"),
            monthly_budget_mb: self
                .setting(key::MONTHLY_BUDGET_MB)?
                .and_then(|v| v.parse().ok())
                .unwrap_or(defaults.monthly_budget_mb),
            display_name: self.setting(key::DISPLAY_NAME)?,
        })
    }

    /// Saves the learner's settings, all at once; a malformed language tag is refused and
    /// nothing changes.
    pub fn set_learner_settings(&self, settings: &LearnerSettings) -> Result<(), StoreError> {
        if let Some(language) = &settings.language {
            check_language(language)?;
        }
        let display_name = settings
            .display_name
            .as_deref()
            .map(crate::name::display_name)
            .transpose()
            .map_err(|e| StoreError::BadSetting(e.to_string()))?;
        let mut values = vec![
            (key::MEDIA, rendition_name(settings.media).to_owned()),
            (key::UNMETERED_ONLY, settings.unmetered_only.to_string()),
            (
                key::MONTHLY_BUDGET_MB,
                settings.monthly_budget_mb.to_string(),
            ),
        ];
        if let Some(language) = &settings.language {
            values.push((key::LANGUAGE, language.clone()));
        }
        if let Some(name) = &display_name {
            values.push((key::DISPLAY_NAME, name.clone()));
        }
        let mut conn = self.lock();
        super::db::write(&mut conn, |tx| {
            if settings.language.is_none() {
                tx.execute("DELETE FROM settings WHERE key = ?1", [key::LANGUAGE])?;
            }
            if display_name.is_none() {
                tx.execute("DELETE FROM settings WHERE key = ?1", [key::DISPLAY_NAME])?;
            }
            for (name, value) in &values {
                put(tx, name, value)?;
            }
            Ok(())
        })
    }

    /// Which media rendition lessons show: `full` (default) or `low` to save data.
    pub fn media_rendition(&self) -> Result<Rendition, StoreError> {
        Ok(match self.setting(key::MEDIA)?.as_deref() {
            Some("low") => Rendition::Low,
            _ => Rendition::Full,
        })
    }

    /// Sets the media rendition lessons show.
    pub fn set_media_rendition(&self, rendition: Rendition) -> Result<(), StoreError> {
        put(&self.lock(), key::MEDIA, rendition_name(rendition))
    }

    /// Bytes synced over metered data in the calendar month (UTC) of `now`.
    pub fn metered_use(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(used_in_month(
            self.setting(key::METERED_USE)?.as_deref(),
            &month_of(now),
        ))
    }

    /// Adds `bytes` synced over metered data at `now` to that month's use (a new month
    /// starts again from zero), in one transaction, so two syncs at once lose no count.
    pub fn add_metered_use(&self, now: DateTime<Utc>, bytes: u64) -> Result<(), StoreError> {
        let month = month_of(now);
        let mut conn = self.lock();
        super::db::write(&mut conn, |tx| {
            let stored: Option<String> = tx
                .query_row(
                    "SELECT value FROM settings WHERE key = ?1",
                    [key::METERED_USE],
                    |r| r.get(0),
                )
                .optional()?;
            let total = used_in_month(stored.as_deref(), &month).saturating_add(bytes);
            put(tx, key::METERED_USE, &format!("{month} {total}"))
        })
    }

    /// The hub this device registered with, if it has.
    pub fn registration(&self) -> Result<Option<Registration>, StoreError> {
        let hub = self.setting(key::HUB)?;
        let group = self.setting(key::GROUP)?;
        Ok(hub
            .zip(group)
            .map(|(hub, group)| Registration { hub, group }))
    }

    /// Remembers the hub this device registered with, and its group.
    pub fn set_registration(&self, registration: &Registration) -> Result<(), StoreError> {
        let mut conn = self.lock();
        super::db::write(&mut conn, |tx| {
            put(tx, key::HUB, &registration.hub)?;
            put(tx, key::GROUP, &registration.group)
        })
    }

    /// The enrolment code this device was given, if it was: kept so that a relay bundle can
    /// carry the device's enrolment to a hub it never reached.
    pub fn enrolment_code(&self) -> Result<Option<String>, StoreError> {
        self.setting(key::ENROLMENT_CODE)
    }

    /// Remembers the enrolment code this device was given (online or on paper).
    pub fn set_enrolment_code(&self, code: &str) -> Result<(), StoreError> {
        let code = code.trim();
        crate::ledger::check_enrolment_code(code)?;
        let mut conn = self.lock();
        super::db::write(&mut conn, |tx| put(tx, key::ENROLMENT_CODE, code))
    }

    /// The learner's binding of this device: what lets it speak for the learner at a hub.
    pub fn binding(&self) -> Result<crate::ledger::DeviceBinding, StoreError> {
        Ok(crate::ledger::DeviceBinding::sign(
            &self.learner,
            &self.device.public_key(),
        )?)
    }

    /// This device's signed enrolment with the code it was given, if it was given one.
    pub fn enrolment(&self) -> Result<Option<crate::ledger::Enrolment>, StoreError> {
        self.enrolment_code()?
            .map(|code| crate::ledger::Enrolment::sign(&self.device, &self.learner_did(), &code))
            .transpose()
            .map_err(StoreError::from)
    }

    /// When the hub last said what it holds of this device (a sync with nothing to send
    /// asks again once the sync policy says it is time), if it ever did.
    pub fn held_checked_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self
            .setting(key::HELD_CHECKED)?
            .and_then(|v| v.parse::<i64>().ok())
            .and_then(|t| DateTime::from_timestamp(t, 0)))
    }

    /// Remembers that the hub said what it holds of this device at `now`.
    pub fn set_held_checked(&self, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut conn = self.lock();
        super::db::write(&mut conn, |tx| {
            put(tx, key::HELD_CHECKED, &now.timestamp().to_string())
        })
    }

    /// The display name to send the hub with the next push: the learner's name when it
    /// differs from what the hub last took (`""` when the learner stopped showing one), or
    /// `None` when the hub has it already.
    pub fn name_to_send(&self) -> Result<Option<String>, StoreError> {
        let chosen = self.setting(key::DISPLAY_NAME)?.unwrap_or_default();
        let sent = self.setting(key::NAME_SENT)?;
        Ok((sent.as_deref() != Some(chosen.as_str())).then_some(chosen))
    }

    /// Remembers that the hub took `name` (`""`: no name).
    pub fn set_name_sent(&self, name: &str) -> Result<(), StoreError> {
        let mut conn = self.lock();
        super::db::write(&mut conn, |tx| put(tx, key::NAME_SENT, name))
    }

    /// What the hub's last push answer announced, kept so a sync cut short (or one that took
    /// as many pages as it may) resumes at the next sync, push or not: the newest
    /// credential's number and how many records of the learner's other devices the hub holds.
    pub fn announced(&self) -> Result<(Option<u64>, Option<u64>), StoreError> {
        let text = self.setting(key::ANNOUNCED)?.unwrap_or_default();
        let mut parts = text.split(' ').map(|p| p.parse::<u64>().ok());
        Ok((parts.next().flatten(), parts.next().flatten()))
    }

    /// Remembers what the hub's last push answer announced.
    pub fn set_announced(
        &self,
        credentials: Option<u64>,
        history: Option<u64>,
    ) -> Result<(), StoreError> {
        let show = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_else(|| "-".into());
        let mut conn = self.lock();
        super::db::write(&mut conn, |tx| {
            put(
                tx,
                key::ANNOUNCED,
                &format!("{} {}", show(credentials), show(history)),
            )
        })
    }

    /// The number of the newest credential taken from the hub (0 before the first).
    pub fn credentials_taken(&self) -> Result<u64, StoreError> {
        Ok(self
            .setting(key::CREDENTIALS_TAKEN)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// Remembers the number of the newest credential taken from the hub.
    pub fn set_credentials_taken(&self, number: u64) -> Result<(), StoreError> {
        let mut conn = self.lock();
        super::db::write(&mut conn, |tx| {
            put(tx, key::CREDENTIALS_TAKEN, &number.to_string())
        })
    }

    /// The copy of the group's catalog the last sync kept, if any (a stored copy that does
    /// not parse counts as none: the next sync fetches the catalog whole).
    pub fn cached_catalog(&self) -> Result<Option<CachedCatalog>, StoreError> {
        Ok(self
            .setting(key::CATALOG)?
            .and_then(|json| serde_json::from_str(&json).ok()))
    }

    /// Keeps a copy of the group's catalog, with the tag the hub gave it.
    pub fn set_cached_catalog(&self, catalog: &CachedCatalog) -> Result<(), StoreError> {
        let json = serde_json::to_string(catalog)
            .map_err(|e| StoreError::Damaged(format!("a catalog: {e}")))?;
        let mut conn = self.lock();
        super::db::write(&mut conn, |tx| put(tx, key::CATALOG, &json))
    }

    pub(super) fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        read(&self.lock(), name)
    }
}

/// The name of the learner's key in the key store: `learner`, or a restored one's.
pub(super) fn learner_key_name(conn: &rusqlite::Connection) -> Result<String, StoreError> {
    Ok(read(conn, key::LEARNER_KEY)?.unwrap_or_else(|| "learner".to_owned()))
}

/// Makes `name` the learner's key in the key store (a restored identity's).
pub(super) fn set_learner_key_name(
    conn: &rusqlite::Connection,
    name: &str,
) -> Result<(), StoreError> {
    put(conn, key::LEARNER_KEY, name)
}

/// Whether the device registered with a hub.
pub(super) fn is_registered(conn: &rusqlite::Connection) -> Result<bool, StoreError> {
    Ok(read(conn, key::HUB)?.is_some())
}

pub(super) fn read(conn: &rusqlite::Connection, name: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?)
}

pub(super) fn put(conn: &rusqlite::Connection, name: &str, value: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [name, value],
    )?;
    Ok(())
}

/// The bytes a stored `"2026-11 1234"` count holds for `month`: none from another month.
fn used_in_month(stored: Option<&str>, month: &str) -> u64 {
    stored
        .and_then(|v| v.split_once(' '))
        .filter(|(stored_month, _)| *stored_month == month)
        .and_then(|(_, bytes)| bytes.parse().ok())
        .unwrap_or(0)
}

/// `2026-11`: the calendar month (UTC) a metered-use count belongs to.
fn month_of(time: DateTime<Utc>) -> String {
    format!("{:04}-{:02}", time.year(), time.month())
}

fn rendition_name(rendition: Rendition) -> &'static str {
    match rendition {
        Rendition::Full => "full",
        Rendition::Low => "low",
    }
}

/// A language tag: letters, digits and hyphens in parts of 1 to 8, the first letters only.
fn check_language(tag: &str) -> Result<(), StoreError> {
    let bad = || StoreError::BadSetting(format!("language {tag:?} is not a BCP 47 tag"));
    if tag.is_empty() || tag.len() > MAX_LANGUAGE_LEN {
        return Err(bad());
    }
    for (i, part) in tag.split('-').enumerate() {
        let letters_only = i == 0;
        let fits = (1..=8).contains(&part.len())
            && part
                .chars()
                .all(|c| c.is_ascii_alphabetic() || (!letters_only && c.is_ascii_digit()));
        if !fits {
            return Err(bad());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_are_checked() {
        for good in ["en", "es-MX", "sw-KE", "zh-Hant-TW", "es-419"] {
            assert!(check_language(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "-",
            "en-",
            "e n",
            "123",
            "en_US",
            "en-abcdefghi",
            &"a".repeat(36),
        ] {
            assert!(check_language(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_data_budget_decides_metered_syncs_only() {
        let budget = |unmetered_only, monthly_budget_mb| LearnerSettings {
            unmetered_only,
            monthly_budget_mb,
            ..LearnerSettings::default()
        };
        assert!(budget(true, 0).may_sync(false, 10 * MB));
        assert!(!budget(true, 0).may_sync(true, 0));
        assert!(budget(false, 0).may_sync(true, 10_000 * MB));
        assert!(budget(false, 50).may_sync(true, 49 * MB));
        assert!(!budget(false, 50).may_sync(true, 50 * MB));
        assert_eq!(budget(false, 50).allowance(true, 49 * MB), Some(MB));
        assert_eq!(budget(false, 50).allowance(true, 60 * MB), Some(0));
        assert_eq!(budget(false, 50).allowance(false, 60 * MB), None);
        assert_eq!(budget(true, 50).allowance(true, 0), Some(0));
    }
}
