//! What a learner typed into a numeric or short-text question, read the same way on every
//! phone: numbers with a decimal point or comma, with or without grouping (`1 000`,
//! `1,000,000`, `1.234,5`, `1,00,000`); a number that could be read two ways (`2,500`) is
//! refused with a hint rather than guessed.

use super::answer::Answer;
use super::error::AssessError;
use crate::module::{Question, QuestionKind};

/// Longest text read as a number.
const MAX_NUMBER_TEXT: usize = 64;

/// The answer in `text` for `question`: `None` when nothing was typed (the question is then
/// unanswered), an error saying what to write when it cannot be read.
pub fn read_typed(question: &Question, text: &str) -> Result<Option<Answer>, AssessError> {
    let refuse = |why: String| AssessError::InvalidAnswer {
        question: question.id.clone(),
        why,
    };
    let trimmed = text.trim();
    match &question.kind {
        QuestionKind::Numeric { .. } if trimmed.is_empty() => Ok(None),
        QuestionKind::Numeric { .. } => read_number(trimmed)
            .map(|n| Some(Answer::Numeric(n)))
            .map_err(refuse),
        QuestionKind::ShortText { .. } if trimmed.is_empty() => Ok(None),
        QuestionKind::ShortText { .. } => Ok(Some(Answer::ShortText(text.to_owned()))),
        kind => Err(refuse(format!(
            "a {} question is not answered by typing",
            kind.type_name()
        ))),
    }
}

/// The text to show again for a typed answer (a resumed attempt), or `None` for answers of
/// other kinds.
pub fn typed_text(answer: &Answer) -> Option<String> {
    match answer {
        Answer::Numeric(n) => Some(n.to_string()),
        Answer::ShortText(text) => Some(text.clone()),
        _ => None,
    }
}

/// A number as people write it; the error says what to write instead.
fn read_number(text: &str) -> Result<f64, String> {
    if text.len() > MAX_NUMBER_TEXT {
        return Err("that is too long for a number".into());
    }
    let not_a_number = || format!("{text:?} is not a number");
    let (negative, rest) = match text.strip_prefix(['-', '\u{2212}']) {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    // Spaces of any width and apostrophes only group digits.
    let body: String = rest
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\'' | '\u{2019}'))
        .collect();
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err(not_a_number());
    }
    let decimal = decimal_separator(&body).map_err(|why| why.unwrap_or_else(not_a_number))?;
    let plain: String = body
        .chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            c if Some(c) == decimal => Some('.'),
            _ => None,
        })
        .collect();
    let value: f64 = plain.parse().map_err(|_| not_a_number())?;
    if !value.is_finite() {
        return Err(not_a_number());
    }
    Ok(if negative { -value } else { value })
}

/// Which of `.` and `,` (if either) marks the decimals in `body` (digits, points and commas);
/// the other groups digits. `Err(Some(hint))` when it could be read two ways, `Err(None)`
/// when it is not a number.
fn decimal_separator(body: &str) -> Result<Option<char>, Option<String>> {
    let count = |sep: char| body.matches(sep).count();
    let (points, commas) = (count('.'), count(','));
    match (points, commas) {
        (0, 0) => Ok(None),
        (n, 0) | (0, n) => {
            let sep = if points > 0 { '.' } else { ',' };
            if n > 1 {
                return if well_grouped(body, sep) {
                    Ok(None)
                } else {
                    Err(None)
                };
            }
            let (whole, fraction) = body.split_once(sep).unwrap_or((body, ""));
            let could_group = fraction.len() == 3 && (1..=3).contains(&whole.len()) && whole != "0";
            if could_group {
                Err(Some(format!(
                    "{body:?} could be read two ways: write {whole}{fraction} or \
                     {whole}.{fraction} without grouping"
                )))
            } else {
                Ok(Some(sep))
            }
        }
        _ => {
            // Both: the last one written marks the decimals, once, after the grouping.
            let last = body
                .rfind(['.', ','])
                .and_then(|i| body[i..].chars().next());
            let (decimal, grouping) = match last {
                Some('.') => ('.', ','),
                _ => (',', '.'),
            };
            let before = &body[..body.rfind(decimal).unwrap_or(0)];
            if count(decimal) == 1 && well_grouped(before, grouping) {
                Ok(Some(decimal))
            } else {
                Err(None)
            }
        }
    }
}

/// Whether `digits` grouped by `sep` has groups a person would write: the first 1 to 3
/// digits, then groups of 2 or 3 ending in 3 (which covers `1,00,000` as well).
fn well_grouped(digits: &str, sep: char) -> bool {
    let mut groups = digits.split(sep);
    let first = groups.next().unwrap_or_default();
    let rest: Vec<&str> = groups.collect();
    let digits_only = |g: &str| g.chars().all(|c| c.is_ascii_digit());
    (1..=3).contains(&first.len())
        && digits_only(first)
        && rest
            .iter()
            .all(|g| (2..=3).contains(&g.len()) && digits_only(g))
        && rest.last().is_none_or(|g| g.len() == 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        let cases = [
            ("42", 42.0),
            ("-3", -3.0),
            ("\u{2212}3", -3.0),
            ("+7", 7.0),
            ("1.5", 1.5),
            ("1,5", 1.5),
            (".5", 0.5),
            ("0,250", 0.25),
            ("12.", 12.0),
            ("1 000", 1000.0),
            ("1\u{202f}000,5", 1000.5),
            ("1'000", 1000.0),
            ("1,000,000", 1e6),
            ("1.000.000", 1e6),
            ("1,00,000", 1e5),
            ("1,234.5", 1234.5),
            ("1.234,5", 1234.5),
            ("12345.678", 12345.678),
        ];
        for (text, want) in cases {
            assert_eq!(read_number(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn what_is_not_a_number_or_is_ambiguous_is_refused_with_words() {
        for text in [
            "",
            "-",
            ".",
            "abc",
            "1e5",
            "NaN",
            "inf",
            "1..2",
            "1,2,3.4.5",
            "1.2.3",
            "12,34,5",
            "1,2345,678",
            "--1",
            "0x10",
        ] {
            let e = read_number(text).expect_err(text);
            assert!(e.contains("not a number"), "{text}: {e}");
        }
        for text in ["2,500", "2.500", "10,000"] {
            let e = read_number(text).expect_err(text);
            assert!(e.contains("two ways"), "{text}: {e}");
        }
        assert!(read_number(&"1".repeat(65)).is_err());
        assert!(read_number(&"9".repeat(60)).is_ok(), "large but finite");
    }

    #[test]
    fn shown_again_as_typed() {
        assert_eq!(
            typed_text(&Answer::Numeric(1000.0)).as_deref(),
            Some("1000")
        );
        assert_eq!(typed_text(&Answer::Numeric(1.5)).as_deref(), Some("1.5"));
        assert_eq!(
            typed_text(&Answer::ShortText(" Nairobi".into())).as_deref(),
            Some(" Nairobi")
        );
        assert_eq!(typed_text(&Answer::TrueFalse(true)), None);
    }
}
