//! Entry paths inside a pack: clean, relative, `/`-separated, the same on every phone.
//! Anything that could escape a folder or mean different things on different systems is
//! refused, so a device can store entries by path without a second thought. The one rule:
//! the reader, the writer and the trainer's `check` all use it.

use std::collections::HashMap;

use super::format::Limits;

/// Why a path is not a clean entry path, or `None` when it is.
pub fn path_problem(path: &str, limits: &Limits) -> Option<&'static str> {
    if path.is_empty() {
        return Some("an entry path is empty");
    }
    if path.len() > limits.max_path_len {
        return Some("an entry path is too long");
    }
    if path.starts_with('/') {
        return Some("an entry path is absolute");
    }
    if path.contains(['\\', ':', '*', '?', '"', '<', '>', '|']) {
        return Some("an entry path contains one of \\ : * ? \" < > |");
    }
    if path.chars().any(char::is_control) {
        return Some("an entry path contains a control character");
    }
    let mut depth = 0;
    for part in path.split('/') {
        match part {
            "" => return Some("an entry path has an empty folder name"),
            "." | ".." => return Some("an entry path contains . or .."),
            part if part.ends_with(['.', ' ']) => {
                return Some("an entry path has a name ending in a dot or space")
            }
            part if is_reserved_name(part) => {
                return Some("an entry path uses a name Windows reserves (CON, NUL, COM1…)")
            }
            _ => depth += 1,
        }
    }
    if depth > limits.max_path_depth {
        return Some("an entry path is too deep");
    }
    None
}

/// Entry paths of one pack, to find two that a case-insensitive file system (most phones'
/// shared storage, Windows, macOS) would take for one file: `A.png` and `a.png`.
#[derive(Debug, Default)]
pub struct EntryPaths {
    /// Each path so far, by its case-folded form.
    folded: HashMap<String, String>,
}

impl EntryPaths {
    /// Adds `path`; the path added before that differs from it only by case, if any.
    pub fn insert(&mut self, path: &str) -> Result<(), String> {
        match self.folded.insert(path.to_lowercase(), path.to_owned()) {
            Some(other) if other != path => Err(other),
            _ => Ok(()),
        }
    }
}

/// Device names that Windows refuses as file names, with or without an extension.
fn is_reserved_name(part: &str) -> bool {
    let stem = part.split('.').next().unwrap_or(part).to_ascii_uppercase();
    matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_paths_pass_and_dangerous_ones_do_not() {
        let limits = Limits::V1;
        assert_eq!(
            path_problem("safe-riding/lessons/01-check.md", &limits),
            None
        );
        assert_eq!(path_problem("cuidar/imágenes/niño.png", &limits), None);
        for bad in [
            "",
            "/etc/passwd",
            "../up",
            "a/../b",
            "a/./b",
            "a//b",
            "a/",
            "C:/x",
            "a\\b",
            "a\u{0}b",
            "a\nb",
            "m/con.png",
            "m/NUL",
            "m/com1.txt",
            "m/a.",
            "m/a ",
            "m/a?b",
            "m/a|b",
            "m/\"q\"",
        ] {
            assert!(path_problem(bad, &limits).is_some(), "{bad:?}");
        }
        assert!(path_problem("a/".repeat(17).trim_end_matches('/'), &limits).is_some());
        assert!(path_problem(&"a".repeat(256), &limits).is_some());
    }

    #[test]
    fn paths_that_differ_only_by_case_collide() {
        let mut paths = EntryPaths::default();
        assert_eq!(paths.insert("m/Images/A.png"), Ok(()));
        assert_eq!(paths.insert("m/images/b.png"), Ok(()));
        assert_eq!(
            paths.insert("m/images/b.png"),
            Ok(()),
            "the same path twice is one"
        );
        assert_eq!(paths.insert("m/images/a.png"), Err("m/Images/A.png".into()));
        assert_eq!(paths.insert("m/niño.md"), Ok(()));
        assert_eq!(paths.insert("m/NIÑO.md"), Err("m/niño.md".into()));
    }
}
