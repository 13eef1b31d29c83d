//! What `check` and `build` both run on a module folder: the compiler, then the pack's path
//! rule (`pack::path`, the one the pack writer applies) on every file the module would put
//! in a pack, reported at the file and line that use it. Without this, `check` said "ok" to
//! a folder whose `images/CON.png` or `lessons/A.md` beside `lessons/a.md` then failed the
//! build with a pack entry's name instead of the trainer's file.

use crate::module::{compile, Compilation, CompiledModule, Diagnostics, SourceFiles};
use crate::pack::{module_json_path, path_problem, EntryPaths, Limits};

/// Compiles a module folder's files and checks that every file it would pack has a path a
/// pack (and every phone's file system) can hold; `module` is `None` when anything failed.
pub fn compile_for_pack(files: &SourceFiles) -> Compilation {
    let mut compilation = compile(files);
    if let Some(compiled) = &compilation.module {
        check_pack_paths(compiled, &mut compilation.diagnostics);
        if compilation.diagnostics.has_errors() {
            compilation.module = None;
            compilation.diagnostics.sort();
        }
    }
    compilation
}

/// Reports each packed file whose entry path breaks the pack's path rule, or differs from
/// another only by case, at the file (and line) where the trainer can fix it.
fn check_pack_paths(compiled: &CompiledModule, diags: &mut Diagnostics) {
    let id = &compiled.module.id;
    let mut paths = EntryPaths::default();
    // module.json comes first in every pack: nothing in the folder may collide with it.
    let _ = paths.insert(&module_json_path(id));
    let lessons = compiled
        .module
        .lessons
        .iter()
        .map(|l| (l.path.as_str(), (l.path.as_str(), None)));
    let media = compiled.media.iter().flat_map(|m| {
        let at = (m.shown_at.0.as_str(), Some(m.shown_at.1));
        std::iter::once((m.path.as_str(), at)).chain(m.low.as_deref().map(|low| (low, at)))
    });
    for (path, (file, line)) in lessons.chain(media) {
        let entry = format!("{id}/{path}");
        if let Some(problem) = path_problem(&entry, &Limits::V1) {
            diags.error(
                file,
                line,
                format!("\"{path}\" cannot go in a pack ({problem}: {entry}); rename it"),
            );
        } else if let Err(other) = paths.insert(&entry) {
            diags.error(
                file,
                line,
                format!(
                    "\"{path}\" differs from \"{}\" only by case: phones that ignore case \
                     would take them for one file; rename one",
                    other.strip_prefix(&format!("{id}/")).unwrap_or(&other)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::module_files;

    fn problems(files: &SourceFiles) -> Vec<String> {
        let c = compile_for_pack(files);
        assert!(c.module.is_none(), "should fail");
        c.diagnostics.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_fixture_has_clean_paths() {
        let c = compile_for_pack(&module_files("bike-check"));
        assert!(c.module.is_some(), "{}", c.diagnostics);
    }

    #[test]
    fn a_name_windows_reserves_is_reported_where_it_is_shown() {
        let mut f = module_files("bike-check");
        f.insert("images/con.png", crate::testing::fake_image(100, 3));
        f.insert(
            "lessons/03-con.md",
            "# Con\n\nSee this.\n\n![A console](../images/con.png)\n",
        );
        let found = problems(&f);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("lessons/03-con.md:5: \"images/con.png\" cannot go in a pack"),
            "{found:?}"
        );
        assert!(found[0].contains("Windows reserves"), "{found:?}");
    }

    #[test]
    fn lessons_that_differ_only_by_case_are_reported() {
        let mut f = module_files("bike-check");
        f.insert("lessons/02-Tyres.md", "# Tyres again\n\nMore.\n");
        let found = problems(&f);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("only by case"), "{found:?}");
    }

    #[test]
    fn a_character_some_file_systems_refuse_and_an_over_long_path_are_reported() {
        let mut f = module_files("bike-check");
        f.insert("lessons/03-why?.md", "# Why\n\nBecause.\n");
        let long = format!("images/{}.png", "p".repeat(250));
        f.insert(&long, crate::testing::fake_image(100, 4));
        f.insert(
            "lessons/04-long.md",
            format!("# Long\n\n![A long name](../{long})\n"),
        );
        let found = problems(&f);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("lessons/03-why?.md: "), "{found:?}");
        assert!(found[0].contains("one of"), "{found:?}");
        assert!(found[1].starts_with("lessons/04-long.md:3: "), "{found:?}");
        assert!(found[1].contains("too long"), "{found:?}");
    }
}
