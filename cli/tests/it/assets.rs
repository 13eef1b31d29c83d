//! The sample content meets the bar the project sets for it: real modules of about 15
//! minutes, 8+ questions of several types, at least one not in English, all checking clean.

use std::collections::BTreeSet;

use skillpack_core::authoring::load_modules;

use super::{assets, skillpack, text};

/// The sample modules' folders.
fn sample_module_dirs() -> Vec<std::path::PathBuf> {
    std::fs::read_dir(assets().join("modules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("module.toml").is_file())
        .collect()
}

#[test]
fn sample_modules_check_clean_and_meet_the_content_bar() {
    let dirs = sample_module_dirs();
    assert!(dirs.len() >= 3, "at least three sample modules");
    let modules =
        load_modules(&dirs).unwrap_or_else(|e| panic!("sample modules have errors: {e:?}"));
    let mut languages = BTreeSet::new();
    for loaded in &modules {
        let m = &loaded.compiled.module;
        assert!(loaded.warnings.is_empty(), "{}: {}", m.id, loaded.warnings);
        assert!(m.minutes <= 15, "{} is {} minutes", m.id, m.minutes);
        assert!(
            m.questions.len() >= 8,
            "{} has {} questions",
            m.id,
            m.questions.len()
        );
        let types: BTreeSet<_> = m.questions.iter().map(|q| q.kind.type_name()).collect();
        assert!(types.len() >= 4, "{} uses only {types:?}", m.id);
        languages.insert(m.language.clone());
    }
    assert!(
        languages.iter().any(|l| !l.starts_with("en")),
        "a module in a second language"
    );
    let out = skillpack(&assets(), &["check", "modules/safe-riding"]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn every_sample_lesson_lays_out_with_all_its_media_in_place() {
    use skillpack_core::module::{lay_out, LayoutContext, LessonBlock};

    let dirs = sample_module_dirs();
    for loaded in load_modules(&dirs).unwrap() {
        let m = &loaded.compiled.module;
        let lessons: Vec<&str> = m.lessons.iter().map(|l| l.path.as_str()).collect();
        for lesson in &m.lessons {
            let dir = dirs.iter().find(|d| d.ends_with(&m.id)).unwrap();
            let markdown = std::fs::read_to_string(dir.join(&lesson.path)).unwrap();
            let blocks = lay_out(
                &markdown,
                LayoutContext {
                    lesson_path: &lesson.path,
                    media: &lesson.media,
                    lessons: &lessons,
                },
            );
            let where_ = format!("{}/{}", m.id, lesson.path);
            assert!(
                matches!(&blocks[0], LessonBlock::Heading { level: 1, .. }),
                "{where_} starts with its title"
            );
            let shown: BTreeSet<u32> = blocks
                .iter()
                .filter_map(|b| match b {
                    LessonBlock::Image { media, .. } | LessonBlock::Audio { media, .. } => {
                        Some(*media)
                    }
                    _ => None,
                })
                .collect();
            let all: BTreeSet<u32> = (0..lesson.media.len() as u32).collect();
            assert_eq!(shown, all, "{where_}: every media file has its block");
        }
    }
}
