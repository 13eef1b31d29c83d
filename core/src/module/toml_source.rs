//! Parses the trainer's TOML files: `module.toml` (what the module is and its assessment
//! rules) and question banks (`[[question]]` tables). Unknown keys are errors, because a
//! misspelt key silently ignored is a question that behaves wrongly in front of a learner.

use serde::Deserialize;
use toml::{Spanned, Table, Value};

use super::diagnostics::{Diagnostics, Lines};
use super::model::{AssessmentRules, Participation, QualityAssurance, Recognition, SkillAlignment};
use super::question::Question;
use super::MODULE_TOML;

/// The bank file a module uses when `module.toml` names none.
pub(crate) const DEFAULT_BANK: &str = "questions.toml";

/// `module.toml`, parsed, with the lines that later checks point at.
#[derive(Debug)]
pub(crate) struct ModuleToml {
    pub id: Spanned<String>,
    pub version: Spanned<String>,
    pub title: Spanned<String>,
    pub language: Spanned<String>,
    pub minutes: Spanned<u32>,
    pub summary: Option<String>,
    /// The module this one translates (its id), if any.
    pub translates: Option<Spanned<String>>,
    pub outcomes: Spanned<Vec<String>>,
    pub skills: Vec<Spanned<SkillAlignment>>,
    /// Assessors' public keys (`did:key`), who may attest practical checklists.
    pub assessors: Vec<Spanned<String>>,
    /// What a credential states beyond the module, as written (checked by `check_head`).
    pub recognition: RecognitionToml,
    pub assessment: Spanned<AssessmentRules>,
    /// Where `pass_mark`, `draw` and `time_limit_minutes` are written, for messages.
    pub rule_spans: RuleSpans,
    pub banks: Vec<String>,
}

/// The micro-credential keys of `module.toml`, with their places for messages.
#[derive(Debug, Default)]
pub(crate) struct RecognitionToml {
    pub workload_minutes: Option<Spanned<u32>>,
    pub ects: Option<Spanned<f64>>,
    pub level: Option<Spanned<LevelToml>>,
    pub participation: Option<Spanned<Vec<Participation>>>,
    pub quality_assurance: Option<Spanned<QualityAssurance>>,
}

impl RecognitionToml {
    /// What the compiled module keeps (after `check_head` found no error).
    pub(crate) fn into_model(self) -> Recognition {
        Recognition {
            workload_minutes: self.workload_minutes.map(Spanned::into_inner),
            ects_hundredths: self.ects.map(|e| (e.into_inner() * 100.0).round() as u32),
            eqf_level: self.level.map(|l| l.into_inner().eqf.into_inner()),
            participation: self
                .participation
                .map(Spanned::into_inner)
                .unwrap_or_default(),
            quality_assurance: self.quality_assurance.map(Spanned::into_inner),
        }
    }
}

/// The `[level]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LevelToml {
    pub eqf: Spanned<u8>,
}

/// Byte ranges of the assessment rules that later checks point at.
#[derive(Debug, Default)]
pub(crate) struct RuleSpans {
    pub pass_mark: std::ops::Range<usize>,
    pub draw: std::ops::Range<usize>,
    pub time_limit: Option<std::ops::Range<usize>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModule {
    id: Spanned<String>,
    version: Spanned<String>,
    title: Spanned<String>,
    language: Spanned<String>,
    minutes: Spanned<u32>,
    summary: Option<String>,
    translates: Option<Spanned<String>>,
    outcomes: Spanned<Vec<String>>,
    #[serde(default)]
    skills: Vec<Spanned<RawSkill>>,
    #[serde(default)]
    assessors: Vec<Spanned<String>>,
    assessment: Spanned<RawAssessment>,
    workload_minutes: Option<Spanned<u32>>,
    ects: Option<Spanned<f64>>,
    level: Option<Spanned<LevelToml>>,
    participation: Option<Spanned<Vec<Participation>>>,
    quality_assurance: Option<Spanned<QualityAssurance>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSkill {
    uri: String,
    label: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAssessment {
    pass_mark: Spanned<u32>,
    draw: Spanned<u32>,
    #[serde(default)]
    attempts: u32,
    #[serde(default)]
    cooldown_minutes: u32,
    time_limit_minutes: Option<Spanned<u32>>,
    banks: Option<Vec<String>>,
}

/// Parses `module.toml`; a syntax or shape error is reported with its line.
pub(crate) fn parse_module_toml(text: &str, diags: &mut Diagnostics) -> Option<ModuleToml> {
    let raw: RawModule = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let line = e.span().map(|s| Lines::new(text).of(s.start));
            diags.error(MODULE_TOML, line, e.message().trim().to_owned());
            return None;
        }
    };
    let span = raw.assessment.span();
    let a = raw.assessment.into_inner();
    Some(ModuleToml {
        id: raw.id,
        version: raw.version,
        title: raw.title,
        language: raw.language,
        minutes: raw.minutes,
        summary: raw.summary,
        translates: raw.translates,
        outcomes: raw.outcomes,
        skills: raw
            .skills
            .into_iter()
            .map(|s| {
                let span = s.span();
                let s = s.into_inner();
                Spanned::new(
                    span,
                    SkillAlignment {
                        uri: s.uri,
                        label: s.label,
                    },
                )
            })
            .collect(),
        rule_spans: RuleSpans {
            pass_mark: a.pass_mark.span(),
            draw: a.draw.span(),
            time_limit: a.time_limit_minutes.as_ref().map(Spanned::span),
        },
        assessors: raw.assessors,
        recognition: RecognitionToml {
            workload_minutes: raw.workload_minutes,
            ects: raw.ects,
            level: raw.level,
            participation: raw.participation,
            quality_assurance: raw.quality_assurance,
        },
        banks: a.banks.unwrap_or_else(|| vec![DEFAULT_BANK.to_owned()]),
        assessment: Spanned::new(
            span,
            AssessmentRules {
                pass_mark: a.pass_mark.into_inner(),
                draw: a.draw.into_inner(),
                attempts: a.attempts,
                cooldown_minutes: a.cooldown_minutes,
                time_limit_minutes: a.time_limit_minutes.map(Spanned::into_inner),
            },
        ),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBank {
    #[serde(default)]
    question: Vec<Spanned<Table>>,
}

/// Keys every question may have.
const COMMON_KEYS: &[&str] = &["id", "type", "prompt", "points", "explanation"];

/// The keys each question type adds, and the keys of its nested tables.
fn type_keys(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "single" => &["options", "scoring"],
        "multiple" => &["options", "scoring"],
        "true-false" => &["answer", "feedback_true", "feedback_false"],
        "ordering" => &["items", "scoring"],
        "matching" => &["pairs", "distractors", "scoring"],
        "numeric" => &["answer", "tolerance", "unit"],
        "short-text" => &["accept"],
        "checklist" => &["items"],
        _ => return None,
    })
}

/// Parses a TOML question bank; every malformed question is reported, the rest are kept.
/// `None` when the file is not TOML at all (a syntax error stops TOML parsing).
pub(crate) fn parse_toml_bank(
    text: &str,
    file: &str,
    diags: &mut Diagnostics,
) -> Option<Vec<(Question, usize)>> {
    let raw: RawBank = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let line = e.span().map(|s| Lines::new(text).of(s.start));
            diags.error(file, line, e.message().trim().to_owned());
            return None;
        }
    };
    let mut out = Vec::new();
    let lines = Lines::new(text);
    for table in raw.question {
        let line = lines.of(table.span().start);
        let table = table.into_inner();
        let label = match table.get("id").and_then(Value::as_str) {
            Some(id) => format!("question \"{id}\""),
            None => "question".to_owned(),
        };
        let kind = table
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(extra) = type_keys(kind) else {
            diags.error(
                file,
                Some(line),
                format!(
                    "{label}: type = \"{kind}\" is not a question type; use one of single, \
                     multiple, true-false, ordering, matching, numeric, short-text, checklist"
                ),
            );
            continue;
        };
        let mut unknown = unknown_keys(&table, COMMON_KEYS, extra);
        unknown.extend(nested_unknown_keys(&table));
        if !unknown.is_empty() {
            diags.error(
                file,
                Some(line),
                format!(
                    "{label}: unknown key {} for a {kind} question",
                    unknown.join(", ")
                ),
            );
            continue;
        }
        if let Some(message) = correct_beside_weights(&table) {
            diags.error(file, Some(line), format!("{label}: {message}"));
            continue;
        }
        match Question::deserialize(Value::Table(table)) {
            Ok(mut q) => {
                q.kind.mark_right_by_weight();
                out.push((q, line));
            }
            Err(e) => diags.error(file, Some(line), format!("{label}: {}", e.message().trim())),
        }
    }
    Some(out)
}

fn unknown_keys(table: &Table, common: &[&str], extra: &[&str]) -> Vec<String> {
    table
        .keys()
        .filter(|k| !common.contains(&k.as_str()) && !extra.contains(&k.as_str()))
        .map(|k| format!("`{k}`"))
        .collect()
}

/// In a weighted question the weights say which options are right: `correct` beside them
/// could only disagree.
fn correct_beside_weights(table: &Table) -> Option<&'static str> {
    let weighted = table.get("scoring").and_then(Value::as_str) == Some("weighted");
    let Some(Value::Array(options)) = table.get("options") else {
        return None;
    };
    let has_correct = options
        .iter()
        .filter_map(Value::as_table)
        .any(|o| o.contains_key("correct"));
    (weighted && has_correct).then_some(
        "in a weighted question each option's weight says how right it is; leave out \
         correct = …",
    )
}

/// Unknown keys inside `options = [...]` and `pairs = [...]`.
fn nested_unknown_keys(table: &Table) -> Vec<String> {
    let nested: [(&str, &[&str]); 2] = [
        ("options", &["text", "correct", "feedback", "weight"]),
        ("pairs", &["left", "right"]),
    ];
    let mut out = Vec::new();
    for (key, allowed) in nested {
        let Some(Value::Array(items)) = table.get(key) else {
            continue;
        };
        for item in items.iter().filter_map(Value::as_table) {
            out.extend(
                unknown_keys(item, allowed, &[])
                    .into_iter()
                    .map(|k| format!("{k} in {key}")),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_reports_each_bad_question_with_its_line() {
        let text = r#"
[[question]]
id = "ok"
type = "true-false"
prompt = "Helmets save lives."
answer = true

[[question]]
id = "typo"
type = "single"
prompt = "?"
optoins = []

[[question]]
id = "missing"
type = "numeric"
prompt = "How many?"

[[question]]
id = "bad-type"
type = "essay"
prompt = "?"
"#;
        let mut diags = Diagnostics::default();
        let qs = parse_toml_bank(text, "questions.toml", &mut diags).expect("valid TOML");
        assert_eq!(qs.len(), 1);
        assert_eq!(qs[0].1, 2);
        let report = diags.to_string();
        assert!(
            report.contains("questions.toml:8: question \"typo\": unknown key `optoins`"),
            "{report}"
        );
        assert!(
            report.contains("questions.toml:14: question \"missing\": missing field `answer`"),
            "{report}"
        );
        assert!(
            report.contains("questions.toml:19: question \"bad-type\": type = \"essay\""),
            "{report}"
        );
    }

    #[test]
    fn module_toml_errors_point_at_their_line() {
        let mut diags = Diagnostics::default();
        assert!(parse_module_toml("id = \"a\"\ntitel = \"x\"\n", &mut diags).is_none());
        assert!(
            diags
                .to_string()
                .starts_with("module.toml:2: unknown field `titel`"),
            "{diags}"
        );
    }
}
