//! Turns a module's source files into a [`Module`] and the list of media it uses, checking
//! everything a trainer can get wrong and reporting every problem at once with its line.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::diagnostics::{Diagnostics, Lines};
use super::header::{check_head, check_recognition};
use super::markdown;
use super::model::{LessonRef, Module};
use super::question::{Question, QuestionKind};
pub use super::references::MediaFile;
use super::references::{check_links, collect_media, question_texts, MediaRefs};
use super::sound::check_sound;
use super::source::SourceFiles;
use super::toml_source::{parse_module_toml, parse_toml_bank, DEFAULT_BANK};
use super::validate::check_question;
use super::{gift, MODULE_TOML};
use crate::keys::PublicKey;

/// Lessons live directly in this folder, in file-name order.
const LESSONS_DIR: &str = "lessons/";
/// A lesson larger than this is not a 15-minute lesson.
const MAX_LESSON_BYTES: usize = 1024 * 1024;

/// A module ready to pack: its compiled model and the media it needs.
#[derive(Debug, Clone)]
pub struct CompiledModule {
    /// The compiled module (what `module.json` holds).
    pub module: Module,
    /// Every media file a lesson or question shows.
    pub media: Vec<MediaFile>,
}

/// The result of compiling: the module if there were no errors, and every problem found.
#[derive(Debug)]
pub struct Compilation {
    /// `Some` exactly when `diagnostics` holds no error.
    pub module: Option<CompiledModule>,
    /// Errors and warnings, sorted by file and line.
    pub diagnostics: Diagnostics,
}

/// Compiles one module folder (or a pathway folder: `module::compile_pathway`).
pub fn compile(files: &SourceFiles) -> Compilation {
    // A folder with pathway.toml (and no module.toml) is a pathway.
    if files.get(MODULE_TOML).is_none() && files.get(super::PATHWAY_TOML).is_some() {
        return super::compile_pathway(files);
    }
    let mut diags = Diagnostics::default();
    let head = match files.get(MODULE_TOML).map(std::str::from_utf8) {
        None => {
            diags.error(
                MODULE_TOML,
                None,
                "not found: every module folder needs a module.toml",
            );
            None
        }
        Some(Err(_)) => {
            diags.error(MODULE_TOML, None, "is not UTF-8 text");
            None
        }
        Some(Ok(text)) => parse_module_toml(text, &mut diags).inspect(|h| {
            check_head(h, text, &mut diags);
            check_recognition(h, text, &mut diags);
        }),
    };
    let mut used: BTreeSet<String> = BTreeSet::from([MODULE_TOML.to_owned()]);
    let mut media_refs = BTreeSet::new();
    let lessons = compile_lessons(files, &mut used, &mut media_refs, &mut diags);
    // Without a readable module.toml, still check the banks it most likely names.
    let banks = match &head {
        Some(h) => h.banks.clone(),
        None => files
            .paths()
            .filter(|p| *p == DEFAULT_BANK || (!p.contains('/') && p.ends_with(".gift")))
            .map(str::to_owned)
            .collect(),
    };
    let (questions, banks_complete) =
        compile_banks(files, &banks, &mut used, &mut media_refs, &mut diags);
    let media = collect_media(files, &media_refs, &mut used, &mut diags);
    if let (Some(h), Some(text)) = (&head, files.get(MODULE_TOML)) {
        let text = String::from_utf8_lossy(text);
        let line = Some(Lines::new(&text).of(h.rule_spans.draw.start));
        // Practical checklists are not drawn: every attempt includes them, for an assessor.
        let practical = questions
            .iter()
            .filter(|q| matches!(q.kind, QuestionKind::Checklist { .. }))
            .count();
        let answerable = questions.len() - practical;
        let draw = h.assessment.get_ref().draw as usize;
        if banks_complete && draw > answerable {
            diags.error(
                MODULE_TOML,
                line,
                format!(
                    "draw = {draw} but the bank has only {answerable} questions a learner answers \
                     (practical checklists are not drawn)"
                ),
            );
        }
        if practical > 0 && h.assessors.is_empty() {
            diags.warn(
                MODULE_TOML,
                None,
                "the bank has practical checklists but no assessors = [...] are listed, so no \
                 one can attest them",
            );
        }
    }
    // Which files are unused is only known once module.toml has said what the module is.
    for path in files
        .paths()
        .filter(|p| head.is_some() && !used.contains(*p))
    {
        diags.warn(
            path,
            None,
            "not used by any lesson or question, so it is left out of the pack",
        );
    }
    diags.sort();
    let module = match head {
        Some(h) if !diags.has_errors() => Some(CompiledModule {
            module: Module {
                id: h.id.into_inner(),
                version: h.version.into_inner(),
                title: h.title.into_inner(),
                language: h.language.into_inner(),
                minutes: h.minutes.into_inner(),
                summary: h.summary,
                translates: h.translates.map(toml::Spanned::into_inner),
                outcomes: h.outcomes.into_inner(),
                skills: h.skills.into_iter().map(|s| s.into_inner()).collect(),
                recognition: h.recognition.into_model(),
                // Stored in one form (did:key), whichever form the trainer wrote.
                assessors: h
                    .assessors
                    .iter()
                    .filter_map(|a| PublicKey::parse(a.get_ref()).ok())
                    .map(|k| k.to_did_key())
                    .collect(),
                lessons,
                assessment: h.assessment.into_inner(),
                questions,
                pathway: None,
            },
            media,
        }),
        _ => None,
    };
    // The rules an installing device checks, so a trainer hears of a break first.
    let module = module.and_then(|m| match check_sound(&m.module) {
        Ok(()) => Some(m),
        Err(why) => {
            diags.error(MODULE_TOML, None, why.to_string());
            None
        }
    });
    Compilation {
        module,
        diagnostics: diags,
    }
}
fn compile_lessons(
    files: &SourceFiles,
    used: &mut BTreeSet<String>,
    media_refs: &mut MediaRefs,
    diags: &mut Diagnostics,
) -> Vec<LessonRef> {
    let paths: Vec<String> = files
        .paths()
        .filter(|p| {
            p.starts_with(LESSONS_DIR)
                && p.ends_with(".md")
                && !p[LESSONS_DIR.len()..].contains('/')
        })
        .map(str::to_owned)
        .collect();
    if paths.is_empty() {
        diags.error(
            LESSONS_DIR.trim_end_matches('/'),
            None,
            "no lessons: add Markdown files such as lessons/01-welcome.md",
        );
    }
    let lesson_set: HashSet<&str> = paths.iter().map(String::as_str).collect();
    let mut lessons = Vec::new();
    for path in &paths {
        used.insert(path.clone());
        let bytes = files.get(path).unwrap_or_default();
        if bytes.len() > MAX_LESSON_BYTES {
            diags.error(path, None, "lesson is larger than 1 MiB; split it");
            continue;
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            diags.error(path, None, "is not UTF-8 text; save it as UTF-8");
            continue;
        };
        let scan = markdown::scan(text);
        let media = check_links(path, None, &scan, &lesson_set, files, media_refs, diags);
        for line in scan.html_lines.iter().collect::<BTreeSet<_>>() {
            diags.warn(
                path,
                Some(*line),
                "raw HTML is not rendered by the app; use Markdown",
            );
        }
        match scan.title {
            Some(title) if !title.is_empty() => lessons.push(LessonRef {
                title,
                path: path.clone(),
                media,
            }),
            _ => diags.error(
                path,
                Some(1),
                "a lesson needs a title: a level-1 heading such as # Greeting a customer",
            ),
        }
    }
    lessons
}
fn compile_banks(
    files: &SourceFiles,
    banks: &[String],
    used: &mut BTreeSet<String>,
    media_refs: &mut MediaRefs,
    diags: &mut Diagnostics,
) -> (Vec<Question>, bool) {
    let mut seen: BTreeMap<String, (String, usize)> = BTreeMap::new();
    let mut out = Vec::new();
    let mut complete = true;
    for bank in banks {
        used.insert(bank.clone());
        let is_toml = bank.ends_with(".toml");
        if !is_toml && !bank.ends_with(".gift") && !bank.ends_with(".txt") {
            diags.error(
                MODULE_TOML,
                None,
                format!("bank \"{bank}\" must be a .toml file or a GIFT file (.gift or .txt)"),
            );
            complete = false;
            continue;
        }
        let Some(bytes) = files.get(bank) else {
            diags.error(bank, None, "question bank not found in module folder");
            complete = false;
            continue;
        };
        let Ok(text) = std::str::from_utf8(bytes) else {
            diags.error(bank, None, "is not UTF-8 text; save it as UTF-8");
            complete = false;
            continue;
        };
        let parsed = if is_toml {
            match parse_toml_bank(text, bank, diags) {
                Some(parsed) => parsed,
                None => {
                    complete = false;
                    continue;
                }
            }
        } else {
            // `My_Bank.gift` names untitled questions my-bank-1, my-bank-2…
            let name = bank.rsplit('/').next().unwrap_or_default();
            let stem = gift::slugify(name.split('.').next().unwrap_or_default());
            let stem = if stem.is_empty() {
                "question".to_owned()
            } else {
                stem
            };
            gift::parse(text, bank, &stem, diags)
        };
        for (q, line) in parsed {
            check_question(&q, bank, line, diags);
            if let Some((file, first)) = seen.get(&q.id) {
                diags.error(
                    bank,
                    Some(line),
                    format!("question id \"{}\" is already used at {file}:{first}", q.id),
                );
                continue;
            }
            for text in question_texts(&q) {
                let scan = markdown::scan(text);
                check_links(
                    bank,
                    Some(line),
                    &scan,
                    &HashSet::new(),
                    files,
                    media_refs,
                    diags,
                );
                if !scan.html_lines.is_empty() {
                    diags.warn(
                        bank,
                        Some(line),
                        format!(
                            "question \"{}\": raw HTML is not rendered by the app; use Markdown",
                            q.id
                        ),
                    );
                }
            }
            seen.insert(q.id.clone(), (bank.clone(), line));
            out.push(q);
        }
    }
    if out.is_empty() && !banks.is_empty() && !diags.has_errors() {
        diags.error(&banks[0], None, "the question bank has no questions");
    }
    (out, complete)
}

#[cfg(test)]
mod tests;
