//! A learner's display name: the one rule for what a learner may choose and a trainer may
//! write as a label, checked on the device before it is sent and at the hub before it is
//! kept. A name is shown on trainers' pages, in exports and in xAPI statements, so it is
//! short, one line, and holds no control or formatting characters that could disguise it.
//! A utility: the wire, the signed grants and the store all hold names to it. Other words
//! from elsewhere that a screen shows (a revocation's reason) are made safe by the same rule.

/// Most characters in a display name.
pub const MAX_NAME_CHARS: usize = 64;

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing but spaces.
    #[error("a name cannot be empty")]
    Empty,
    /// Longer than [`MAX_NAME_CHARS`].
    #[error("a name has at most {MAX_NAME_CHARS} characters")]
    TooLong,
    /// A control or invisible formatting character (a line break, a direction override).
    #[error("a name is one line of visible characters")]
    Invisible,
}

/// The name as kept: spaces trimmed at both ends and runs of spaces made one.
pub fn display_name(text: &str) -> Result<String, NameError> {
    let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(NameError::TooLong);
    }
    if name.chars().any(invisible) {
        return Err(NameError::Invisible);
    }
    Ok(name)
}

/// Words from elsewhere made fit to show, never refused: one line, runs of spaces made one,
/// control and invisible formatting characters dropped (a direction override cannot turn
/// them around), at most `max_chars` characters.
pub fn visible_text(text: &str, max_chars: usize) -> String {
    let shown: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|&c| !invisible(c))
        .collect();
    shown
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(max_chars)
        .collect()
}

/// A control or invisible formatting character (zero-width, direction marks and overrides).
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_one_line_short_and_visible() {
        assert_eq!(
            display_name("  Achieng   Otieno ").unwrap(),
            "Achieng Otieno"
        );
        assert_eq!(display_name("Nguyễn Thị Hoa").unwrap(), "Nguyễn Thị Hoa");
        assert_eq!(display_name("   "), Err(NameError::Empty));
        assert_eq!(display_name(&"a".repeat(65)), Err(NameError::TooLong));
        assert!(
            display_name(&"é".repeat(64)).is_ok(),
            "characters, not bytes"
        );
        assert_eq!(display_name("Ann\u{202E}olleh"), Err(NameError::Invisible));
        assert_eq!(display_name("Ann\u{0007}"), Err(NameError::Invisible));
        assert_eq!(
            display_name("Ann\nBob").unwrap(),
            "Ann Bob",
            "a line break is a space"
        );
    }

    #[test]
    fn words_from_elsewhere_are_shown_on_one_line_without_invisible_characters() {
        assert_eq!(
            visible_text(" taken by\nsomeone\t else\u{202E}!\u{0007} ", 200),
            "taken by someone else!"
        );
        assert_eq!(visible_text(&"é".repeat(300), 200), "é".repeat(200));
        assert_eq!(visible_text("\u{200B}\u{0000}", 10), "");
    }
}
