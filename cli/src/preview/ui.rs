//! Draws the preview's current screen: a title, the body, the answer being typed and a
//! status line with the keys that work here.

use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Text};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use skillpack_core::assess::{QuestionView, QuestionViewKind};

use super::app::{App, Screen};
use crate::commands::correctness_label;
use skillpack_core::assess::points_text;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let [title, body, input, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(3),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    let (heading, text, scroll) = screen_text(app);
    frame.render_widget(
        Line::from(format!(" Skillpack preview · {heading}"))
            .style(Style::new().add_modifier(Modifier::REVERSED)),
        title,
    );
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(Block::new().borders(Borders::ALL)),
        body,
    );
    if matches!(app.screen, Screen::Question { .. }) {
        frame.render_widget(
            Paragraph::new(format!("> {}", app.input))
                .block(Block::new().borders(Borders::ALL).title(" your answer ")),
            input,
        );
    }
    frame.render_widget(Line::from(format!(" {}", app.status)), status);
}

fn screen_text(app: &App) -> (String, Text<'static>, u16) {
    match &app.screen {
        Screen::Modules { selected } => {
            let lines = app.modules.iter().enumerate().map(|(i, m)| {
                marked(
                    i == *selected,
                    format!("{} ({} min, {})", m.title, m.minutes, m.language),
                )
            });
            ("modules".into(), Text::from(lines.collect::<Vec<_>>()), 0)
        }
        Screen::Module { module, selected } => {
            let m = &app.modules[*module];
            let lessons = app
                .device
                .store()
                .module(&m.id)
                .map(|m| m.lessons)
                .unwrap_or_default();
            let mut lines: Vec<Line> = lessons
                .iter()
                .enumerate()
                .map(|(i, l)| marked(i == *selected, format!("Lesson {}: {}", i + 1, l.title)))
                .collect();
            lines.push(marked(
                *selected == lessons.len(),
                "Take the assessment".into(),
            ));
            (m.title.clone(), Text::from(lines), 0)
        }
        Screen::Lesson {
            module,
            index,
            content,
            scroll,
        } => {
            let mut text = content.markdown.clone();
            for m in &content.media {
                let size = m.bytes.as_ref().map_or("not in this pack".to_owned(), |b| {
                    format!("{} bytes", b.len())
                });
                text.push_str(&format!("\n[{} · {size}]", m.path));
            }
            let heading = format!("{} · lesson {}", app.modules[*module].title, index + 1);
            (heading, Text::from(text), *scroll)
        }
        Screen::Question {
            module,
            questions,
            index,
        } => {
            let heading = format!(
                "{} · question {} of {}",
                app.modules[*module].title,
                index + 1,
                questions.len()
            );
            (heading, question_text(&questions[*index]), 0)
        }
        Screen::Review { module, questions } => {
            let answered = app
                .device
                .store()
                .current_attempt(&app.modules[*module].id)
                .ok()
                .flatten()
                .map_or(0, |a| a.answers.len());
            let text = format!(
                "{answered} of {} questions answered.\n\nPress Enter to submit, Esc to go back.",
                questions.len()
            );
            ("ready to submit".into(), Text::from(text), 0)
        }
        Screen::Outcome {
            outcome, scroll, ..
        } => {
            let mut lines = vec![Line::from(format!("Score {}", outcome.summary()))];
            for r in &outcome.results {
                let how = correctness_label(r.correctness);
                lines.push(Line::from(format!(
                    "{}: {how} ({}/{})",
                    r.id,
                    points_text(r.score),
                    points_text(r.max_score)
                )));
                lines.extend(r.feedback.iter().map(|f| Line::from(format!("   {f}"))));
                lines.extend(
                    r.explanation
                        .iter()
                        .map(|e| Line::from(format!("   why: {e}"))),
                );
            }
            ("result".into(), Text::from(lines), *scroll)
        }
    }
}

fn question_text(q: &QuestionView) -> Text<'static> {
    let mut lines = vec![Line::from(q.prompt.clone()), Line::from("")];
    let numbered = |items: &[skillpack_core::assess::ChoiceView]| {
        items
            .iter()
            .enumerate()
            .map(|(i, c)| Line::from(format!("  {}. {}", i + 1, c.text)))
            .collect::<Vec<_>>()
    };
    let hint =
        match &q.kind {
            QuestionViewKind::Single { options } => {
                lines.extend(numbered(options));
                "Type the number of one option."
            }
            QuestionViewKind::Multiple { options } => {
                lines.extend(numbered(options));
                "Type the numbers of every right option, separated by spaces."
            }
            QuestionViewKind::TrueFalse => "Type t (true) or f (false).",
            QuestionViewKind::Ordering { items } => {
                lines.extend(numbered(items));
                "Type the numbers in the right order, separated by spaces."
            }
            QuestionViewKind::Matching { lefts, rights } => {
                lines.extend(lefts.iter().enumerate().map(|(i, l)| {
                    Line::from(format!("  {}) {}", (b'a' + i as u8) as char, l.text))
                }));
                lines.push(Line::from(""));
                lines.extend(numbered(rights));
                "For a), b), … in turn, type the number that matches (- for none)."
            }
            QuestionViewKind::Numeric { unit } => {
                if let Some(unit) = unit {
                    lines.push(Line::from(format!("  (in {unit})")));
                }
                "Type a number."
            }
            QuestionViewKind::ShortText => "Type your answer.",
            QuestionViewKind::Checklist { items } => {
                lines.extend(items.iter().map(|i| Line::from(format!("  [ ] {i}"))));
                "An assessor checks this in person and signs it. Press Enter to go on."
            }
        };
    lines.push(Line::from(""));
    lines.push(Line::from(hint));
    Text::from(lines)
}

fn marked(selected: bool, text: String) -> Line<'static> {
    if selected {
        Line::from(format!("> {text}")).style(Style::new().add_modifier(Modifier::BOLD))
    } else {
        Line::from(format!("  {text}"))
    }
}
