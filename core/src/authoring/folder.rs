//! Reads a module folder from disk into memory, within bounds: a module is a few lessons
//! and pictures, so a folder with thousands of files or gigabytes is a mistake (often the
//! wrong folder) and is refused with a message rather than read.

use std::fs;
use std::path::Path;

use super::error::AuthoringError;
use crate::module::SourceFiles;

/// Most files one module folder may hold.
pub const MAX_FILES: usize = 2000;
/// Largest single file (a long audio clip).
pub const MAX_FILE_BYTES: u64 = 64 << 20;
/// Largest module folder in total.
pub const MAX_FOLDER_BYTES: u64 = 512 << 20;
/// Deepest folder nesting.
const MAX_DEPTH: usize = 8;

/// Reads every file below `dir`, skipping hidden ones (names starting with `.`).
pub fn read_module_folder(dir: &Path) -> Result<SourceFiles, AuthoringError> {
    let mut files = SourceFiles::new();
    walk(dir, "", 0, &mut files)?;
    Ok(files)
}

fn walk(
    dir: &Path,
    prefix: &str,
    depth: usize,
    files: &mut SourceFiles,
) -> Result<(), AuthoringError> {
    let io = |source| AuthoringError::Io {
        path: dir.to_owned(),
        source,
    };
    if depth > MAX_DEPTH {
        return Err(AuthoringError::TooLarge {
            path: dir.to_owned(),
            what: "folder nesting",
            limit: format!("{MAX_DEPTH} levels"),
        });
    }
    let mut items: Vec<_> = fs::read_dir(dir)
        .map_err(io)?
        .collect::<Result<_, _>>()
        .map_err(io)?;
    items.sort_by_key(|e| e.file_name());
    for item in items {
        let path = item.path();
        let Some(name) = item.file_name().to_str().map(str::to_owned) else {
            return Err(AuthoringError::BadFile {
                path,
                why: "the file name is not valid UTF-8; rename it",
            });
        };
        if name.starts_with('.') {
            continue;
        }
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let kind = item.file_type().map_err(io)?;
        if kind.is_symlink() {
            return Err(AuthoringError::BadFile {
                path,
                why: "symbolic links are not followed; copy the file into the module folder",
            });
        }
        if kind.is_dir() {
            walk(&path, &rel, depth + 1, files)?;
            continue;
        }
        let len = item.metadata().map_err(io)?.len();
        if len > MAX_FILE_BYTES {
            return Err(AuthoringError::TooLarge {
                path,
                what: "the file",
                limit: "64 MiB".into(),
            });
        }
        if files.paths().count() >= MAX_FILES {
            return Err(AuthoringError::TooLarge {
                path: dir.to_owned(),
                what: "the number of files",
                limit: MAX_FILES.to_string(),
            });
        }
        if files.total_size() + len > MAX_FOLDER_BYTES {
            return Err(AuthoringError::TooLarge {
                path: dir.to_owned(),
                what: "the module folder",
                limit: "512 MiB".into(),
            });
        }
        let bytes = fs::read(&path).map_err(|source| AuthoringError::Io {
            path: path.clone(),
            source,
        })?;
        files.insert(rel, bytes);
    }
    Ok(())
}
