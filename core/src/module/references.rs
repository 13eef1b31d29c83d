//! What lessons and questions point at: links, images and audio. Each target is resolved
//! inside the module folder, checked, and collected with the low-data variant beside it, so
//! the build knows exactly which files a pack needs.

use std::collections::{BTreeSet, HashSet};

use super::diagnostics::Diagnostics;
use super::markdown::MarkdownScan;
use super::media::{media_kind, MediaKind};
use super::question::{Question, QuestionKind};
use super::source::{parent_dir, resolve_link, SourceFiles};

/// Media referenced so far: (path, file that shows it, line there).
pub(crate) type MediaRefs = BTreeSet<(String, String, usize)>;

/// A media file a module uses, with its low-data variant if the trainer made one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFile {
    /// Path relative to the module folder.
    pub path: String,
    /// Image or audio.
    pub kind: MediaKind,
    /// The `NAME.low.EXT` file beside it, if any.
    pub low: Option<String>,
    /// The file that first shows it and the line there, where a problem with it is reported.
    pub shown_at: (String, usize),
}

/// Checks a text's links and images; records media references; returns the media paths.
pub(crate) fn check_links(
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

/// Every Markdown text of a question, any of which may show an image.
pub(crate) fn question_texts(q: &Question) -> Vec<&str> {
    let mut texts = vec![q.prompt.as_str()];
    texts.extend(q.explanation.as_deref());
    match &q.kind {
        QuestionKind::Single { options, .. } | QuestionKind::Multiple { options, .. } => {
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

pub(crate) fn collect_media(
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
        if let Some(full) = files
            .paths()
            .find(|full| is_low_variant_of(path, full, kind))
        {
            diags.error(
                from,
                Some(*line),
                format!(
                    "\"{path}\" is the low-data variant of \"{full}\": link \"{full}\" and the \
                     app shows the low-data one when the learner saves data"
                ),
            );
            continue;
        }
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
            shown_at: (from.clone(), *line),
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
pub(crate) fn starts_with_any(text: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| {
        text.get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p))
    })
}
