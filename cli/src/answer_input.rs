//! Turns what someone types in the terminal into an answer: option numbers as listed, the
//! order of items as numbers, a number, or words. One reading for the preview, `device take`
//! at its prompt and `device take --answers FILE`, so typing keeps every one of them
//! drivable by a script with no pointing device. Numbers and words are read by the core
//! (`answer_typed`), exactly as a phone's text field is.

use skillpack_core::assess::{Answer, ChoiceView, QuestionViewKind};
use skillpack_core::device::Device;

/// What the person typed, ready for the device.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// An answer to record as it is.
    Answer(Answer),
    /// Text for a numeric or short-text question, which the core reads.
    Typed(String),
}

impl Reply {
    /// Records the reply in the device's attempt in progress at `module`.
    pub fn give(self, device: &Device, module: &str, question: &str) -> skillpack_core::Result<()> {
        match self {
            Reply::Answer(answer) => device.answer(module, question, answer),
            Reply::Typed(text) => device.answer_typed(module, question, &text),
        }
    }
}

/// What `typed` answers to a question shown as `kind` (its options numbered from 1 in the
/// order `kind` lists them), or why it is not an answer.
pub fn parse_answer(kind: &QuestionViewKind, typed: &str) -> Result<Reply, String> {
    let typed = typed.trim();
    let answer = match kind {
        QuestionViewKind::Single { options } => {
            let [n] = numbers(typed, options.len())?[..] else {
                return Err("type one option number".into());
            };
            Ok(Answer::Single(options[n].key))
        }
        QuestionViewKind::Multiple { options } => Ok(Answer::Multiple(
            numbers(typed, options.len())?
                .iter()
                .map(|&n| options[n].key)
                .collect(),
        )),
        QuestionViewKind::TrueFalse => match typed.to_lowercase().as_str() {
            "t" | "true" | "1" => Ok(Answer::TrueFalse(true)),
            "f" | "false" | "2" => Ok(Answer::TrueFalse(false)),
            _ => Err("type t (true) or f (false)".into()),
        },
        QuestionViewKind::Ordering { items } => {
            let order = numbers(typed, items.len())?;
            Ok(Answer::Ordering(
                order.iter().map(|&n| items[n].key).collect(),
            ))
        }
        QuestionViewKind::Matching { lefts, rights } => {
            let picks: Vec<&str> = typed.split([' ', ',']).filter(|s| !s.is_empty()).collect();
            if picks.len() != lefts.len() {
                return Err(format!(
                    "type {} numbers (or -), one for each item on the left",
                    lefts.len()
                ));
            }
            picks
                .iter()
                .map(|p| match *p {
                    "-" => Ok(None),
                    p => pick(p, rights).map(Some),
                })
                .collect::<Result<_, _>>()
                .map(Answer::Matching)
        }
        QuestionViewKind::Numeric { .. } | QuestionViewKind::ShortText => {
            return Ok(Reply::Typed(typed.to_owned()));
        }
        QuestionViewKind::Checklist { .. } => Err("an assessor checks this in person".into()),
    };
    answer.map(Reply::Answer)
}

/// 1-based option numbers to 0-based positions.
fn numbers(typed: &str, count: usize) -> Result<Vec<usize>, String> {
    typed
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(|s| match s.parse::<usize>() {
            Ok(n) if (1..=count).contains(&n) => Ok(n - 1),
            _ => Err(format!("\"{s}\" is not a number from 1 to {count}")),
        })
        .collect()
}

fn pick(typed: &str, choices: &[ChoiceView]) -> Result<u32, String> {
    let [n] = numbers(typed, choices.len())?[..] else {
        return Err("one number per item".into());
    };
    Ok(choices[n].key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices(keys: &[u32]) -> Vec<ChoiceView> {
        keys.iter()
            .map(|&k| ChoiceView {
                key: k,
                text: format!("c{k}"),
            })
            .collect()
    }

    #[test]
    fn typed_numbers_map_to_the_keys_shown_at_those_positions() {
        let single = QuestionViewKind::Single {
            options: choices(&[2, 0, 1]),
        };
        let answer = |kind: &QuestionViewKind, typed: &str| match parse_answer(kind, typed) {
            Ok(Reply::Answer(a)) => Ok(a),
            Ok(Reply::Typed(t)) => Err(format!("typed {t}")),
            Err(e) => Err(e),
        };
        assert_eq!(answer(&single, "1"), Ok(Answer::Single(2)));
        assert_eq!(
            answer(&single, "4"),
            Err("\"4\" is not a number from 1 to 3".into())
        );
        assert!(answer(&single, "1 2").is_err());
        let ordering = QuestionViewKind::Ordering {
            items: choices(&[1, 0]),
        };
        assert_eq!(answer(&ordering, "2 1"), Ok(Answer::Ordering(vec![0, 1])));
        let matching = QuestionViewKind::Matching {
            lefts: choices(&[0, 1]),
            rights: choices(&[1, 0]),
        };
        assert_eq!(
            answer(&matching, "2 -"),
            Ok(Answer::Matching(vec![Some(0), None]))
        );
        assert_eq!(
            parse_answer(&QuestionViewKind::Numeric { unit: None }, " 2,5 "),
            Ok(Reply::Typed("2,5".into())),
            "numbers are read by the core"
        );
        assert_eq!(
            answer(&QuestionViewKind::TrueFalse, "F"),
            Ok(Answer::TrueFalse(false))
        );
    }
}
