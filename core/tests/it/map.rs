//! The map kept true: every folder of `core/src` and `hub/src`, and every file of the hub's
//! own top level (its parts are files: `ingest.rs`, `publish.rs`, …), is named in
//! ARCHITECTURE.md. A part added without a place on the map fails here, so the map cannot
//! drift from the code unseen.

use std::path::{Path, PathBuf};

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("core sits in the workspace")
        .to_owned()
}

/// Every folder of code under `dir` (recursively: a folder with a Rust file that is not only
/// tests) and, when `files` is set, every `.rs` file directly in `dir`, as paths relative to
/// `dir`.
fn parts(dir: &Path, files: bool) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in std::fs::read_dir(dir.join(&rel)).expect("a source folder") {
            let entry = entry.expect("an entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = rel.join(&name);
            if entry.file_type().expect("a type").is_dir() {
                if holds_code(&dir.join(&path)) {
                    found.push(path.to_string_lossy().into_owned());
                }
                stack.push(path);
            } else if files && rel.as_os_str().is_empty() && name.ends_with(".rs") {
                found.push(name);
            }
        }
    }
    found.sort();
    found
}

/// Whether `folder` holds a Rust file other than tests (JSON-LD contexts, SQL migrations,
/// snapshots and folders of tests are not parts of the map).
fn holds_code(folder: &Path) -> bool {
    std::fs::read_dir(folder)
        .expect("a source folder")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .any(|name| name.ends_with(".rs") && name != "tests.rs")
        && folder.file_name().is_some_and(|n| n != "tests")
}

/// Whether the map names `part` (a folder `a/b` or a file `x.rs`) as a code span:
/// `` `b` ``, `` `b/` ``, `` `a/b/` ``, `` `x.rs` `` or `` `x` ``.
fn named(map: &str, part: &str) -> bool {
    let leaf = part.rsplit('/').next().unwrap_or(part);
    let stem = leaf.strip_suffix(".rs").unwrap_or(leaf);
    [
        format!("`{part}`"),
        format!("`{part}/`"),
        format!("`{leaf}`"),
        format!("`{leaf}/`"),
        format!("`{stem}`"),
        format!("/{leaf}/`"),
    ]
    .iter()
    .any(|form| map.contains(form.as_str()))
}

/// The parts of `src` (under `crate_dir`) that the map does not name.
fn unnamed(map: &str, crate_dir: &str, files: bool) -> Vec<String> {
    let src = root().join(crate_dir).join("src");
    parts(&src, files)
        .into_iter()
        .filter(|part| !["lib.rs", "main.rs", "error.rs"].contains(&part.as_str()))
        .filter(|part| !named(map, part))
        .map(|part| format!("{crate_dir}/src/{part}"))
        .collect()
}

#[test]
fn every_folder_of_core_and_every_part_of_the_hub_is_on_the_map() {
    let map = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("the map");
    let mut missing = unnamed(&map, "core", false);
    missing.extend(unnamed(&map, "hub", true));
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md does not name these parts; give each its place on the map: {missing:?}"
    );
}

#[test]
fn a_part_the_map_does_not_name_is_found() {
    let map = "`keys` and `storage/` and `web/` and `ingest.rs`";
    assert!(named(map, "keys"));
    assert!(named(map, "storage"));
    assert!(named(map, "ingest.rs"));
    assert!(!named(map, "publish.rs"));
    assert!(!named(map, "storage/sqlite"));
}
