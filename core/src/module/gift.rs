//! Imports question banks written in Moodle's GIFT format, so trainers reuse what they have.
//!
//! Supported, read as Moodle reads them:
//! - `//` comments, `::title::` (becomes the question id), `$CATEGORY:` (ignored, warned);
//! - `[markdown]`, `[plain]` and `[moodle]` formats, stripped from answers and feedback too
//!   (`[html]` there as well when no markup follows);
//! - multiple choice (`=right ~wrong`, with `#feedback`), with weights scored as Moodle
//!   scores them: `{=a ~%50%b}` is single choice with partial credit, and
//!   `{~%50%a ~%50%b ~%-100%c}` multiple answers, the chosen weights summed and floored at
//!   zero;
//! - true/false (`{T}`, `{FALSE#wrong-answer feedback#right-answer feedback}`), short
//!   answer (`{=a =b}`), matching (`{=a -> 1 =b -> 2 = -> distractor}`);
//! - numeric (`{#5:0.5}`, `{#4..6}`, and `{#=%100%5:0.5#}` as Moodle's exporter writes it);
//! - missing word (text after the braces; punctuation right after them stays right after
//!   the blank), general feedback (`####…`), and the escapes `\~ \= \# \{ \} \: \\ \n`.
//!
//! Everything else (essays, descriptions, `[html]` markup, weights our scoring cannot
//! express such as a negative one in a single-choice question, several answer blocks) is an
//! error with its line, never silently dropped or changed.

use super::diagnostics::Diagnostics;
use super::question::{normalize_answer, Choice, Pair, Question, QuestionKind, Scoring};
use super::validate::is_slug;
use super::weight::Weight;

mod lex;

use lex::{find, find_seq, lex, split_unescaped, text_of, Chars};

/// Parses a GIFT bank. `stem` names questions that have no `::title::`.
pub(crate) fn parse(
    text: &str,
    file: &str,
    stem: &str,
    diags: &mut Diagnostics,
) -> Vec<(Question, usize)> {
    let mut out = Vec::new();
    for (number, (block, line)) in blocks(text, file, diags).into_iter().enumerate() {
        match parse_question(&block, stem, number + 1) {
            Ok(q) => out.push((q, line)),
            Err(message) => diags.error(file, Some(line), message),
        }
    }
    out
}

/// Splits the text into question blocks (separated by blank lines) with their first line.
fn blocks(text: &str, file: &str, diags: &mut Diagnostics) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut current: Option<(String, usize)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        if trimmed.starts_with("$CATEGORY:") {
            diags.warn(
                file,
                Some(i + 1),
                "GIFT category ignored: a module has one bank",
            );
            continue;
        }
        if trimmed.is_empty() {
            out.extend(current.take());
            continue;
        }
        let block = current.get_or_insert_with(|| (String::new(), i + 1));
        if !block.0.is_empty() {
            block.0.push('\n');
        }
        block.0.push_str(line);
    }
    out.extend(current);
    out
}

fn parse_question(block: &str, stem: &str, number: usize) -> Result<Question, String> {
    let mut chars = lex(block);
    let title = take_title(&mut chars)?;
    let id = match title.as_deref().map(slugify) {
        Some(slug) if !slug.is_empty() => slug,
        _ => format!("{stem}-{number}"),
    };
    if !is_slug(&id) {
        return Err(format!(
            "the title cannot become a question id; got \"{id}\""
        ));
    }
    let ctx = |msg: &str| format!("question \"{id}\": {msg}");
    take_format(&mut chars).map_err(|m| ctx(&m))?;
    let open = find(&chars, 0, |c| c == '{').ok_or_else(|| {
        ctx("no answer block {…}: a GIFT description is not a question; put it in a lesson")
    })?;
    let close = find(&chars, open, |c| c == '}').ok_or_else(|| ctx("the { has no closing }"))?;
    if find(&chars, close + 1, |c| c == '{').is_some() {
        return Err(ctx("more than one answer block {…} is not supported"));
    }
    let before = text_of(&chars[..open]);
    let after = text_of(&chars[close + 1..]);
    // Moodle writes the blank where the braces were: punctuation right after them stays
    // right after the blank.
    let prompt = if after.is_empty() {
        before
    } else if after.starts_with(['.', ',', ';', ':', '!', '?', ')', '»', '"', '\'']) {
        format!("{before} _____{after}")
    } else {
        format!("{before} _____ {after}")
    };
    let body = &chars[open + 1..close];
    let (body, explanation) = match find_seq(body, "####") {
        Some(at) => (
            &body[..at],
            Some(without_format(text_of(&body[at + 4..])).map_err(|m| ctx(&m))?),
        ),
        None => (body, None),
    };
    let kind = parse_answers(body).map_err(|m| ctx(&m))?;
    Ok(Question {
        id,
        prompt,
        points: 1,
        explanation: explanation.filter(|e| !e.is_empty()),
        kind,
    })
}

fn parse_answers(body: &[(char, bool)]) -> Result<QuestionKind, String> {
    let plain = text_of(body);
    if plain.is_empty() {
        return Err(
            "essay questions need a person to mark them; write a checklist \
                    question in questions.toml instead"
                .into(),
        );
    }
    let lead = body.iter().take_while(|(c, _)| c.is_whitespace()).count();
    if body.get(lead) == Some(&('#', false)) {
        return parse_numeric(&body[lead + 1..]);
    }
    let head = split_unescaped(body, '#');
    let word = text_of(head[0]).to_ascii_uppercase();
    if matches!(word.as_str(), "T" | "TRUE" | "F" | "FALSE") {
        if head.len() > 3 {
            return Err("a true/false answer takes at most two feedbacks".into());
        }
        let answer = word.starts_with('T');
        let feedback = |n: usize| -> Result<Option<String>, String> {
            head.get(n)
                .map(|f| without_format(text_of(f)))
                .transpose()
                .map(|f| f.filter(|f| !f.is_empty()))
        };
        let (wrong, right) = (feedback(1)?, feedback(2)?);
        let (feedback_true, feedback_false) = if answer {
            (right, wrong)
        } else {
            (wrong, right)
        };
        return Ok(QuestionKind::TrueFalse {
            answer,
            feedback_true,
            feedback_false,
        });
    }
    let answers = answers(body)?;
    let has_wrong = answers.iter().any(|a| !a.marked_right);
    if !has_wrong && answers.iter().any(|a| a.feedback.is_some()) {
        return Err(
            "per-answer #feedback on short-answer and matching questions is not \
                    supported; put it in the general feedback (####…) instead"
                .into(),
        );
    }
    if answers.iter().any(|a| a.text.contains("->")) {
        return matching(&answers);
    }
    if !has_wrong && answers.iter().all(|a| a.weight.is_none_or(is_full)) {
        return Ok(QuestionKind::ShortText {
            accept: answers.into_iter().map(|a| a.text).collect(),
        });
    }
    if !has_wrong {
        return Err("partial credit for short answers (=%50%…) is not supported".into());
    }
    choices(answers)
}

/// True for a weight of 100% (Moodle writes `=%100%` for a plain right answer).
fn is_full(weight: f64) -> bool {
    (weight - 100.0).abs() < 1e-9
}

/// One `=…` or `~…` answer.
struct Answer {
    marked_right: bool,
    weight: Option<f64>,
    text: String,
    feedback: Option<String>,
}

fn answers(body: &[(char, bool)]) -> Result<Vec<Answer>, String> {
    let starts: Vec<usize> = (0..body.len())
        .filter(|&i| matches!(body[i], ('=', false) | ('~', false)))
        .collect();
    if starts.is_empty() || !text_of(&body[..starts[0]]).is_empty() {
        return Err("answers must start with = (right) or ~ (wrong)".into());
    }
    let mut out = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(body.len());
        let mut part = &body[start + 1..end];
        let mut weight = None;
        let lead = part.iter().take_while(|(c, _)| c.is_whitespace()).count();
        if part.get(lead) == Some(&('%', false)) {
            let close = find(part, lead + 1, |c| c == '%').ok_or("a %weight% is not closed")?;
            let value = text_of(&part[lead + 1..close]);
            weight = Some(
                value
                    .parse::<f64>()
                    .ok()
                    .filter(|w| w.is_finite())
                    .ok_or_else(|| format!("bad weight %{value}%"))?,
            );
            part = &part[close + 1..];
        }
        let pieces = split_unescaped(part, '#');
        if pieces.len() > 2 {
            return Err("an answer has more than one #feedback".into());
        }
        out.push(Answer {
            marked_right: body[start].0 == '=',
            weight,
            text: without_format(text_of(pieces[0]))?,
            feedback: pieces
                .get(1)
                .map(|f| without_format(text_of(f)))
                .transpose()?
                .filter(|f| !f.is_empty()),
        });
    }
    Ok(out)
}

/// A multiple-choice question, read as Moodle reads it: with an `=` answer it is single
/// choice, each `~%w%` answer earning its weight; with none, multiple answers, each chosen
/// option earning its weight (negative ones taking away), the sum floored at zero.
fn choices(answers: Vec<Answer>) -> Result<QuestionKind, String> {
    let fully_right = answers.iter().filter(|a| a.marked_right).count();
    let weighted = answers.iter().any(|a| a.weight.is_some());
    if !weighted && fully_right != 1 {
        return Err(format!(
            "multiple choice needs exactly one =right answer, or weights (~%50%…) for \
             several, found {fully_right} =right"
        ));
    }
    let mut options = Vec::with_capacity(answers.len());
    for a in answers {
        let weight = match (a.marked_right, a.weight) {
            (true, Some(w)) if !is_full(w) => {
                return Err(format!(
                    "=%{w}% marks an answer fully right and partly right at once; write a \
                     partly right answer as ~%{w}%…"
                ))
            }
            (true, _) => Weight::FULL,
            (false, None) => Weight::default(),
            (false, Some(w)) => Weight::from_percent(w)
                .ok_or_else(|| format!("the weight %{w}% is not a percentage from -100 to 100"))?,
        };
        options.push(Choice {
            text: a.text,
            correct: false,
            feedback: a.feedback,
            weight: Some(weight),
        });
    }
    let mut kind = if fully_right == 0 {
        QuestionKind::Multiple {
            options,
            scoring: Scoring::Weighted,
        }
    } else if weighted || fully_right > 1 {
        QuestionKind::Single {
            options,
            scoring: Scoring::Weighted,
        }
    } else {
        for o in &mut options {
            o.correct = o.weight == Some(Weight::FULL);
            o.weight = None;
        }
        QuestionKind::Single {
            options,
            scoring: Scoring::AllOrNothing,
        }
    };
    kind.mark_right_by_weight();
    Ok(kind)
}

fn matching(answers: &[Answer]) -> Result<QuestionKind, String> {
    let mut pairs = Vec::new();
    let mut distractors = Vec::new();
    for a in answers {
        let (left, right) = a
            .text
            .split_once("->")
            .ok_or("in a matching question every answer is =left -> right")?;
        if !a.marked_right || a.weight.is_some_and(|w| !is_full(w)) {
            return Err("matching answers start with = and carry no weight".into());
        }
        let (left, right) = (left.trim().to_owned(), right.trim().to_owned());
        if left.is_empty() {
            distractors.push(right);
        } else {
            pairs.push(Pair { left, right });
        }
    }
    Ok(QuestionKind::Matching {
        pairs,
        distractors,
        scoring: Scoring::Partial,
    })
}

fn parse_numeric(body: &[(char, bool)]) -> Result<QuestionKind, String> {
    let text = text_of(body);
    let Some(list) = text.strip_prefix('=') else {
        return numeric_value(&text);
    };
    let answers: Vec<&str> = list
        .split('=')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .collect();
    match answers.as_slice() {
        [one] => {
            let one = one.strip_prefix("%100%").unwrap_or(one);
            // Moodle's exporter writes an empty feedback after each answer (`=%100%3:2#`).
            let one = one.strip_suffix('#').map_or(one, str::trim_end);
            if one.starts_with('%') {
                return Err("partial credit for numeric answers (=%50%…) is not supported".into());
            }
            numeric_value(one)
        }
        _ => Err(
            "several numeric answers in one question are not supported; keep the \
                  one fully right answer with a tolerance (#value:tolerance)"
                .into(),
        ),
    }
}

/// Parses `value`, `value:tolerance` or `min..max`; refuses per-answer feedback.
fn numeric_value(text: &str) -> Result<QuestionKind, String> {
    if text.contains('#') {
        return Err(
            "per-answer #feedback on numeric questions is not supported; put it in \
                    the general feedback (####…) instead"
                .into(),
        );
    }
    let num = |s: &str| {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("\"{}\" is not a number", s.trim()))
    };
    let (answer, tolerance) = if let Some((lo, hi)) = text.split_once("..") {
        let (lo, hi) = (num(lo)?, num(hi)?);
        if hi < lo {
            return Err("in a range min..max, min must not exceed max".into());
        }
        // lo + half the width: (lo + hi) / 2 overflows to infinity for huge bounds.
        (lo + (hi - lo) / 2.0, (hi - lo) / 2.0)
    } else if let Some((value, tol)) = text.split_once(':') {
        (num(value)?, num(tol)?.abs())
    } else {
        (num(text)?, 0.0)
    };
    Ok(QuestionKind::Numeric {
        answer,
        tolerance,
        unit: None,
    })
}

fn take_title(chars: &mut Chars) -> Result<Option<String>, String> {
    let lead = chars.iter().take_while(|(c, _)| c.is_whitespace()).count();
    if find_seq(&chars[lead..], "::") != Some(0) {
        return Ok(None);
    }
    let start = lead + 2;
    let len = find_seq(&chars[start..], "::").ok_or("the ::title:: is not closed")?;
    let title = text_of(&chars[start..start + len]);
    chars.drain(..start + len + 2);
    Ok(Some(title))
}

fn take_format(chars: &mut Chars) -> Result<(), String> {
    let lead = chars.iter().take_while(|(c, _)| c.is_whitespace()).count();
    if chars.get(lead) != Some(&('[', false)) {
        return Ok(());
    }
    let Some(close) = find(chars, lead, |c| c == ']') else {
        return Ok(());
    };
    match text_of(&chars[lead + 1..close]).as_str() {
        "markdown" | "plain" | "moodle" => {
            chars.drain(..=close);
            Ok(())
        }
        "html" => Err("[html] text is not supported; write the question in Markdown".into()),
        _ => Ok(()),
    }
}

/// A text without the format marker Moodle lets answers and feedback begin with
/// (`[plain]`, `[markdown]`, `[moodle]`, `[html]`): Moodle strips it, and so must we, or the
/// learner reads it. HTML markup after `[html]` is refused: the app shows text, not HTML.
fn without_format(text: String) -> Result<String, String> {
    let trimmed = text.trim_start();
    for marker in ["[plain]", "[markdown]", "[moodle]", "[html]"] {
        if let Some(rest) = trimmed.strip_prefix(marker) {
            if marker == "[html]" && rest.contains('<') {
                return Err(format!(
                    "\"{rest}\" is HTML; the app shows answers and feedback as text, so write it without tags"
                ));
            }
            return Ok(rest.trim().to_owned());
        }
    }
    Ok(text)
}

/// `¿Qué hacer?` → `que-hacer`: accents folded as in answers, anything else a hyphen.
pub(crate) fn slugify(title: &str) -> String {
    let mut out = String::new();
    for c in normalize_answer(title).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-')
        .chars()
        .take(64)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

#[cfg(test)]
mod tests;
