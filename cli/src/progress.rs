//! Progress bars on standard error; they hide themselves when it is not a terminal.

use indicatif::{ProgressBar, ProgressStyle};

/// A bar counting bytes.
pub fn bytes(label: &str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    let style = ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes}")
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(label.to_owned());
    bar
}
