//! One file per subcommand.

pub mod build;
pub mod check;
pub mod credential;
pub mod demo;
pub mod device;
pub mod diff;
pub mod hub;
pub mod inspect;
pub mod issuer;
pub mod keys;
pub mod milestones;
pub mod publish;
mod qr_image;
pub mod relay;
pub mod serve;
pub mod verify;
pub mod work_records;

use std::process::ExitCode;

/// What every subcommand returns: an exit code, or an error printed by `main`.
pub type CommandResult = anyhow::Result<ExitCode>;

/// Prints a value as pretty JSON on standard output.
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    outln!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// How a question's answer fared, in the words the CLI and the preview show.
pub fn correctness_label(c: skillpack_core::assess::Correctness) -> &'static str {
    use skillpack_core::assess::Correctness;
    match c {
        Correctness::Correct => "right",
        Correctness::Partial => "partly right",
        Correctness::Wrong => "wrong",
        Correctness::Unanswered => "not answered",
        Correctness::AwaitingAssessor => "awaiting an assessor",
    }
}

/// `1234567` as `1.2 MB`, for people.
pub fn human_bytes(n: u64) -> String {
    match n {
        0..=9_999 => format!("{n} B"),
        10_000..=9_999_999 => format!("{:.1} KB", n as f64 / 1e3),
        _ => format!("{:.1} MB", n as f64 / 1e6),
    }
}
