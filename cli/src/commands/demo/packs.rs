//! `skillpack demo`: the main job end to end on the sample content. It builds a pack per
//! sample module and the low and text variants of all of them, verifies each against the
//! demo trust list, shows what a one-lesson update downloads, and shows a tampered copy
//! being refused.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use skillpack_core::authoring::{build_pack, BuildRequest};
use skillpack_core::keys::file::{read_public, read_secret};
use skillpack_core::pack::{diff, BuildOptions, PackReader, Variant};

use super::build::print_summary;
use super::verify::verify;
use super::{human_bytes, CommandResult};

/// Runs the demo, writing into `out`.
pub fn run(assets: Option<PathBuf>, out: &Path) -> CommandResult {
    let assets = find_assets(assets)?;
    let key = read_secret(&assets.join("keys/demo-publisher.key"))?;
    let trusted = [read_public(&assets.join("keys/demo-publisher.pub"))?];
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let modules = module_dirs(&assets.join("modules"))?;

    outln!("== Building one pack per sample module (signed by the demo publisher)");
    let mut packs = Vec::new();
    for dir in &modules {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let path = out.join(format!("{name}.skillpack"));
        let built = build_pack(
            &request(vec![dir.clone()], Variant::Full, None),
            &key,
            &path,
            &skillpack_core::progress::NoProgress,
        )?;
        print_summary(&built, &path, Variant::Full);
        packs.push(path);
    }

    outln!("\n== The same content for small data budgets");
    for variant in [Variant::Low, Variant::Text] {
        let path = out.join(format!("all-modules-{variant}.skillpack"));
        let built = build_pack(
            &request(modules.clone(), variant, Some("sample-modules")),
            &key,
            &path,
            &skillpack_core::progress::NoProgress,
        )?;
        print_summary(&built, &path, variant);
        packs.push(path);
    }

    outln!("\n== Verifying every pack against the demo trust list");
    for path in &packs {
        let (publisher, report) = verify(path, &trusted)?;
        outln!(
            "{}: ok: {} entries, {} chunks, publisher {}",
            path.display(),
            report.entries,
            report.chunks,
            publisher.fingerprint()
        );
    }

    outln!("\n== What a pack holds (skillpack inspect)");
    super::inspect::run(&packs[0], false)?;

    outln!("\n== An update: one lesson edited, version 1.0.1");
    let (old, new) = build_update(&modules, out, &key)?;
    let (old, new) = (PackReader::open_path(&old)?, PackReader::open_path(&new)?);
    let d = diff(
        old.manifest(),
        new.manifest(),
        new.header().manifest_stored_len.into(),
    );
    outln!("changed: {}", d.changed.join(", "));
    outln!(
        "an update downloads {} instead of {} ({} of {} chunks are new)",
        human_bytes(d.download_bytes),
        human_bytes(d.full_bytes),
        d.new_chunks,
        d.new_chunks + d.shared_chunks
    );

    outln!("\n== A copy with one byte changed is refused");
    let tampered = out.join("tampered.skillpack");
    let mut bytes = fs::read(&packs[0])?;
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    fs::write(&tampered, bytes)?;
    match verify(&tampered, &trusted) {
        Ok(_) => bail!("a tampered pack verified: this is a bug"),
        Err(e) => outln!("{}: refused: {e}", tampered.display()),
    }
    outln!("\nDemo done: packs are in {}", out.display());
    Ok(ExitCode::SUCCESS)
}

fn request(module_dirs: Vec<PathBuf>, variant: Variant, id: Option<&str>) -> BuildRequest {
    BuildRequest {
        module_dirs,
        pack_id: id.map(str::to_owned),
        version: id.map(|_| "1.0.0".to_owned()),
        variant,
        options: BuildOptions::default(),
        base: None,
    }
}

/// Copies the first module, edits its last lesson, and builds both versions.
fn build_update(
    modules: &[PathBuf],
    out: &Path,
    key: &skillpack_core::keys::SecretKey,
) -> anyhow::Result<(PathBuf, PathBuf)> {
    let source = modules.first().context("no sample modules")?;
    let copy = out.join("update-work");
    if copy.exists() {
        fs::remove_dir_all(&copy)?;
    }
    copy_dir(source, &copy)?;
    let old = out.join("update-1.0.0.skillpack");
    build_pack(
        &request(vec![copy.clone()], Variant::Full, None),
        key,
        &old,
        &skillpack_core::progress::NoProgress,
    )?;
    let toml_path = copy.join("module.toml");
    let toml =
        fs::read_to_string(&toml_path)?.replacen("version = \"1.0.0\"", "version = \"1.0.1\"", 1);
    fs::write(&toml_path, toml)?;
    let mut lessons: Vec<PathBuf> = fs::read_dir(copy.join("lessons"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    lessons.sort();
    let last = lessons.last().context("the module has no lessons")?;
    let mut text = fs::read_to_string(last)?;
    text.push_str("\nRemember: ask your trainer if anything here is unclear.\n");
    fs::write(last, text)?;
    let new = out.join("update-1.0.1.skillpack");
    build_pack(
        &request(vec![copy], Variant::Full, None),
        key,
        &new,
        &skillpack_core::progress::NoProgress,
    )?;
    Ok((old, new))
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

fn module_dirs(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root)
        .with_context(|| format!("reading {}", root.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("module.toml").is_file())
        .collect();
    dirs.sort();
    if dirs.is_empty() {
        bail!("no module folders in {}", root.display());
    }
    Ok(dirs)
}

/// `--assets`, else `./assets`, else the assets folder of the source tree this was built from.
fn find_assets(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let candidates = match given {
        Some(dir) => vec![dir],
        None => vec![
            PathBuf::from("assets"),
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets"),
        ],
    };
    candidates
        .into_iter()
        .find(|d| d.join("modules").is_dir())
        .context("sample assets not found: run from the repository root or pass --assets DIR")
}
