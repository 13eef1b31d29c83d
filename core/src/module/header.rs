//! Checks on `module.toml` beyond its shape: ids, versions, language tags, minutes, skills
//! and assessment rules, each reported at the line where the trainer wrote it.

use super::diagnostics::{Diagnostics, Lines};
use super::is_valid_id;
use super::references::starts_with_any;
use super::toml_source::ModuleToml;
use super::validate::is_version;
use super::MODULE_TOML;
use crate::keys::PublicKey;

/// Where ESCO skill URIs start.
const ESCO_PREFIXES: [&str; 2] = [
    "http://data.europa.eu/esco/",
    "https://data.europa.eu/esco/",
];
/// Minutes above which a module stops being micro-learning.
const MAX_MINUTES_BEFORE_WARNING: u32 = 15;
/// Checks what `module.toml` says about the module and its assessment.
pub(crate) fn check_head(h: &ModuleToml, text: &str, diags: &mut Diagnostics) {
    let lines = Lines::new(text);
    let line = |span: std::ops::Range<usize>| Some(lines.of(span.start));
    let mut err = |span, msg: String| diags.error(MODULE_TOML, line(span), msg);
    if !is_valid_id(h.id.get_ref()) {
        err(
            h.id.span(),
            "id must be 3-64 lowercase letters, digits and hyphens".into(),
        );
    }
    if let Some(original) = &h.translates {
        if !is_valid_id(original.get_ref()) {
            err(
                original.span(),
                "translates must name a module id: 3-64 lowercase letters, digits and hyphens"
                    .into(),
            );
        } else if original.get_ref() == h.id.get_ref() {
            err(
                original.span(),
                "translates names this module itself; name the module it is a translation of"
                    .into(),
            );
        }
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
    for assessor in &h.assessors {
        if PublicKey::parse(assessor.get_ref()).is_err() {
            err(
                assessor.span(),
                format!(
                    "assessor \"{}\" is not a public key (did:key:z6Mk…, as in a .pub file)",
                    assessor.get_ref()
                ),
            );
        }
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

fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}
