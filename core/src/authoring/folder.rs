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
    let mut reader = FolderReader {
        root: dir,
        files: SourceFiles::new(),
        count: 0,
        total: 0,
    };
    reader.walk(dir, "", 0)?;
    Ok(reader.files)
}

/// The walk's state: what was read so far, counted as it goes.
struct FolderReader<'a> {
    root: &'a Path,
    files: SourceFiles,
    count: usize,
    total: u64,
}

impl FolderReader<'_> {
    fn walk(&mut self, dir: &Path, prefix: &str, depth: usize) -> Result<(), AuthoringError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| AuthoringError::Io { path, source }
        };
        if depth > MAX_DEPTH {
            return Err(self.too_large("folder nesting", format!("{MAX_DEPTH} levels")));
        }
        let mut items: Vec<_> = fs::read_dir(dir)
            .map_err(io(dir))?
            .collect::<Result<_, _>>()
            .map_err(io(dir))?;
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
            let kind = item.file_type().map_err(io(&path))?;
            if kind.is_symlink() {
                return Err(AuthoringError::BadFile {
                    path,
                    why: "symbolic links are not followed; copy the file into the module folder",
                });
            }
            if kind.is_dir() {
                self.walk(&path, &rel, depth + 1)?;
            } else if kind.is_file() {
                let bytes = self.read_file(&path)?;
                self.files.insert(rel, bytes);
            } else {
                return Err(AuthoringError::BadFile {
                    path,
                    why: "not a regular file (a device, pipe or socket)",
                });
            }
        }
        Ok(())
    }

    /// Reads one file, never more than the limits allow even if it grows while read.
    fn read_file(&mut self, path: &Path) -> Result<Vec<u8>, AuthoringError> {
        use std::io::Read;
        let io = |source| AuthoringError::Io {
            path: path.to_owned(),
            source,
        };
        self.count += 1;
        if self.count > MAX_FILES {
            return Err(self.too_large("the number of files", MAX_FILES.to_string()));
        }
        let mut bytes = Vec::new();
        fs::File::open(path)
            .map_err(io)?
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(AuthoringError::TooLarge {
                path: path.to_owned(),
                what: "the file",
                limit: "64 MiB".into(),
            });
        }
        self.total += bytes.len() as u64;
        if self.total > MAX_FOLDER_BYTES {
            return Err(self.too_large("the module folder", "512 MiB".into()));
        }
        Ok(bytes)
    }

    fn too_large(&self, what: &'static str, limit: String) -> AuthoringError {
        AuthoringError::TooLarge {
            path: self.root.to_owned(),
            what,
            limit,
        }
    }
}
