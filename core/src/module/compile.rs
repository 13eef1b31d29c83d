//! Turns a module's source files into a [`Module`] and the list of media it uses, checking
//! everything a trainer can get wrong and reporting every problem at once with its line.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::diagnostics::{line_of, Diagnostics};
use super::markdown::{self, MarkdownScan};
use super::media::{media_kind, MediaKind};
use super::model::{LessonRef, Module};
use super::question::{Question, QuestionKind};
use super::source::{parent_dir, resolve_link, SourceFiles};
use super::toml_source::{parse_module_toml, parse_toml_bank, ModuleToml, DEFAULT_BANK};
use super::validate::{check_question, is_slug, is_version};
use super::{gift, MODULE_TOML};

/// Lessons live directly in this folder, in file-name order.
const LESSONS_DIR: &str = "lessons/";
/// Where ESCO skill URIs start.
const ESCO_PREFIXES: [&str; 2] = [
    "http://data.europa.eu/esco/",
    "https://data.europa.eu/esco/",
];
/// A lesson larger than this is not a 15-minute lesson.
const MAX_LESSON_BYTES: usize = 1024 * 1024;
/// Minutes above which a module stops being micro-learning.
const MAX_MINUTES_BEFORE_WARNING: u32 = 15;

/// A media file a module uses, with its low-data variant if the trainer made one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFile {
    /// Path relative to the module folder.
    pub path: String,
    /// Image or audio.
    pub kind: MediaKind,
    /// The `NAME.low.EXT` file beside it, if any.
    pub low: Option<String>,
}

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

/// Compiles one module folder.
pub fn compile(files: &SourceFiles) -> Compilation {
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
        Some(Ok(text)) => {
            parse_module_toml(text, &mut diags).inspect(|h| check_head(h, text, &mut diags))
        }
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
        let line = Some(line_of(&text, h.rule_spans.draw.start));
        let draw = h.assessment.get_ref().draw as usize;
        if banks_complete && draw > questions.len() {
            diags.error(
                MODULE_TOML,
                line,
                format!(
                    "draw = {draw} but the bank has only {} questions",
                    questions.len()
                ),
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
                outcomes: h.outcomes.into_inner(),
                skills: h.skills.into_iter().map(|s| s.into_inner()).collect(),
                lessons,
                assessment: h.assessment.into_inner(),
                questions,
            },
            media,
        }),
        _ => None,
    };
    Compilation {
        module,
        diagnostics: diags,
    }
}

fn check_head(h: &ModuleToml, text: &str, diags: &mut Diagnostics) {
    let line = |span: std::ops::Range<usize>| Some(line_of(text, span.start));
    let mut err = |span, msg: String| diags.error(MODULE_TOML, line(span), msg);
    if !is_slug(h.id.get_ref()) || h.id.get_ref().len() < 3 {
        err(
            h.id.span(),
            "id must be 3-64 lowercase letters, digits and hyphens".into(),
        );
    }
    if !is_version(h.version.get_ref()) {
        err(
            h.version.span(),
            "version must look like 1.0.0 (MAJOR.MINOR.PATCH)".into(),
        );
    }
    let title_chars = h.title.get_ref().trim().chars().count();
    if title_chars == 0 || title_chars > 120 {
        err(h.title.span(), "title must be 1-120 characters".into());
    }
    if !is_language_tag(h.language.get_ref()) {
        err(
            h.language.span(),
            format!(
                "language \"{}\" is not a BCP 47 tag such as en, es-MX or sw",
                h.language.get_ref()
            ),
        );
    }
    let minutes = *h.minutes.get_ref();
    if minutes == 0 || minutes > 240 {
        err(h.minutes.span(), "minutes must be between 1 and 240".into());
    }
    if h.outcomes.get_ref().is_empty() || h.outcomes.get_ref().iter().any(|o| o.trim().is_empty()) {
        err(
            h.outcomes.span(),
            "list at least one learning outcome, none empty".into(),
        );
    }
    for skill in &h.skills {
        let uri = &skill.get_ref().uri;
        if !starts_with_any(uri, &["http://", "https://"]) {
            err(
                skill.span(),
                format!("skill uri \"{uri}\" is not an http(s) URI"),
            );
        }
        if skill.get_ref().label.trim().is_empty() {
            err(skill.span(), "skill label is empty".into());
        }
    }
    if h.summary
        .as_deref()
        .is_some_and(|s| s.chars().count() > 500)
    {
        err(
            h.title.span(),
            "summary is longer than 500 characters; keep it to a sentence or two".into(),
        );
    }
    let rules = h.assessment.get_ref();
    let spans = &h.rule_spans;
    if !(1..=100).contains(&rules.pass_mark) {
        err(
            spans.pass_mark.clone(),
            "pass_mark is a percentage from 1 to 100".into(),
        );
    }
    if rules.draw == 0 {
        err(spans.draw.clone(), "draw at least one question".into());
    }
    if let (Some(0), Some(span)) = (rules.time_limit_minutes, &spans.time_limit) {
        err(
            span.clone(),
            "time_limit_minutes must be positive (or left out)".into(),
        );
    }
    if minutes > MAX_MINUTES_BEFORE_WARNING {
        diags.warn(MODULE_TOML, line(h.minutes.span()), format!("{minutes} minutes is long for one sitting; consider splitting into modules of 15 minutes or less"));
    }
    for skill in h
        .skills
        .iter()
        .filter(|s| !starts_with_any(&s.get_ref().uri, &ESCO_PREFIXES))
    {
        diags.warn(
            MODULE_TOML,
            line(skill.span()),
            "skill uri is not an ESCO URI (http://data.europa.eu/esco/…)",
        );
    }
}

fn compile_lessons(
    files: &SourceFiles,
    used: &mut BTreeSet<String>,
    media_refs: &mut BTreeSet<(String, String, usize)>,
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

/// Checks a text's links and images; records media references; returns the media paths.
fn check_links(
    file: &str,
    fixed_line: Option<usize>,
    scan: &MarkdownScan,
    lessons: &HashSet<&str>,
    files: &SourceFiles,
    media_refs: &mut BTreeSet<(String, String, usize)>,
    diags: &mut Diagnostics,
) -> Vec<String> {
    let mut media = Vec::new();
    for link in &scan.links {
        let line = fixed_line.unwrap_or(link.line);
        let at = Some(line);
        if !link.is_image && (is_external(&link.target) || link.target.starts_with('#')) {
            continue;
        }
        let what = if link.is_image { "image" } else { "link" };
        let path = match resolve_link(parent_dir(file), &link.target) {
            Ok(path) => path,
            Err(why) => {
                diags.error(file, at, format!("{what} \"{}\": {why}", link.target));
                continue;
            }
        };
        let kind = media_kind(&path);
        if link.is_image && kind != Some(MediaKind::Image) {
            diags.error(
                file,
                at,
                format!(
                    "image \"{}\" is not a PNG, JPEG, WebP or GIF file",
                    link.target
                ),
            );
        } else if !link.is_image && kind.is_none() {
            if !path.ends_with(".md") || !lessons.contains(path.as_str()) {
                diags.error(file, at, format!("link \"{}\" is not a lesson, image or audio file in the module, so it would not be in the pack", link.target));
            }
            continue;
        } else if !files.contains(&path) {
            diags.error(
                file,
                at,
                format!("{what} \"{}\" not found in module folder", link.target),
            );
        } else {
            if link.is_image && link.alt.trim().is_empty() {
                diags.warn(file, at, format!("image \"{}\" has no description: write one in ![…] for learners who cannot see it", link.target));
            }
            media_refs.insert((path.clone(), file.to_owned(), line));
            if !media.contains(&path) {
                media.push(path);
            }
        }
    }
    media
}

fn compile_banks(
    files: &SourceFiles,
    banks: &[String],
    used: &mut BTreeSet<String>,
    media_refs: &mut BTreeSet<(String, String, usize)>,
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
            let stem = bank
                .rsplit('/')
                .next()
                .unwrap_or(bank)
                .split('.')
                .next()
                .unwrap_or("q");
            gift::parse(text, bank, stem, diags)
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

/// Every Markdown text of a question, any of which may show an image.
fn question_texts(q: &Question) -> Vec<&str> {
    let mut texts = vec![q.prompt.as_str()];
    texts.extend(q.explanation.as_deref());
    match &q.kind {
        QuestionKind::Single { options } | QuestionKind::Multiple { options, .. } => {
            for o in options {
                texts.push(&o.text);
                texts.extend(o.feedback.as_deref());
            }
        }
        QuestionKind::TrueFalse {
            feedback_true,
            feedback_false,
            ..
        } => texts.extend(
            feedback_true
                .iter()
                .chain(feedback_false)
                .map(String::as_str),
        ),
        QuestionKind::Ordering { items, .. } | QuestionKind::Checklist { items } => {
            texts.extend(items.iter().map(String::as_str));
        }
        QuestionKind::Matching {
            pairs, distractors, ..
        } => {
            texts.extend(
                pairs
                    .iter()
                    .flat_map(|p| [p.left.as_str(), p.right.as_str()]),
            );
            texts.extend(distractors.iter().map(String::as_str));
        }
        QuestionKind::Numeric { .. } | QuestionKind::ShortText { .. } => {}
    }
    texts
}

fn collect_media(
    files: &SourceFiles,
    refs: &BTreeSet<(String, String, usize)>,
    used: &mut BTreeSet<String>,
    diags: &mut Diagnostics,
) -> Vec<MediaFile> {
    let mut out: Vec<MediaFile> = Vec::new();
    for (path, from, line) in refs {
        if out.iter().any(|m| &m.path == path) {
            continue;
        }
        let Some(kind) = media_kind(path) else {
            continue;
        };
        used.insert(path.clone());
        let lows: Vec<&str> = files
            .paths()
            .filter(|p| is_low_variant_of(p, path, kind))
            .collect();
        if lows.len() > 1 {
            diags.error(
                from,
                Some(*line),
                format!(
                    "\"{path}\" has {} low-data variants ({}); keep one",
                    lows.len(),
                    lows.join(", ")
                ),
            );
        }
        let low = lows.first().map(|l| l.to_string());
        used.extend(low.clone());
        out.push(MediaFile {
            path: path.clone(),
            kind,
            low,
        });
    }
    out
}

/// True when `candidate` is `DIR/NAME.low.EXT` for `path` = `DIR/NAME.EXT2`, same media kind.
fn is_low_variant_of(candidate: &str, path: &str, kind: MediaKind) -> bool {
    let Some((stem, _)) = path.rsplit_once('.') else {
        return false;
    };
    candidate
        .strip_prefix(stem)
        .and_then(|rest| rest.strip_prefix(".low."))
        .is_some_and(|ext| !ext.contains('/') && media_kind(candidate) == Some(kind))
}

fn is_external(target: &str) -> bool {
    starts_with_any(target, &["http://", "https://", "mailto:", "tel:"])
}

/// Case-insensitive prefix test (`HTTPS://` is as good as `https://`).
fn starts_with_any(text: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| {
        text.get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p))
    })
}

fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests;
