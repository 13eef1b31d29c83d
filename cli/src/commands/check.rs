//! `skillpack check`: every problem of every module folder, without building.

use std::path::PathBuf;
use std::process::ExitCode;

use skillpack_core::authoring::{compile_for_pack, read_module_folder, AuthoringError};

use super::CommandResult;

/// Checks each folder and prints its problems; fails if any has an error.
pub fn run(dirs: &[PathBuf]) -> CommandResult {
    let mut failed = false;
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
            Some(m) => outln!(
                "{}: ok: {} lessons, {} questions, {} media",
                dir.display(),
                m.module.lessons.len(),
                m.module.questions.len(),
                m.media.len()
            ),
            None => failed = true,
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
