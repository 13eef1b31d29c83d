//! The trainer's packs: one per sample module, with full and with low-data pictures, signed
//! by the demo publisher and each checked against its key; what an update of one lesson
//! downloads; and a copy with one byte changed being refused.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use skillpack_core::authoring::{build_pack, BuildRequest, BuiltPack};
use skillpack_core::keys::SecretKey;
use skillpack_core::pack::{diff, BuildOptions, PackReader, Variant};
use skillpack_core::progress::NoProgress;

use super::assets::Assets;
use super::{say, Steps};
use crate::commands::human_bytes;
use crate::commands::verify::verify;

/// One built pack file.
pub struct DemoPack {
    /// The module folder's name.
    pub module: String,
    /// Where it is.
    pub path: PathBuf,
    /// Its variant.
    pub variant: Variant,
    /// Its size in bytes.
    pub len: u64,
}

/// The sum of the sizes of `packs` in `variant`.
pub fn total_len(packs: &[DemoPack], variant: Variant) -> u64 {
    packs
        .iter()
        .filter(|p| p.variant == variant)
        .map(|p| p.len)
        .sum()
}

/// Builds every pack into `dir`, checks each, and shows an update's cost and a tampered copy
/// refused (step 1).
pub fn build_and_check(
    steps: &mut Steps,
    assets: &Assets,
    dir: &Path,
) -> anyhow::Result<Vec<DemoPack>> {
    steps.next("The trainer builds a signed pack of each sample module");
    fs::create_dir_all(dir).with_context(|| format!("making {}", dir.display()))?;
    let mut packs = Vec::new();
    for module in &assets.modules {
        let full = build(module, Variant::Full, &assets.key, dir)?;
        let low = build(module, Variant::Low, &assets.key, dir)?;
        say(describe(&full, &low));
        packs.extend([full, low]);
    }
    for pack in &packs {
        verify(&pack.path, &[assets.public])
            .with_context(|| format!("checking {}", pack.path.display()))?;
    }
    say(format!(
        "all {} packs check out against the demo publisher's key ({})",
        packs.len(),
        assets.public.fingerprint()
    ));
    show_update(assets, dir)?;
    show_tampered_refused(&packs, assets, dir)?;
    Ok(packs)
}

/// One line about a module's two packs.
fn describe(full: &DemoPack, low: &DemoPack) -> String {
    format!(
        "{:<24} {:>9} with full pictures, {:>9} with low-data pictures",
        full.module,
        human_bytes(full.len),
        human_bytes(low.len)
    )
}

/// Builds the pack of one module folder in `variant` into `dir`.
fn build(module: &Path, variant: Variant, key: &SecretKey, dir: &Path) -> anyhow::Result<DemoPack> {
    let name = module
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let path = dir.join(format!("{name}-{variant}.skillpack"));
    let built = build_to(vec![module.to_owned()], variant, key, &path)?;
    Ok(DemoPack {
        module: name,
        path,
        variant,
        len: built.summary.file_len,
    })
}

fn build_to(
    module_dirs: Vec<PathBuf>,
    variant: Variant,
    key: &SecretKey,
    path: &Path,
) -> anyhow::Result<BuiltPack> {
    let request = BuildRequest {
        module_dirs,
        pack_id: None,
        version: None,
        variant,
        options: BuildOptions::default(),
        base: None,
    };
    build_pack(&request, key, path, &NoProgress)
        .with_context(|| format!("building {}", path.display()))
}

/// Edits one lesson of a copy of the first module, builds both versions, and says what the
/// update downloads.
fn show_update(assets: &Assets, dir: &Path) -> anyhow::Result<()> {
    let source = assets.modules.first().context("no sample modules")?;
    let copy = dir.join("update-work");
    copy_dir(source, &copy)?;
    let old = dir.join("update-1.0.0.skillpack");
    build_to(vec![copy.clone()], Variant::Full, &assets.key, &old)?;
    edit_one_lesson(&copy)?;
    let new = dir.join("update-1.0.1.skillpack");
    build_to(vec![copy], Variant::Full, &assets.key, &new)?;
    let (mut old, mut new) = (PackReader::open_path(&old)?, PackReader::open_path(&new)?);
    let d = diff(&mut old, &mut new)?;
    say(format!(
        "after the trainer edits one lesson, an update downloads {} instead of {}",
        human_bytes(d.download_bytes),
        human_bytes(d.full_bytes)
    ));
    Ok(())
}

/// Raises the module's version to 1.0.1 and adds a sentence to its last lesson.
fn edit_one_lesson(module: &Path) -> anyhow::Result<()> {
    let toml_path = module.join("module.toml");
    let toml = fs::read_to_string(&toml_path)?;
    let edited = toml.replacen("version = \"1.0.0\"", "version = \"1.0.1\"", 1);
    if edited == toml {
        bail!("{}: expected version = \"1.0.0\"", toml_path.display());
    }
    fs::write(&toml_path, edited)?;
    let mut lessons: Vec<PathBuf> = fs::read_dir(module.join("lessons"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    lessons.sort();
    let last = lessons.last().context("the module has no lessons")?;
    let mut text = fs::read_to_string(last)?;
    text.push_str("\nRemember: ask your trainer if anything here is unclear.\n");
    fs::write(last, text)?;
    Ok(())
}

/// Changes one byte in a copy of the first pack and shows that the copy is refused.
fn show_tampered_refused(packs: &[DemoPack], assets: &Assets, dir: &Path) -> anyhow::Result<()> {
    let original = packs.first().context("no packs built")?;
    let tampered = dir.join("tampered.skillpack");
    let mut bytes = fs::read(&original.path)?;
    let middle = bytes.len() / 2;
    if let Some(byte) = bytes.get_mut(middle) {
        *byte ^= 0x01;
    }
    fs::write(&tampered, bytes)?;
    match verify(&tampered, &[assets.public]) {
        Ok(_) => bail!("a pack with a changed byte passed the check: this is a bug"),
        Err(e) => say(format!("a copy with one byte changed is refused ({e})")),
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
