//! A module's source files held in memory, keyed by clean relative path. Reading them from
//! disk (with size bounds) is the authoring side's job; everything here is pure, so the
//! compiler runs the same in tests, on a trainer's laptop and on the hub.

use std::collections::BTreeMap;

/// The files of one module folder: relative path (with `/`) to bytes.
#[derive(Debug, Clone, Default)]
pub struct SourceFiles {
    files: BTreeMap<String, Vec<u8>>,
}

impl SourceFiles {
    /// An empty folder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a file.
    pub fn insert(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), bytes.into());
    }

    /// The bytes of a file, if present.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// True when the file is present.
    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// Every path, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// The total size of all files, in bytes.
    pub fn total_size(&self) -> u64 {
        self.files.values().map(|b| b.len() as u64).sum()
    }
}

/// The folder part of a relative path (`lessons` for `lessons/01.md`, empty at the top).
pub(crate) fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Resolves a relative link `target` from a file in `base_dir` to a path inside the module.
///
/// Refuses what cannot travel in a pack: absolute paths, other hosts (`https://…`, `//…`,
/// `data:`), backslashes, and `..` that climbs out of the module folder.
pub(crate) fn resolve_link(base_dir: &str, target: &str) -> Result<String, &'static str> {
    let target = target.split(['#', '?']).next().unwrap_or_default();
    if target.is_empty() {
        return Err("the link is empty");
    }
    if target.contains("://") || target.starts_with("//") || has_scheme(target) {
        return Err("it is not a file in the module folder (the app works offline)");
    }
    if target.starts_with('/') {
        return Err("absolute paths are not allowed; write the path relative to this file");
    }
    if target.contains('\\') {
        return Err("use / between folders, not \\");
    }
    let decoded = percent_decode(target).ok_or("the link has a broken %-escape")?;
    let mut parts: Vec<&str> = base_dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop().ok_or("it points outside the module folder")?;
            }
            other => parts.push(other),
        }
    }
    Ok(parts.join("/"))
}

fn has_scheme(target: &str) -> bool {
    match target.split_once(':') {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && !scheme.contains('/')
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_relative_to_their_file() {
        assert_eq!(
            resolve_link("lessons", "../images/a.png"),
            Ok("images/a.png".into())
        );
        assert_eq!(
            resolve_link("lessons", "a%20b.png"),
            Ok("lessons/a b.png".into())
        );
        assert_eq!(
            resolve_link("", "./images/x.png#top"),
            Ok("images/x.png".into())
        );
    }

    #[test]
    fn links_that_cannot_travel_are_refused() {
        for bad in [
            "https://example.org/a.png",
            "//cdn/a.png",
            "data:image/png;base64,AAAA",
            "/etc/passwd",
            "../../secret.png",
            "images\\a.png",
            "a%zz.png",
            "",
        ] {
            assert!(resolve_link("lessons", bad).is_err(), "{bad:?}");
        }
    }
}
