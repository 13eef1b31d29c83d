//! `skillpack check`: every problem of every module (and pathway) folder, without building;
//! folders checked together are checked as one pack (a pathway's parts must be among them).

use std::path::PathBuf;
use std::process::ExitCode;

use skillpack_core::authoring::{compile_for_pack, read_module_folder, AuthoringError};

use super::CommandResult;

/// Checks each folder and prints its problems; fails if any has an error.
pub fn run(dirs: &[PathBuf]) -> CommandResult {
    let mut failed = false;
    let mut compiled = Vec::new();
    for dir in dirs {
        let files = match read_module_folder(dir) {
            Ok(files) => files,
            Err(
                e @ (AuthoringError::Io { .. }
                | AuthoringError::TooLarge { .. }
                | AuthoringError::BadFile { .. }),
            ) => {
                eprintln!("{e}");
                failed = true;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let compilation = compile_for_pack(&files);
        print_report(dir, &compilation.diagnostics);
        match &compilation.module {
            Some(m) => match &m.module.pathway {
                Some(pathway) => outln!(
                    "{}: ok: a pathway of {} parts, {} required",
                    dir.display(),
                    pathway.parts.len(),
                    pathway.required
                ),
                None => outln!(
                    "{}: ok: {} lessons, {} questions, {} media",
                    dir.display(),
                    m.module.lessons.len(),
                    m.module.questions.len(),
                    m.media.len()
                ),
            },
            None => failed = true,
        }
        if let Some(m) = compilation.module {
            compiled.push(m.module);
        }
    }
    // Checked together, as a pack: each pathway's parts must be among the modules.
    if compiled.iter().any(|m| m.pathway.is_some()) {
        if dirs.len() > 1 {
            for problem in skillpack_core::module::check_pathways_in_pack(&compiled) {
                eprintln!("{problem}");
                failed = true;
            }
        } else {
            outln!(
                "its parts are checked with the modules: skillpack check PATHWAY MODULE..., \
                 or when the pack is built"
            );
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Prints a module's problems, each prefixed with its folder.
pub fn print_report(dir: &std::path::Path, diagnostics: &skillpack_core::module::Diagnostics) {
    for d in diagnostics.iter() {
        eprintln!("{}/{d}", dir.display());
    }
}
