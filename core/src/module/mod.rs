//! The content model: modules, lessons, assessment rules and question banks, and the
//! compiler from a trainer's plain-text sources (`module.toml`, Markdown lessons, TOML or
//! GIFT question banks) to the model a pack carries. Pure: no disk, network or clock.

mod compile;
mod diagnostics;
mod gift;
mod header;
mod markdown;
mod media;
mod model;
mod question;
mod references;
mod source;
mod toml_source;
mod validate;

pub use compile::{compile, Compilation, CompiledModule, MediaFile};
pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use media::{media_kind, media_type, MediaKind};
pub use model::{AssessmentRules, LessonRef, Module, SkillAlignment};
pub use question::{normalize_answer, Choice, Pair, Question, QuestionKind, Scoring};
pub use source::SourceFiles;

/// True for a valid module or pack id: lowercase letters, digits and hyphens, 3–64.
pub fn is_valid_id(id: &str) -> bool {
    validate::is_slug(id) && id.len() >= 3
}

/// True for a valid `MAJOR.MINOR.PATCH` version.
pub fn is_valid_version(version: &str) -> bool {
    validate::is_version(version)
}

/// The file that describes a module, at the top of its folder.
pub const MODULE_TOML: &str = "module.toml";
