//! What the learner sees of installed content: the catalog with each module's state and
//! progress, a lesson's Markdown and media (in the rendition the device's setting chooses),
//! and the progress a lesson records. Reading a lesson touches only that lesson's chunk and
//! its media's chunks.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::content::{module_index, read_entry};
use super::error::StoreError;
use super::history::{granted_attempts, past_attempts};
use super::{OpenModule, Store};
use crate::assess::{next_attempt, AssessError, PastAttempt};
use crate::module::{lay_out, LayoutContext, LessonBlock, Module};
use crate::pack::module_json_path;

/// Where a learner stands with a module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum ModuleState {
    /// Not opened yet.
    New,
    /// Lessons opened or an attempt started, nothing passed yet.
    InProgress,
    /// An attempt passed.
    Passed,
    /// The last attempt failed (another may be allowed).
    Failed,
    /// The last attempt failed and the next opens later.
    CoolingDown {
        /// When the next attempt opens (device time).
        until: DateTime<Utc>,
    },
}

impl ModuleState {
    /// The state's name as it is written in JSON (`in-progress`, `cooling-down`…), for
    /// tools that print it.
    pub fn name(&self) -> &'static str {
        match self {
            ModuleState::New => "new",
            ModuleState::InProgress => "in-progress",
            ModuleState::Passed => "passed",
            ModuleState::Failed => "failed",
            ModuleState::CoolingDown { .. } => "cooling-down",
        }
    }
}

/// A module in the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct CatalogEntry {
    /// Module id.
    pub id: String,
    /// Title.
    pub title: String,
    /// BCP 47 language.
    pub language: String,
    /// Estimated minutes.
    pub minutes: u32,
    /// The pack it came from.
    pub pack_id: String,
    /// Lessons in the module.
    pub lessons: u32,
    /// Lessons opened at least once.
    pub lessons_opened: u32,
    /// Time spent in lessons, milliseconds (monotonic).
    pub time_spent_ms: u64,
    /// Attempts submitted.
    pub attempts_used: u32,
    /// Attempts a trainer granted beyond the module's own.
    pub attempts_granted: u32,
    /// Where the learner stands.
    pub state: ModuleState,
}

/// A lesson ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct LessonContent {
    /// The lesson title.
    pub title: String,
    /// Its Markdown, as the trainer wrote it (for tools; the apps draw `blocks`).
    pub markdown: String,
    /// The lesson laid out for the screen, top to bottom.
    pub blocks: Vec<LessonBlock>,
    /// The media it shows; blocks name them by index in this list.
    pub media: Vec<MediaItem>,
    /// The block where the learner stopped reading last time, if recorded.
    pub resume_block: Option<u32>,
}

/// One media file of a lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct MediaItem {
    /// Path relative to the module folder (`images/tyre.png`).
    pub path: String,
    /// Media type (`image/png`).
    pub media_type: Option<String>,
    /// The bytes, or `None` when this pack variant carries no media for it.
    pub bytes: Option<Vec<u8>>,
}

impl Store {
    /// Every installed module with its state at device time `now`.
    pub fn catalog(&self, now: DateTime<Utc>) -> Result<Vec<CatalogEntry>, StoreError> {
        let rows = {
            let conn = self.lock();
            let mut stmt = conn.prepare_cached(
                "SELECT id, pack_id, title, language, minutes, lessons FROM modules ORDER BY id",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, u32>(4)?,
                        r.get::<_, u32>(5)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows
        };
        rows.into_iter()
            .map(|(id, pack_id, title, language, minutes, lessons)| {
                let (opened, time_ms, history, started, granted) = {
                    let conn = self.lock();
                    let (opened, time_ms): (u32, i64) = conn.query_row(
                        "SELECT count(*), coalesce(sum(time_ms), 0) FROM progress
                         WHERE module_id = ?1 AND opened > 0",
                        [&id],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )?;
                    let history = past_attempts(&conn, &id)?;
                    let started: bool = conn.query_row(
                        "SELECT EXISTS (SELECT 1 FROM attempts WHERE module_id = ?1)
                             OR EXISTS (SELECT 1 FROM attempts_elsewhere WHERE module_id = ?1)",
                        [&id],
                        |r| r.get(0),
                    )?;
                    let granted = granted_attempts(&conn, &id)?;
                    (opened, time_ms, history, started, granted)
                };
                let state = match state_of(&history, granted, opened > 0 || started, now, || {
                    self.module(&id)
                }) {
                    Ok(state) => state,
                    // Uninstalled while the catalog was being listed: no longer there.
                    Err(StoreError::NotInstalled { .. }) => return Ok(None),
                    Err(e) => return Err(e),
                };
                Ok(Some(CatalogEntry {
                    title,
                    language,
                    minutes,
                    lessons,
                    lessons_opened: opened,
                    time_spent_ms: time_ms.max(0) as u64,
                    attempts_used: history.len() as u32,
                    attempts_granted: granted,
                    state,
                    id,
                    pack_id,
                }))
            })
            .filter_map(Result::transpose)
            .collect()
    }

    /// An installed module's compiled description, read from its pack's chunks (the few
    /// read last are kept parsed).
    pub fn module(&self, module_id: &str) -> Result<Module, StoreError> {
        Ok(self.open_module(module_id)?.module.clone())
    }

    /// A module parsed with the index of where its files live, kept among the few read last.
    fn open_module(&self, module_id: &str) -> Result<Arc<OpenModule>, StoreError> {
        self.modules.get_or_make(&module_id.to_owned(), || {
            let conn = self.lock();
            let index = module_index(&conn, module_id)?;
            let json = read_entry(
                &conn,
                &self.dictionaries,
                &index,
                &module_json_path(module_id),
            )?
            .ok_or_else(|| not_installed("module", module_id))?;
            let module = serde_json::from_slice(&json)
                .map_err(|e| StoreError::Damaged(format!("module {module_id}: {e}")))?;
            Ok(OpenModule { module, index })
        })
    }

    /// Lesson `index` (0-based) of a module, with its media in the chosen rendition.
    pub fn lesson(&self, module_id: &str, index: usize) -> Result<LessonContent, StoreError> {
        let open = self.open_module(module_id)?;
        let (module, contents) = (&open.module, &open.index);
        let lesson = module
            .lessons
            .get(index)
            .ok_or_else(|| not_installed("lesson", &format!("{module_id} #{}", index + 1)))?;
        let rendition = self.media_rendition()?;
        let conn = self.lock();
        let lesson_path = format!("{module_id}/{}", lesson.path);
        let markdown_bytes = read_entry(&conn, &self.dictionaries, contents, &lesson_path)?
            .ok_or_else(|| {
                StoreError::Damaged(format!("{} is missing from its pack", lesson.path))
            })?;
        let markdown = String::from_utf8(markdown_bytes)
            .map_err(|_| StoreError::Damaged(format!("{} is not UTF-8", lesson.path)))?;
        let mut media = Vec::new();
        for path in &lesson.media {
            let full = format!("{module_id}/{path}");
            let (media_type, bytes) = match contents.choose_rendition(&full, rendition) {
                Some((chosen, media_type)) => (
                    media_type.map(str::to_owned),
                    read_entry(&conn, &self.dictionaries, contents, &chosen)?,
                ),
                None => (None, None),
            };
            media.push(MediaItem {
                path: path.clone(),
                media_type,
                bytes,
            });
        }
        let resume_block = conn
            .query_row(
                "SELECT position FROM progress WHERE module_id = ?1 AND lesson = ?2",
                params![module_id, index as i64],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten()
            .and_then(|p| p.parse().ok());
        let lessons: Vec<&str> = module.lessons.iter().map(|l| l.path.as_str()).collect();
        let blocks = lay_out(
            &markdown,
            LayoutContext {
                lesson_path: &lesson.path,
                media: &lesson.media,
                lessons: &lessons,
            },
        );
        Ok(LessonContent {
            title: lesson.title.clone(),
            markdown,
            blocks,
            media,
            resume_block,
        })
    }

    /// Records that a lesson was open for `spent` (the caller's monotonic clock) and the
    /// block the learner left it at, which [`Store::lesson`] gives back as `resume_block`.
    pub fn record_progress(
        &self,
        module_id: &str,
        lesson: usize,
        spent: Duration,
        block: Option<u32>,
    ) -> Result<(), StoreError> {
        let position = block.map(|b| b.to_string());
        self.lock().execute(
            "INSERT INTO progress (module_id, lesson, opened, time_ms, position) VALUES (?1, ?2, 1, ?3, ?4)
             ON CONFLICT (module_id, lesson) DO UPDATE SET opened = opened + 1,
                 time_ms = time_ms + excluded.time_ms, position = coalesce(excluded.position, position)",
            params![module_id, lesson as i64, spent.as_millis().min(i64::MAX as u128) as i64, position],
        )?;
        Ok(())
    }
}

pub(super) fn not_installed(what: &'static str, id: &str) -> StoreError {
    StoreError::NotInstalled {
        what,
        id: id.to_owned(),
    }
}

/// Where a learner stands, with `granted` attempts beyond the module's own; the module's
/// assessment rules (read only when they decide it: attempts made and none passed) come
/// from `module`.
fn state_of(
    history: &[PastAttempt],
    granted: u32,
    started: bool,
    now: DateTime<Utc>,
    module: impl FnOnce() -> Result<Module, StoreError>,
) -> Result<ModuleState, StoreError> {
    if history.iter().any(|a| a.passed) {
        return Ok(ModuleState::Passed);
    }
    if history.is_empty() {
        return Ok(if started {
            ModuleState::InProgress
        } else {
            ModuleState::New
        });
    }
    Ok(
        match next_attempt(&module()?.assessment, granted, history, now) {
            Err(AssessError::CoolingDown { until }) => ModuleState::CoolingDown { until },
            _ => ModuleState::Failed,
        },
    )
}
