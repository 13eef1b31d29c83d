//! `skillpack device settings`: the learner's settings screen from a terminal. With no
//! option it shows them; each option changes one, and the core refuses a value the app
//! cannot use (a malformed language) with nothing changed.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use skillpack_core::device::Device;
use skillpack_core::pack::Rendition;

use super::{human_bytes, print_json, CommandResult};

/// The arguments of `skillpack device settings`.
#[derive(Args)]
pub struct SettingsArgs {
    /// The store folder.
    #[arg(long)]
    store: PathBuf,
    /// Preferred language, a BCP 47 tag such as `sw-KE` (an empty value clears it).
    #[arg(long)]
    language: Option<String>,
    /// Which media to show and download: `full`, or `low` for the low-data variant.
    #[arg(long, value_enum)]
    media: Option<Media>,
    /// Most megabytes a month syncs may use on metered data (0: no limit).
    #[arg(long, value_name = "MB")]
    budget_mb: Option<u32>,
    /// Sync only on unmetered connections (Wi-Fi): `true` or `false`.
    #[arg(long, value_name = "BOOL")]
    unmetered_only: Option<bool>,
    /// The name to show the trainers of the groups this device joins (an empty value stops
    /// showing one); it goes to the hub at the next sync.
    #[arg(long)]
    name: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// The media choice as typed.
#[derive(Clone, Copy, ValueEnum)]
enum Media {
    /// Images and audio as the trainer made them.
    Full,
    /// The smaller, low-data rendition.
    Low,
}

/// Shows, or changes then shows, the learner's settings.
pub fn run(args: SettingsArgs) -> CommandResult {
    let device = Device::open(&args.store)?;
    let mut settings = device.store().learner_settings()?;
    if let Some(language) = args.language {
        settings.language = Some(language).filter(|l| !l.trim().is_empty());
    }
    if let Some(media) = args.media {
        settings.media = match media {
            Media::Full => Rendition::Full,
            Media::Low => Rendition::Low,
        };
    }
    if let Some(budget) = args.budget_mb {
        settings.monthly_budget_mb = budget;
    }
    if let Some(only) = args.unmetered_only {
        settings.unmetered_only = only;
    }
    if let Some(name) = args.name {
        settings.display_name = Some(name).filter(|n| !n.trim().is_empty());
    }
    device.store().set_learner_settings(&settings)?;
    let settings = device.store().learner_settings()?;
    let used = device.metered_use_this_month()?;
    let media = match settings.media {
        Rendition::Full => "full",
        Rendition::Low => "low",
    };
    if args.json {
        print_json(&serde_json::json!({
            "language": settings.language,
            "media": media,
            "monthly_budget_mb": settings.monthly_budget_mb,
            "unmetered_only": settings.unmetered_only,
            "name": settings.display_name,
            "metered_use_this_month": used,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "name            {}",
        settings
            .display_name
            .as_deref()
            .unwrap_or("(none: trainers see only the learner's key)")
    );
    outln!(
        "language        {}",
        settings.language.as_deref().unwrap_or("(not chosen)")
    );
    outln!("media           {media}");
    outln!(
        "data budget     {}",
        match settings.monthly_budget_mb {
            0 => "no limit".to_owned(),
            mb => format!("{mb} MB a month on metered data"),
        }
    );
    outln!(
        "unmetered only  {}",
        if settings.unmetered_only { "yes" } else { "no" }
    );
    outln!("used this month {} on metered data", human_bytes(used));
    Ok(ExitCode::SUCCESS)
}
