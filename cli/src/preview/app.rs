//! The preview's state: which screen is shown and what each key does there. It holds a real
//! device store, so reading, answering and scoring go through the same core code a phone
//! runs. No terminal here: [`App::handle`] takes keys and [`super::ui`] draws the state.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use skillpack_core::assess::{Outcome, QuestionView};
use skillpack_core::device::Device;
use skillpack_core::store::{CatalogEntry, LessonContent};

use crate::answer_input::parse_answer;

/// What is on screen.
pub enum Screen {
    /// The modules of the pack.
    Modules { selected: usize },
    /// One module: its lessons and the assessment.
    Module { module: usize, selected: usize },
    /// A lesson being read.
    Lesson {
        module: usize,
        index: usize,
        content: LessonContent,
        scroll: u16,
    },
    /// A question of the attempt in progress.
    Question {
        module: usize,
        questions: Vec<QuestionView>,
        index: usize,
    },
    /// Before submitting: how many are answered.
    Review {
        module: usize,
        questions: Vec<QuestionView>,
    },
    /// The result.
    Outcome {
        module: usize,
        outcome: Outcome,
        scroll: u16,
    },
}

/// The preview app.
pub struct App {
    /// The throwaway device.
    pub device: Device,
    /// The pack's modules.
    pub modules: Vec<CatalogEntry>,
    /// The current screen.
    pub screen: Screen,
    /// What the trainer is typing (answers).
    pub input: String,
    /// A message for the status line.
    pub status: String,
    /// Set when the trainer quits.
    pub quit: bool,
}

impl App {
    /// An app over a device with the pack installed.
    pub fn new(device: Device) -> anyhow::Result<Self> {
        let modules = device.catalog()?;
        let screen = if modules.len() == 1 {
            Screen::Module {
                module: 0,
                selected: 0,
            }
        } else {
            Screen::Modules { selected: 0 }
        };
        Ok(Self {
            device,
            modules,
            screen,
            input: String::new(),
            status: "↑↓ move, Enter open, Esc back, q quit".into(),
            quit: false,
        })
    }

    /// Reacts to one key.
    pub fn handle(&mut self, key: KeyEvent) {
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return;
        }
        let result = match &self.screen {
            Screen::Question { .. } => self.on_question(key),
            _ => self.on_browse(key),
        };
        if let Err(e) = result {
            self.status = e.to_string();
        }
    }

    fn on_browse(&mut self, key: KeyEvent) -> anyhow::Result<()> {
        let next = match (&mut self.screen, key.code) {
            (_, KeyCode::Char('q')) => {
                self.quit = true;
                return Ok(());
            }
            (Screen::Modules { selected }, KeyCode::Up) => {
                *selected = selected.saturating_sub(1);
                None
            }
            (Screen::Modules { selected }, KeyCode::Down) => {
                *selected = (*selected + 1).min(self.modules.len().saturating_sub(1));
                None
            }
            (Screen::Modules { selected }, KeyCode::Enter) => Some(Screen::Module {
                module: *selected,
                selected: 0,
            }),
            (Screen::Module { .. }, KeyCode::Esc) if self.modules.len() > 1 => {
                Some(Screen::Modules { selected: 0 })
            }
            (Screen::Module { selected, .. }, KeyCode::Up) => {
                *selected = selected.saturating_sub(1);
                None
            }
            (Screen::Module { module, selected }, KeyCode::Down) => {
                *selected = (*selected + 1).min(self.modules[*module].lessons as usize);
                None
            }
            (Screen::Module { module, selected }, KeyCode::Enter) => {
                let (module, selected) = (*module, *selected);
                Some(self.open_item(module, selected)?)
            }
            (
                Screen::Lesson {
                    scroll, content, ..
                },
                KeyCode::Down,
            ) => {
                let lines = content.markdown.lines().count() + content.media.len();
                *scroll = scroll.saturating_add(1).min(lines as u16);
                None
            }
            (Screen::Lesson { scroll, .. }, KeyCode::Up) => {
                *scroll = scroll.saturating_sub(1);
                None
            }
            (Screen::Lesson { module, index, .. }, KeyCode::Right | KeyCode::Char('n')) => {
                let (module, next) = (*module, *index + 1);
                (next < self.modules[module].lessons as usize)
                    .then(|| self.open_lesson(module, next))
                    .transpose()?
            }
            (Screen::Lesson { module, index, .. }, KeyCode::Left | KeyCode::Char('p'))
                if *index > 0 =>
            {
                let (module, previous) = (*module, *index - 1);
                Some(self.open_lesson(module, previous)?)
            }
            (Screen::Lesson { module, index, .. }, KeyCode::Esc) => Some(Screen::Module {
                module: *module,
                selected: *index,
            }),
            (Screen::Review { module, questions }, KeyCode::Esc) => {
                let index = questions.len().saturating_sub(1);
                Some(Screen::Question {
                    module: *module,
                    questions: std::mem::take(questions),
                    index,
                })
            }
            (Screen::Review { module, .. }, KeyCode::Enter) => {
                let module = *module;
                Some(self.submit(module)?)
            }
            (
                Screen::Outcome {
                    scroll, outcome, ..
                },
                KeyCode::Down,
            ) => {
                // Never past the text: one line per result plus its feedback and explanation.
                let lines: usize = outcome
                    .results
                    .iter()
                    .map(|r| 1 + r.feedback.len() + usize::from(r.explanation.is_some()))
                    .sum();
                *scroll = scroll.saturating_add(1).min(lines as u16);
                None
            }
            (Screen::Outcome { scroll, .. }, KeyCode::Up) => {
                *scroll = scroll.saturating_sub(1);
                None
            }
            (Screen::Outcome { module, .. }, KeyCode::Esc) => {
                let module = *module;
                self.modules = self.device.catalog()?;
                Some(Screen::Module {
                    module,
                    selected: 0,
                })
            }
            _ => None,
        };
        if let Some(screen) = next {
            self.screen = screen;
        }
        Ok(())
    }

    fn on_question(&mut self, key: KeyEvent) -> anyhow::Result<()> {
        let Screen::Question {
            module,
            questions,
            index,
        } = &mut self.screen
        else {
            return Ok(());
        };
        let module_id = self.modules[*module].id.clone();
        match key.code {
            KeyCode::Char(c) => self.input.push(c),
            KeyCode::Backspace => {
                self.input.pop();
            }
            KeyCode::Left if self.input.is_empty() => *index = index.saturating_sub(1),
            KeyCode::Esc => {
                self.screen = Screen::Module {
                    module: *module,
                    selected: 0,
                };
                self.status = "the attempt is kept; take it up again from the module".into();
            }
            KeyCode::Enter => {
                let question = &questions[*index];
                if !self.input.trim().is_empty() {
                    parse_answer(&question.kind, &self.input)
                        .map_err(anyhow::Error::msg)?
                        .give(&self.device, &module_id, &question.id)?;
                    self.input.clear();
                }
                if *index + 1 < questions.len() {
                    *index += 1;
                    self.status = "type your answer, Enter to save and go on, ← back".into();
                } else {
                    let (module, questions) = (*module, std::mem::take(questions));
                    self.screen = Screen::Review { module, questions };
                    self.status = "Enter submits, Esc goes back to the questions".into();
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn open_item(&mut self, module: usize, selected: usize) -> anyhow::Result<Screen> {
        if selected < self.modules[module].lessons as usize {
            return self.open_lesson(module, selected);
        }
        let id = self.modules[module].id.clone();
        let questions = self.device.start_attempt(&id)?.questions;
        self.status = "type your answer, Enter to save and go on, ← back".into();
        Ok(Screen::Question {
            module,
            questions,
            index: 0,
        })
    }

    fn open_lesson(&mut self, module: usize, index: usize) -> anyhow::Result<Screen> {
        let id = self.modules[module].id.clone();
        let content = self.device.store().lesson(&id, index)?;
        self.device
            .store()
            .record_progress(&id, index, std::time::Duration::ZERO, None)?;
        self.status = "↑↓ scroll, → next lesson, ← previous, Esc back".into();
        Ok(Screen::Lesson {
            module,
            index,
            content,
            scroll: 0,
        })
    }

    fn submit(&mut self, module: usize) -> anyhow::Result<Screen> {
        let id = self.modules[module].id.clone();
        let submitted = self.device.submit(&id)?;
        self.status = format!(
            "record #{} signed on this (throwaway) device; Esc back",
            submitted.seq
        );
        Ok(Screen::Outcome {
            module,
            outcome: submitted.outcome,
            scroll: 0,
        })
    }
}
