//! The content model: modules, lessons, assessment rules and question banks, and the
//! compiler from a trainer's plain-text sources (`module.toml`, Markdown lessons, TOML or
//! GIFT question banks) to the model a pack carries. Pure: no disk, network or clock.

mod compile;
mod diagnostics;
mod gift;
mod header;
mod layout;
mod markdown;
mod media;
mod model;
mod pathway;
mod question;
mod references;
mod sound;
mod source;
mod toml_source;
mod validate;
mod weight;

pub use compile::{compile, Compilation, CompiledModule, MediaFile};
pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use layout::{lay_out, LayoutContext, LessonBlock, Span};
pub use media::{media_kind, media_type, MediaKind};
pub use model::{
    AssessmentRules, LessonRef, Module, Participation, Pathway, QualityAssurance, Recognition,
    SkillAlignment,
};
pub use pathway::{
    check_pathway, check_pathways_in_pack, compile_pathway, MAX_PARTS, PATHWAY_TOML,
};
pub use question::{normalize_answer, Choice, Pair, Question, QuestionKind, Scoring};
pub use sound::{check_sound, UnsoundModule, MAX_ATTEMPT_QUESTIONS};
pub use source::SourceFiles;
pub use validate::MAX_POINTS;
pub use weight::Weight;
pub(crate) use weight::WeightSum;

/// True for a valid module or pack id: lowercase letters, digits and hyphens, 3–64.
pub fn is_valid_id(id: &str) -> bool {
    validate::is_slug(id) && id.len() >= 3
}

/// True for a valid `MAJOR.MINOR.PATCH` version.
pub fn is_valid_version(version: &str) -> bool {
    validate::is_version(version)
}

/// A `MAJOR.MINOR.PATCH` version as numbers, for ordering; `None` if it is not one.
pub fn parse_version(version: &str) -> Option<(u64, u64, u64)> {
    if !is_valid_version(version) {
        return None;
    }
    let mut parts = version.split('.').map(|p| p.parse::<u64>().ok());
    Some((parts.next()??, parts.next()??, parts.next()??))
}

/// The file that describes a module, at the top of its folder.
pub const MODULE_TOML: &str = "module.toml";
