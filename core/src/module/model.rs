//! The compiled module, as it travels inside a pack (`<module-id>/module.json`) and as the
//! device reads it: what the module is, its lessons in order, its assessment rules and its
//! question bank. Sources are parsed into these types by [`super::compile`].

use serde::{Deserialize, Serialize};

use super::question::Question;

/// One learning module, about 15 minutes of study and a short assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Module {
    /// Stable identifier: lowercase letters, digits and hyphens.
    pub id: String,
    /// `MAJOR.MINOR.PATCH`.
    pub version: String,
    /// The title a learner sees.
    pub title: String,
    /// BCP 47 language tag (`en`, `es-MX`, `sw`).
    pub language: String,
    /// Estimated minutes to study and take the assessment.
    pub minutes: u32,
    /// One or two sentences on what the learner gains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The module this one is a translation of (its id), when the trainer says so: a pack
    /// compresses translations of one module together, which is what makes a catalogue in
    /// several languages small.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translates: Option<String>,
    /// What the learner can do afterwards.
    pub outcomes: Vec<String>,
    /// Alignment to ESCO skills, when the trainer states it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<SkillAlignment>,
    /// What a credential for this module states beyond the module itself (workload,
    /// credits, level, form of participation, quality assurance), when the trainer says.
    #[serde(default, skip_serializing_if = "Recognition::is_unstated")]
    pub recognition: Recognition,
    /// `did:key`s of the assessors who may attest practical checklists of this module.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assessors: Vec<String>,
    /// The lessons, in study order.
    pub lessons: Vec<LessonRef>,
    /// How the assessment is run and passed.
    pub assessment: AssessmentRules,
    /// The question bank the assessment draws from.
    pub questions: Vec<Question>,
    /// When this is a pathway (a milestone that stacks other modules, `pathway.toml`), the
    /// parts that earn it; a pathway has no lessons and no assessment of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pathway: Option<Pathway>,
}

/// A milestone a trainer declares over modules of the same pack: passing `required` of
/// `parts` earns its own credential (docs/credentials.md, "Milestones").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pathway {
    /// The modules that count towards it, by id.
    pub parts: Vec<String>,
    /// How many of them must be passed: all of them, or any N.
    pub required: u32,
}

/// A skill the module teaches, as an ESCO skill URI and its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillAlignment {
    /// The ESCO skill URI, for example `http://data.europa.eu/esco/skill/…`.
    pub uri: String,
    /// Its human-readable label.
    pub label: String,
}

/// The elements of a micro-credential (2022 EU Council Recommendation) a trainer states in
/// `module.toml`; the rest come from the module, the result and the issuer. See
/// docs/credentials.md.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Recognition {
    /// Notional workload in minutes (the module's `minutes` when not stated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload_minutes: Option<u32>,
    /// ECTS credits, in hundredths (0.5 ECTS is 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ects_hundredths: Option<u32>,
    /// The European Qualifications Framework level (1–8), where one applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eqf_level: Option<u8>,
    /// How learners take part (offline on a phone when not stated).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participation: Vec<Participation>,
    /// How the module's quality is assured; without it a credential is a badge, not a
    /// micro-credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_assurance: Option<QualityAssurance>,
}

impl Recognition {
    /// True when the trainer stated none of it.
    pub fn is_unstated(&self) -> bool {
        self == &Self::default()
    }
}

/// A form of participation in the learning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Participation {
    /// Online, connected.
    Online,
    /// Offline, on the learner's phone (Skillpack's own way).
    OfflineOnPhone,
    /// In person, with a trainer.
    InPerson,
    /// At work, observed.
    WorkBased,
}

impl Participation {
    /// Its name in `module.toml` and in a credential.
    pub fn name(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::OfflineOnPhone => "offline-on-phone",
            Self::InPerson => "in-person",
            Self::WorkBased => "work-based",
        }
    }
}

/// How the quality of a module's content and assessment is assured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityAssurance {
    /// Who checks it, and how.
    pub description: String,
    /// Where more is written, if anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A lesson: a Markdown file in the pack, and the media it shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonRef {
    /// The lesson title (its first `#` heading).
    pub title: String,
    /// The Markdown file, relative to the module folder (`lessons/01-greeting.md`).
    pub path: String,
    /// Media the lesson shows, relative to the module folder.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<String>,
}

/// The rules of a module's assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentRules {
    /// Percent of the points needed to pass (1–100).
    pub pass_mark: u32,
    /// How many questions one attempt draws from the bank.
    pub draw: u32,
    /// Attempts allowed; `0` means no limit.
    pub attempts: u32,
    /// Minutes a learner waits after a failed attempt before the next.
    pub cooldown_minutes: u32,
    /// Minutes an attempt may take, if limited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_minutes: Option<u32>,
}
