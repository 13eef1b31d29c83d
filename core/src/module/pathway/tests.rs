//! Pathways as a trainer writes them: the sample compiles to a module with parts and no
//! assessment, every mistake is reported by name, a pack checks its parts are its own
//! modules, and no attempt can be started at one.

use chrono::Utc;

use super::*;
use crate::assess::{AssessError, Attempt};
use crate::module::compile;

fn pathway_files(text: &str) -> SourceFiles {
    let mut files = SourceFiles::new();
    files.insert(PATHWAY_TOML, text);
    files
}

const RIDER_BASICS: &str = include_str!("../../../../assets/pathways/rider-basics/pathway.toml");

#[test]
fn the_sample_pathway_compiles_to_a_module_with_parts_and_no_assessment() {
    let compiled = compile(&pathway_files(RIDER_BASICS));
    assert!(
        !compiled.diagnostics.has_errors(),
        "{:?}",
        compiled.diagnostics
    );
    let module = compiled.module.expect("compiles").module;
    assert_eq!(module.id, "rider-basics");
    let pathway = module.pathway.as_ref().expect("a pathway");
    assert_eq!(pathway.parts, ["safe-riding", "talking-with-customers"]);
    assert_eq!(pathway.required, 2, "all parts when required is left out");
    assert!(module.lessons.is_empty() && module.questions.is_empty());
    assert!(module.recognition.quality_assurance.is_some());
    crate::module::check_sound(&module).expect("sound");
    // No attempt at a milestone: it is earned by its parts.
    assert!(matches!(
        Attempt::start(&module, 0, &[], Utc::now(), 1),
        Err(AssessError::Milestone(_))
    ));
}

/// A pathway.toml with `parts` and `more` lines.
fn written(parts: &str, more: &str) -> String {
    format!(
        "id = \"rider-basics\"\nversion = \"1.0.0\"\ntitle = \"Rider basics\"\n\
         language = \"en\"\noutcomes = [\"Ride safely\"]\nparts = [{parts}]\n{more}"
    )
}

#[test]
fn what_a_trainer_gets_wrong_in_a_pathway_is_named() {
    let two = "\"safe-riding\", \"talking-with-customers\"";
    assert!(compile(&pathway_files(&written(two, "required = 1\n")))
        .module
        .is_some());
    for (text, why) in [
        (written("", ""), "1 to 12 parts"),
        (written(two, "required = 3\n"), "required = 3"),
        (written(two, "required = 0\n"), "required = 0"),
        (
            written("\"safe-riding\", \"safe-riding\"", ""),
            "named twice",
        ),
        (
            written("\"safe-riding\", \"rider-basics\"", ""),
            "part of itself",
        ),
        (written("\"Safe Riding\"", ""), "not a module id"),
        (written(two, "minutes = 15\n"), "unknown field"),
        (
            written(two, "").replace("1.0.0", "one"),
            "MAJOR.MINOR.PATCH",
        ),
    ] {
        let compiled = compile(&pathway_files(&text));
        let said = format!("{:?}", compiled.diagnostics);
        assert!(
            compiled.module.is_none() && said.contains(why),
            "{why}: {said}"
        );
    }
    // A file beside pathway.toml is left out, with a warning.
    let mut files = pathway_files(RIDER_BASICS);
    files.insert("lessons/01-intro.md", "# Intro\n");
    let compiled = compile(&files);
    assert!(compiled.module.is_some());
    assert!(format!("{:?}", compiled.diagnostics).contains("left out of the pack"));
}

#[test]
fn a_packs_pathways_name_only_modules_of_the_pack() {
    let pathway = compile(&pathway_files(RIDER_BASICS))
        .module
        .expect("compiles")
        .module;
    let riding = compile(&crate::testing::module_files("safe-riding"))
        .module
        .expect("compiles")
        .module;
    let problems = check_pathways_in_pack([&pathway, &riding]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("\"talking-with-customers\" is not a module of this pack"));
    let talking = compile(&crate::testing::module_files("talking-with-customers"))
        .module
        .expect("compiles")
        .module;
    assert!(check_pathways_in_pack([&pathway, &riding, &talking]).is_empty());
}
