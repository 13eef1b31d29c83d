//! Pathways: a milestone a trainer declares over modules of one pack, in a folder of its own
//! holding `pathway.toml` ("Rider basics: all of these four modules", "any 3 of these 5").
//! It compiles to a [`Module`] with a [`Pathway`] and no lessons or assessment, so packs,
//! devices and hubs carry and store it as they do any module; passing the parts earns its
//! own credential (`credential::milestone`, docs/credentials.md "Milestones").

use serde::Deserialize;

use super::compile::{Compilation, CompiledModule};
use super::diagnostics::Diagnostics;
use super::model::{AssessmentRules, Module, Pathway, QualityAssurance, SkillAlignment};
use super::{is_valid_id, is_valid_version, SourceFiles};

/// The file that makes a folder a pathway.
pub const PATHWAY_TOML: &str = "pathway.toml";
/// Most parts one pathway names.
pub const MAX_PARTS: usize = 12;

/// `pathway.toml` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPathway {
    id: String,
    version: String,
    title: String,
    language: String,
    summary: Option<String>,
    outcomes: Vec<String>,
    #[serde(default)]
    skills: Vec<SkillAlignment>,
    /// The modules that count, by id.
    parts: Vec<String>,
    /// How many must be passed; all of them when left out.
    required: Option<u32>,
    quality_assurance: Option<QualityAssurance>,
}

/// Compiles a pathway folder (one with `pathway.toml`).
pub fn compile_pathway(files: &SourceFiles) -> Compilation {
    let mut diags = Diagnostics::default();
    let module = match files.get(PATHWAY_TOML).map(std::str::from_utf8) {
        None => {
            diags.error(PATHWAY_TOML, None, "not found");
            None
        }
        Some(Err(_)) => {
            diags.error(PATHWAY_TOML, None, "is not UTF-8 text");
            None
        }
        Some(Ok(text)) => match toml::from_str::<RawPathway>(text) {
            Ok(raw) => Some(raw),
            Err(e) => {
                let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1);
                diags.error(PATHWAY_TOML, line, e.message().trim().to_owned());
                None
            }
        },
    };
    for path in files.paths().filter(|p| *p != PATHWAY_TOML) {
        diags.warn(
            path,
            None,
            "a pathway has no lessons or questions: this file is left out of the pack",
        );
    }
    let module = module.and_then(|raw| {
        let required = raw.required.unwrap_or(raw.parts.len() as u32);
        let module = Module {
            id: raw.id,
            version: raw.version,
            title: raw.title,
            language: raw.language,
            minutes: 0,
            summary: raw.summary,
            translates: None,
            outcomes: raw.outcomes,
            skills: raw.skills,
            recognition: super::model::Recognition {
                quality_assurance: raw.quality_assurance,
                ..Default::default()
            },
            assessors: Vec::new(),
            lessons: Vec::new(),
            assessment: AssessmentRules {
                pass_mark: 100,
                draw: 0,
                attempts: 0,
                cooldown_minutes: 0,
                time_limit_minutes: None,
            },
            questions: Vec::new(),
            pathway: Some(Pathway {
                parts: raw.parts,
                required,
            }),
        };
        match check_pathway(&module) {
            Ok(()) => Some(module),
            Err(why) => {
                diags.error(PATHWAY_TOML, None, why);
                None
            }
        }
    });
    diags.sort();
    Compilation {
        module: module.map(|module| CompiledModule {
            module,
            media: Vec::new(),
        }),
        diagnostics: diags,
    }
}

/// What a pathway must be on its own: named as a module is, with parts (at most
/// [`MAX_PARTS`], each a module id, none twice, not itself) and a number required between one
/// and all of them; no lessons, no questions, no draw. Devices check it again on install.
pub fn check_pathway(module: &Module) -> Result<(), String> {
    let Some(pathway) = &module.pathway else {
        return Ok(());
    };
    if !is_valid_id(&module.id) {
        return Err(format!(
            "id \"{}\" must be 3-64 lowercase letters, digits and hyphens",
            module.id
        ));
    }
    if !is_valid_version(&module.version) {
        return Err(format!(
            "version \"{}\" must look like 1.0.0 (MAJOR.MINOR.PATCH)",
            module.version
        ));
    }
    if module.title.trim().is_empty() || module.outcomes.is_empty() {
        return Err("a pathway needs a title and what the learner can do (outcomes)".into());
    }
    if !module.lessons.is_empty() || !module.questions.is_empty() || module.assessment.draw != 0 {
        return Err("a pathway has no lessons or questions of its own".into());
    }
    let parts = &pathway.parts;
    if parts.is_empty() || parts.len() > MAX_PARTS {
        return Err(format!(
            "a pathway names 1 to {MAX_PARTS} parts, not {}",
            parts.len()
        ));
    }
    for (n, part) in parts.iter().enumerate() {
        if !is_valid_id(part) {
            return Err(format!("the part \"{part}\" is not a module id"));
        }
        if *part == module.id {
            return Err("a pathway cannot be a part of itself".into());
        }
        if parts[..n].contains(part) {
            return Err(format!("the part \"{part}\" is named twice"));
        }
    }
    if pathway.required == 0 || pathway.required as usize > parts.len() {
        return Err(format!(
            "required = {} but a pathway of {} parts needs 1 to {}",
            pathway.required,
            parts.len(),
            parts.len()
        ));
    }
    Ok(())
}

/// Checks the pathways among a pack's `modules`: each part must be a module of the pack,
/// and not a pathway. Gives each problem.
pub fn check_pathways_in_pack<'a>(
    modules: impl IntoIterator<Item = &'a Module> + Clone,
) -> Vec<String> {
    let mut problems = Vec::new();
    for module in modules.clone() {
        let Some(pathway) = &module.pathway else {
            continue;
        };
        for part in &pathway.parts {
            match modules.clone().into_iter().find(|m| m.id == *part) {
                None => problems.push(format!(
                    "pathway {}: its part \"{part}\" is not a module of this pack",
                    module.id
                )),
                Some(found) if found.pathway.is_some() => problems.push(format!(
                    "pathway {}: its part \"{part}\" is a pathway; parts are modules",
                    module.id
                )),
                Some(_) => {}
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests;
