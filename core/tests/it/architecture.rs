//! The map in ARCHITECTURE.md, kept true by a test. The pure concerns (`module`, `assess`,
//! `ledger`, `credential`) take clocks, randomness and I/O as arguments: their sources
//! (outside `#[cfg(test)]` items and test files) must name no clock, no source of
//! randomness, no file, database or network API, and use no concern the map's arrows do not
//! let them use. The arrows are read from the "Concerns inside core" block of
//! ARCHITECTURE.md, so the map and this test cannot disagree.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The concerns that do no I/O and hold no clock or randomness of their own.
const PURE: &[&str] = &["module", "assess", "ledger", "credential"];

/// What a pure concern must not name, and why.
const FORBIDDEN: &[(&str, &str)] = &[
    ("Utc::now", "a clock"),
    ("Local::now", "a clock"),
    ("SystemTime", "a clock"),
    ("Instant::now", "a clock"),
    ("getrandom", "randomness"),
    ("rand::", "randomness"),
    ("crate::random", "randomness"),
    ("std::fs", "file I/O"),
    ("File::", "file I/O"),
    ("rusqlite", "a database"),
    ("reqwest", "the network"),
    ("std::net", "the network"),
    ("tokio", "an async runtime and its I/O"),
];

fn core_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The arrows of the "Concerns inside core" block: each concern and the concerns it may use.
fn arrows(map: &str) -> BTreeMap<String, BTreeSet<String>> {
    let section = map
        .split("## Concerns inside core")
        .nth(1)
        .expect("ARCHITECTURE.md has a \"Concerns inside core\" section");
    let block = section
        .split("```text")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the section opens with a text block of arrows");
    let mut arrows = BTreeMap::new();
    for line in block.lines().filter(|l| l.contains('►')) {
        let (from, to) = line.split_once('►').expect("an arrow");
        let from = from.trim_end_matches(['─', ' ']).trim();
        let to = to.split('(').next().unwrap_or("");
        let uses = to
            .split(',')
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .collect();
        assert!(
            arrows.insert(from.to_owned(), uses).is_none(),
            "{from} has two arrow lines"
        );
    }
    arrows
}

/// The Rust sources of a concern, test files (`tests.rs`, anything under `tests/`) left out.
fn sources(concern: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "tests" {
                    walk(&path, out);
                }
            } else if name.ends_with(".rs") && name != "tests.rs" {
                out.push(path);
            }
        }
    }
    let src = core_dir().join("src");
    let mut out = Vec::new();
    let file = src.join(format!("{concern}.rs"));
    if file.is_file() {
        out.push(file);
    }
    let dir = src.join(concern);
    if dir.is_dir() {
        walk(&dir, &mut out);
    }
    assert!(!out.is_empty(), "core/src/{concern} has no sources");
    out.sort();
    out
}

/// `source` with comments, string and character literals blanked (newlines kept), so only
/// code is searched: a doc line that names `Utc::now` to forbid it is not a use of it.
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && matches!(next, Some('#') | Some('"')) && !ident_before(&chars, i) {
            // A raw string: r"…", r#"…"#, …
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let body_start = j + 1;
            let rest: String = chars[body_start..].iter().collect();
            let len = rest.find(&close).map_or(rest.len(), |at| at + close.len());
            let end = body_start + rest[..len].chars().count();
            for &ch in &chars[i..end.min(chars.len())] {
                out.push(blank(ch));
            }
            i = end;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{7f}'), or a lifetime ('a), left as it is.
            let end = if next == Some('\\') {
                (i + 2..chars.len()).find(|&j| chars[j] == '\'')
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    for _ in i..=end {
                        out.push(' ');
                    }
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// `code` without its `#[cfg(test)]` items (a `mod tests { … }`, a `use` or `mod` line).
fn without_test_items(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at + "#[cfg(test)]".len()..];
        let semicolon = item.find(';');
        let brace = item.find('{');
        let skip = match (semicolon, brace) {
            (Some(s), Some(b)) if s < b => s + 1,
            (Some(s), None) => s + 1,
            (_, Some(b)) => {
                let mut depth = 0;
                let mut end = item.len();
                for (k, ch) in item[b..].char_indices() {
                    match ch {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = b + k + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            (None, None) => item.len(),
        };
        // Keep the line count, so a finding names its line.
        out.extend(item[..skip].chars().filter(|&c| c == '\n'));
        rest = &item[skip..];
    }
    out.push_str(rest);
    out
}

/// Where `needle` occurs in `code` as a name (not inside a longer identifier), by line.
fn lines_naming(code: &str, needle: &str) -> Vec<usize> {
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut from = 0;
        while let Some(at) = line[from..].find(needle) {
            let start = from + at;
            let before = line[..start].chars().next_back();
            let after = line[start + needle.len()..].chars().next();
            let ends_word = needle.ends_with(':')
                || needle.ends_with('_')
                || !after.is_some_and(|c| c.is_alphanumeric() || c == '_');
            let starts_word = needle.starts_with("crate::")
                || !before.is_some_and(|c| c.is_alphanumeric() || c == '_');
            if starts_word && ends_word {
                found.push(n + 1);
                break;
            }
            from = start + needle.len();
        }
    }
    found
}

/// The concerns `code` reaches through `crate::`: `use crate::x…`, `use crate::{x, y…}` and
/// paths such as `crate::x::f()`, by line.
fn concerns_used(code: &str) -> Vec<(usize, String)> {
    let mut used = Vec::new();
    let flat = code;
    let line_of = |offset: usize| flat[..offset].matches('\n').count() + 1;
    let mut from = 0;
    while let Some(at) = flat[from..].find("crate::") {
        let start = from + at;
        from = start + "crate::".len();
        if flat[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        let rest = &flat[from..];
        if let Some(group) = rest.strip_prefix('{') {
            // A group: every first segment in it, at any depth of nesting of the top level.
            let mut depth = 0;
            let mut segment = String::new();
            let mut expect_name = true;
            for ch in group.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expect_name = true;
                        segment.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 && expect_name {
                    if ch.is_alphanumeric() || ch == '_' {
                        segment.push(ch);
                    } else if !segment.is_empty() {
                        used.push((line_of(start), segment.clone()));
                        expect_name = false;
                    }
                }
            }
            if expect_name && !segment.is_empty() {
                used.push((line_of(start), segment));
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                used.push((line_of(start), name));
            }
        }
    }
    used
}

fn relative(path: &Path) -> String {
    path.strip_prefix(core_dir())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Every breach of the rules in the pure concerns, one line each.
fn breaches(map: &str) -> Vec<String> {
    let arrows = arrows(map);
    let concerns: BTreeSet<&String> = arrows
        .iter()
        .flat_map(|(from, to)| std::iter::once(from).chain(to))
        .collect();
    let mut breaches = Vec::new();
    for concern in PURE {
        let allowed = arrows
            .get(*concern)
            .unwrap_or_else(|| panic!("ARCHITECTURE.md draws no arrows for {concern}"));
        for path in sources(concern) {
            let source = std::fs::read_to_string(&path).unwrap();
            let code = without_test_items(&code_only(&source));
            for (needle, what) in FORBIDDEN {
                for line in lines_naming(&code, needle) {
                    breaches.push(format!(
                        "{}:{line}: {concern} names `{needle}` ({what}); take it as an argument",
                        relative(&path)
                    ));
                }
            }
            for (line, used) in concerns_used(&code) {
                let is_concern = concerns.iter().any(|c| **c == used);
                if is_concern && used != *concern && !allowed.contains(&used) {
                    breaches.push(format!(
                        "{}:{line}: {concern} uses {used}, which ARCHITECTURE.md draws no \
                         arrow to",
                        relative(&path)
                    ));
                }
            }
        }
    }
    breaches
}

fn architecture_md() -> String {
    std::fs::read_to_string(core_dir().join("../ARCHITECTURE.md")).unwrap()
}

#[test]
fn the_pure_concerns_name_no_clock_randomness_or_io_and_use_only_what_the_map_allows() {
    let found = breaches(&architecture_md());
    assert!(found.is_empty(), "\n{}", found.join("\n"));
}

#[test]
fn the_map_draws_arrows_for_every_pure_concern_and_the_reader_sees_them() {
    let arrows = arrows(&architecture_md());
    for concern in PURE {
        assert!(arrows.contains_key(*concern), "no arrows for {concern}");
    }
    assert!(arrows["module"].contains("keys"));
    assert!(
        !arrows["assess"].contains("protocol"),
        "no assess ↔ protocol cycle"
    );
}

#[test]
fn the_reader_finds_what_it_must_and_skips_comments_strings_and_tests() {
    let code = without_test_items(&code_only(
        "//! Never Utc::now here.\n\
         use crate::{keys::PublicKey, module::{Module, Question}};\n\
         let s = \"std::fs::read\"; let c = '{'; let r = r#\"tokio\"#;\n\
         fn f<'a>(x: &'a str) -> String { crate::hex::encode(x) }\n\
         #[cfg(test)]\nmod tests {\n    use crate::store::Store;\n    fn t() { Utc::now(); }\n}\n\
         #[cfg(test)]\nuse crate::sync::HubClient;\n\
         fn g() { let _ = SystemTime::now(); }\n",
    ));
    assert_eq!(lines_naming(&code, "Utc::now"), Vec::<usize>::new());
    assert_eq!(lines_naming(&code, "std::fs"), Vec::<usize>::new());
    assert_eq!(lines_naming(&code, "tokio"), Vec::<usize>::new());
    assert_eq!(lines_naming(&code, "SystemTime"), vec![12]);
    let used: Vec<String> = concerns_used(&code).into_iter().map(|(_, c)| c).collect();
    assert_eq!(used, vec!["keys", "module", "hex"]);
}
