//! The learner's side of the journey, through the same `Device` the phones drive: a new
//! device that trusts the demo publisher and asks for low-data pictures, registered with the
//! enrolment code; a sync that installs the packs over the network; a lesson read and an
//! assessment taken with the network gone; a sync that cannot reach the hub; and one that
//! sends the result. Every sync counts as mobile data, as on a phone, so the figures are
//! what a learner's data plan would pay.

use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context};
use skillpack_core::assess::Answer;
use skillpack_core::device::Device;
use skillpack_core::module::QuestionKind;
use skillpack_core::pack::{Rendition, Variant};
use skillpack_core::progress::NoProgress;
use skillpack_core::sync::{SyncError, SyncReport};

use super::assets::Assets;
use super::packs::{total_len, DemoPack};
use super::{count, say, Steps};
use crate::commands::human_bytes;

/// The module whose assessment the demo takes, when installed: every question in it can be
/// answered on the phone (none waits for an assessor).
const PREFERRED_MODULE: &str = "mobile-money-scams";

/// The longest excerpt of a lesson shown, in characters.
const EXCERPT_CHARS: usize = 90;

/// Makes the learner's device in `dir`, trusts the demo publisher, chooses low-data pictures
/// and registers with the hub at `url` using `code`.
pub fn set_up(
    steps: &mut Steps,
    dir: &Path,
    assets: &Assets,
    url: &str,
    code: &str,
) -> anyhow::Result<Device> {
    steps.next("A learner sets up the app on a phone");
    let device = Device::create(dir)?;
    say(format!(
        "a new identity for the learner, kept on the phone: {}",
        device.store().learner_did()
    ));
    device.store().trust(&assets.public, "demo-publisher")?;
    say(format!(
        "the phone trusts packs signed by the trainer's key ({})",
        assets.public.fingerprint()
    ));
    let mut settings = device.store().learner_settings()?;
    settings.media = Rendition::Low;
    device.store().set_learner_settings(&settings)?;
    say("the learner chooses low-data pictures, as data is costly");
    steps.next("The phone joins the trainer's group with the enrolment code");
    let group = device.register(url, code)?;
    say(format!("registered with the hub in the group \"{group}\""));
    Ok(device)
}

/// Syncs for the first time: installs the group's packs over the network.
pub fn sync_packs(steps: &mut Steps, device: &Device, packs: &[DemoPack]) -> anyhow::Result<()> {
    steps.next("The phone syncs: it downloads and installs the packs");
    let (report, used) = sync(device)?;
    if report.installed.is_empty() {
        bail!("the sync installed nothing");
    }
    for pack in &report.installed {
        say(format!("installed {} {}", pack.id, pack.version));
    }
    say(format!(
        "{} of mobile data used (the packs with full pictures would take {})",
        human_bytes(used),
        human_bytes(total_len(packs, Variant::Full))
    ));
    Ok(())
}

/// Reads the first lesson of a module and takes its assessment, answering every question
/// right from the module's answer key through the device's scoring; gives the module's id.
pub fn study_offline(steps: &mut Steps, device: &Device) -> anyhow::Result<String> {
    let module = pick_module(device)?;
    read_first_lesson(steps, device, &module)?;
    take_assessment(steps, device, &module)?;
    Ok(module)
}

/// The module to study: [`PREFERRED_MODULE`] if installed, else the first installed one
/// whose questions can all be answered on the phone, else the first installed one.
fn pick_module(device: &Device) -> anyhow::Result<String> {
    let ids: Vec<String> = device.catalog()?.into_iter().map(|e| e.id).collect();
    if ids.iter().any(|id| id == PREFERRED_MODULE) {
        return Ok(PREFERRED_MODULE.to_owned());
    }
    for id in &ids {
        let module = device.store().module(id)?;
        let assessor_needed = module
            .questions
            .iter()
            .any(|q| matches!(q.kind, QuestionKind::Checklist { .. }));
        if !assessor_needed {
            return Ok(id.clone());
        }
    }
    ids.into_iter().next().context("no module installed")
}

fn read_first_lesson(steps: &mut Steps, device: &Device, module: &str) -> anyhow::Result<()> {
    steps.next("Offline, the learner reads a lesson");
    let opened = Instant::now();
    let lesson = device.store().lesson(module, 0)?;
    let total = device.store().module(module)?.lessons.len();
    say(format!("{module}, lesson 1 of {total}: {}", lesson.title));
    if let Some(text) = excerpt(&lesson.markdown) {
        say(format!("  {text}"));
    }
    let pictures = lesson.media.iter().filter(|m| m.bytes.is_some()).count();
    say(format!(
        "with {}, all read from the phone's storage",
        count(pictures, "picture")
    ));
    device
        .store()
        .record_progress(module, 0, opened.elapsed(), None)?;
    Ok(())
}

/// The first paragraph's opening words (not a heading or a picture), shortened.
fn excerpt(markdown: &str) -> Option<String> {
    let line = markdown
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))?;
    if line.chars().count() <= EXCERPT_CHARS {
        return Some(line.to_owned());
    }
    let cut: String = line.chars().take(EXCERPT_CHARS).collect();
    Some(format!("{}…", cut.trim_end()))
}

fn take_assessment(steps: &mut Steps, device: &Device, module_id: &str) -> anyhow::Result<()> {
    steps.next("Offline, the learner takes the assessment");
    let attempt = device.start_attempt(module_id)?;
    let module = device.store().module(module_id)?;
    let mut answered = 0;
    for shown in &attempt.questions {
        let question = module
            .questions
            .iter()
            .find(|q| q.id == shown.id)
            .with_context(|| format!("question {} is not in {module_id}", shown.id))?;
        // A practical checklist has no answer to give: an assessor attests it.
        if let Some(answer) = Answer::right_for(question) {
            device.answer(module_id, &question.id, answer)?;
            answered += 1;
        }
    }
    say(format!(
        "{} questions drawn from a bank of {}; the demo's script answers {answered} of them, \
         all right",
        attempt.questions.len(),
        module.questions.len()
    ));
    let submitted = device.submit(module_id)?;
    let outcome = &submitted.outcome;
    say(format!(
        "scored on the phone: {} (the pass mark is {}%)",
        outcome.summary(),
        module.assessment.pass_mark
    ));
    say(format!(
        "the result is signed by the phone and kept as record #{} until the hub has it",
        submitted.seq
    ));
    Ok(())
}

/// Tries to sync with the hub stopped: the sync fails as offline and the result waits.
pub fn try_sync_offline(steps: &mut Steps, device: &Device) -> anyhow::Result<()> {
    steps.next("The phone tries to sync, with no connection");
    match device.sync(true, &NoProgress) {
        Err(skillpack_core::Error::Sync(SyncError::Offline(_))) => {}
        Err(e) => return Err(e.into()),
        Ok(_) => bail!("a sync reached the hub while it was stopped"),
    }
    let waiting = device.store().outbox()?.len();
    say(format!(
        "no connection: nothing is lost; {} waiting on the phone",
        count(waiting, "result")
    ));
    Ok(())
}

/// Syncs with the hub back: the waiting results go and the hub acknowledges them.
pub fn sync_results(steps: &mut Steps, device: &Device, url: &str) -> anyhow::Result<()> {
    steps.next("The connection is back: the phone syncs again");
    say(format!("the demo starts the hub again, at {url}"));
    let (report, used) = sync(device)?;
    if !report.rejected.is_empty() {
        bail!("the hub refused results: {:?}", report.rejected);
    }
    let waiting = device.store().outbox()?.len();
    say(format!(
        "{} sent and acknowledged by the hub; {waiting} waiting; {} updated",
        count(report.pushed as usize, "result"),
        count(report.installed.len(), "pack")
    ));
    say(format!("{} of mobile data used", human_bytes(used)));
    if waiting > 0 {
        bail!("{waiting} results still wait after the sync");
    }
    Ok(())
}

/// A sync on mobile data, as on a phone: its report and the bytes it used.
fn sync(device: &Device) -> anyhow::Result<(SyncReport, u64)> {
    let before = device.metered_use_this_month()?;
    let report = device.sync(true, &NoProgress)?;
    let after = device.metered_use_this_month()?;
    Ok((report, after.saturating_sub(before)))
}
