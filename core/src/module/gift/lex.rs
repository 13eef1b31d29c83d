//! The characters of GIFT text with their escapes resolved, and the few searches the parser
//! needs: a marker counts only where it was not escaped with a backslash.

/// A character of GIFT text and whether a backslash escaped it.
pub(super) type Chars = Vec<(char, bool)>;

/// Resolves escapes: `\~` becomes `~` marked as escaped, `\n` a line break.
pub(super) fn lex(text: &str) -> Chars {
    let mut out = Vec::with_capacity(text.len());
    let mut it = text.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n') => out.push(('\n', true)),
                Some(next) => out.push((next, true)),
                None => out.push(('\\', true)),
            }
        } else {
            out.push((c, false));
        }
    }
    out
}

/// The first unescaped character from `from` on that satisfies `pred`.
pub(super) fn find(
    chars: &[(char, bool)],
    from: usize,
    pred: impl Fn(char) -> bool,
) -> Option<usize> {
    (from..chars.len()).find(|&i| !chars[i].1 && pred(chars[i].0))
}

/// Where an unescaped `seq` starts.
pub(super) fn find_seq(chars: &[(char, bool)], seq: &str) -> Option<usize> {
    let seq: Vec<char> = seq.chars().collect();
    (0..chars.len()).find(|&i| {
        chars[i..].len() >= seq.len()
            && seq
                .iter()
                .zip(&chars[i..])
                .all(|(s, (c, esc))| !esc && s == c)
    })
}

/// Splits at unescaped `sep`.
pub(super) fn split_unescaped(chars: &[(char, bool)], sep: char) -> Vec<&[(char, bool)]> {
    chars.split(|&(c, esc)| !esc && c == sep).collect()
}

/// The text, trimmed.
pub(super) fn text_of(chars: &[(char, bool)]) -> String {
    let s: String = chars.iter().map(|(c, _)| c).collect();
    s.trim().to_owned()
}
