//! Turns what a trainer types in the preview into an answer: option numbers as shown, the
//! order of items as numbers, a number, or words. Typing keeps the preview drivable by a
//! script (tmux send-keys) with no pointing device.

use skillpack_core::assess::{Answer, ChoiceView, QuestionViewKind};

/// The answer `typed` gives to a question shown as `kind`, or why it is not one.
pub fn parse_answer(kind: &QuestionViewKind, typed: &str) -> Result<Answer, String> {
    let typed = typed.trim();
    match kind {
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
        QuestionViewKind::Numeric { .. } => typed
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Answer::Numeric)
            .ok_or_else(|| "type a number".into()),
        QuestionViewKind::ShortText => Ok(Answer::ShortText(typed.to_owned())),
        QuestionViewKind::Checklist { .. } => Err("an assessor checks this in person".into()),
    }
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
        assert_eq!(parse_answer(&single, "1"), Ok(Answer::Single(2)));
        assert!(parse_answer(&single, "4").is_err());
        assert!(parse_answer(&single, "1 2").is_err());
        let ordering = QuestionViewKind::Ordering {
            items: choices(&[1, 0]),
        };
        assert_eq!(
            parse_answer(&ordering, "2 1"),
            Ok(Answer::Ordering(vec![0, 1]))
        );
        let matching = QuestionViewKind::Matching {
            lefts: choices(&[0, 1]),
            rights: choices(&[1, 0]),
        };
        assert_eq!(
            parse_answer(&matching, "2 -"),
            Ok(Answer::Matching(vec![Some(0), None]))
        );
        assert_eq!(
            parse_answer(&QuestionViewKind::Numeric { unit: None }, "2,5"),
            Ok(Answer::Numeric(2.5))
        );
        assert_eq!(
            parse_answer(&QuestionViewKind::TrueFalse, "F"),
            Ok(Answer::TrueFalse(false))
        );
    }
}
