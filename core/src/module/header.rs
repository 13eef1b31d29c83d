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

/// Checks the micro-credential keys: workload, credits, level, participation and quality
/// assurance (docs/credentials.md), each at the line where the trainer wrote it.
pub(crate) fn check_recognition(h: &ModuleToml, text: &str, diags: &mut Diagnostics) {
    let lines = Lines::new(text);
    let line = |span: std::ops::Range<usize>| Some(lines.of(span.start));
    let r = &h.recognition;
    let minutes = *h.minutes.get_ref();
    let workload = r
        .workload_minutes
        .as_ref()
        .map_or(minutes, |w| *w.get_ref());
    if let Some(w) = &r.workload_minutes {
        if *w.get_ref() < minutes {
            diags.error(MODULE_TOML, line(w.span()), format!(
                "workload_minutes ({}) is less than minutes ({minutes}); the notional workload includes the time spent in the app",
                w.get_ref()
            ));
        }
    }
    if let Some(ects) = &r.ects {
        let value = *ects.get_ref();
        let hundredths = value * 100.0;
        if !(value > 0.0 && value <= 60.0) {
            diags.error(
                MODULE_TOML,
                line(ects.span()),
                "ects must be more than 0 and at most 60".to_owned(),
            );
        } else if (hundredths - hundredths.round()).abs() > 1e-6 {
            diags.error(
                MODULE_TOML,
                line(ects.span()),
                format!(
                    "ects = {value} has more than two decimals; write it as {:.2}",
                    value
                ),
            );
        } else {
            let hours = f64::from(workload) / 60.0;
            if hours < value * 12.5 || hours > value * 60.0 {
                diags.warn(MODULE_TOML, line(ects.span()), format!(
                    "ects = {value} stands for {:.0} to {:.0} hours of work, but the notional workload is {workload} minutes; set workload_minutes or leave ects out",
                    value * 25.0,
                    value * 30.0
                ));
            }
        }
    }
    if let Some(level) = &r.level {
        let eqf = level.get_ref().eqf.get_ref();
        if !(1..=8).contains(eqf) {
            diags.error(
                MODULE_TOML,
                line(level.get_ref().eqf.span()),
                "level.eqf must be a whole number from 1 to 8".to_owned(),
            );
        }
    }
    if let Some(participation) = &r.participation {
        let list = participation.get_ref();
        if list.is_empty() {
            diags.error(MODULE_TOML, line(participation.span()), "participation is empty; list at least one value, or leave it out for offline-on-phone".to_owned());
        }
        for (i, p) in list.iter().enumerate() {
            if list[..i].contains(p) {
                diags.error(
                    MODULE_TOML,
                    line(participation.span()),
                    format!("participation lists \"{}\" twice", p.name()),
                );
            }
        }
    }
    match &r.quality_assurance {
        Some(qa) => {
            let description = qa.get_ref().description.trim();
            if description.is_empty() {
                diags.error(MODULE_TOML, line(qa.span()), "quality_assurance.description is empty; say who checks this module's content and assessment, and how".to_owned());
            } else if description.chars().count() > 500 {
                diags.error(MODULE_TOML, line(qa.span()), "quality_assurance.description is longer than 500 characters; put the details behind url".to_owned());
            }
            if let Some(url) = &qa.get_ref().url {
                if !starts_with_any(url, &["http://", "https://"]) {
                    diags.error(MODULE_TOML, line(qa.span()), format!("quality_assurance.url \"{url}\" is not an http(s) URL"));
                }
            }
        }
        None => diags.warn(
            MODULE_TOML,
            None,
            "no [quality_assurance]: credentials for this module are issued as a Badge, not a MicroCredential; describe how its quality is assured",
        ),
    }
}

fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}
