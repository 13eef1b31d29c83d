//! `skillpack preview FILE.skillpack`: a trainer reads a pack's lessons and takes its
//! assessment as a learner would, through the same core code, on a throwaway device store
//! that trusts the pack's publisher for the session only. Every answer is typed, so a script
//! can drive it (tmux send-keys), and so can the tests.

mod app;
mod ui;

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use skillpack_core::device::Device;
use skillpack_core::pack::PackReader;

pub use app::App;

/// Runs the preview in the terminal until the trainer quits.
pub fn run(pack: &Path) -> anyhow::Result<ExitCode> {
    let scratch = tempfile::tempdir().context("making the throwaway store")?;
    let app = App::new(throwaway_device(pack, scratch.path())?)?;
    let mut terminal = ratatui::init();
    let result = event_loop(&mut terminal, app);
    ratatui::restore();
    result.map(|()| ExitCode::SUCCESS)
}

/// A fresh device in `dir` with the pack installed (its publisher trusted).
pub fn throwaway_device(pack: &Path, dir: &Path) -> anyhow::Result<Device> {
    let publisher = PackReader::open_path(pack)
        .with_context(|| format!("opening {}", pack.display()))?
        .publisher();
    let device = Device::create(dir)?;
    device.store().trust(&publisher, "previewed pack")?;
    device.store().install(pack)?;
    Ok(device)
}

fn event_loop(terminal: &mut ratatui::DefaultTerminal, mut app: App) -> anyhow::Result<()> {
    while !app.quit {
        terminal.draw(|frame| ui::draw(frame, &app))?;
        if let Event::Key(key) = event::read()? {
            if key.kind == KeyEventKind::Press {
                app.handle(key);
            }
        }
    }
    Ok(())
}

/// Draws the app into an in-memory screen and returns its text.
#[cfg(test)]
fn render_to_text(app: &App, width: u16, height: u16) -> anyhow::Result<String> {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height))?;
    terminal.draw(|frame| ui::draw(frame, app))?;
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..height {
        for x in 0..width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
