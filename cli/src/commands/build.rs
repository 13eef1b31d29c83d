//! `skillpack build`: check, build and sign a pack; print sizes per module.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use skillpack_core::authoring::{build_pack, AuthoringError, BuildRequest, BuiltPack};
use skillpack_core::keys::file::read_secret;
use skillpack_core::pack::{BuildOptions, Variant};

use super::check::print_report;
use super::{human_bytes, print_json, CommandResult};
use crate::progress;

/// The arguments of `skillpack build`.
#[derive(clap::Args)]
pub struct BuildArgs {
    /// Module folders.
    #[arg(required = true)]
    modules: Vec<PathBuf>,
    /// The publisher's secret key (NAME.key).
    #[arg(long)]
    key: PathBuf,
    /// Where to write the pack.
    #[arg(short, long)]
    out: PathBuf,
    /// Media to include: full, low or text.
    #[arg(long, default_value = "full")]
    variant: Variant,
    /// Pack id (default: the module id, for a one-module pack).
    #[arg(long)]
    id: Option<String>,
    /// Pack version (default: the module version, for a one-module pack).
    #[arg(long = "pack-version")]
    pack_version: Option<String>,
    /// The previous version of this pack: reuse its text dictionary so an update
    /// downloads only what changed.
    #[arg(long)]
    base: Option<PathBuf>,
    /// Print a JSON summary.
    #[arg(long)]
    json: bool,
}

/// Builds the pack and prints its summary.
pub fn run(args: BuildArgs) -> CommandResult {
    let key = read_secret(&args.key)?;
    let (out, variant) = (args.out.as_path(), args.variant);
    let request = BuildRequest {
        module_dirs: args.modules,
        pack_id: args.id,
        version: args.pack_version,
        variant,
        options: BuildOptions::default(),
        base: args.base,
    };
    let bar = progress::bytes("building");
    let built = build_pack(&request, &key, out, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    });
    bar.finish_and_clear();
    let built = match built {
        Ok(built) => built,
        Err(AuthoringError::Invalid(reports)) => {
            for (dir, diagnostics) in &reports {
                print_report(dir, diagnostics);
            }
            eprintln!("build stopped: fix the errors above (warnings alone do not stop a build)");
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(e.into()),
    };
    for module in &built.modules {
        print_report(&module.dir, &module.warnings);
    }
    if args.json {
        print_json(&summary_json(&built, out, variant))?;
    } else {
        print_summary(&built, out, variant);
        print_dictionary_note(&built);
    }
    Ok(ExitCode::SUCCESS)
}

/// The summary a script reads.
pub fn summary_json(built: &BuiltPack, out: &Path, variant: Variant) -> serde_json::Value {
    let s = &built.summary;
    serde_json::json!({
        "pack": out,
        "variant": variant,
        "bytes": s.file_len,
        "content_bytes": s.content_len,
        "manifest_bytes": s.stored_manifest_len,
        "chunks": s.chunks,
        "entries": s.entries,
        "modules": s.module_bytes,
        "dictionary_bytes": s.dictionary_len,
        "dictionary_reused_from": built.reused_dictionary_of,
    })
}

/// The summary a trainer reads.
pub fn print_summary(built: &BuiltPack, out: &Path, variant: Variant) {
    let s = &built.summary;
    for module in &built.modules {
        let m = &module.compiled.module;
        outln!(
            "  {:<28} {:>9}  {} lessons, {} questions, {} min",
            m.id,
            human_bytes(s.module_bytes.get(&m.id).copied().unwrap_or(0)),
            m.lessons.len(),
            m.questions.len(),
            m.minutes
        );
    }
    if s.dictionary_len > 0 {
        outln!(
            "  {:<28} {:>9}",
            "(shared text dictionary)",
            human_bytes(s.dictionary_len)
        );
    }
    outln!(
        "{}: {} ({variant}), {} entries in {} chunks, from {} of content",
        out.display(),
        human_bytes(s.file_len),
        s.entries,
        s.chunks,
        human_bytes(s.content_len)
    );
}

/// Says where the text dictionary came from, and warns when a new one was trained: every
/// text chunk then differs from any earlier version's, so an update costs all the text.
fn print_dictionary_note(built: &BuiltPack) {
    match &built.reused_dictionary_of {
        Some(base) => outln!(
            "text dictionary reused from {}: an update downloads only what changed",
            base.display()
        ),
        None if built.summary.dictionary_len > 0 => eprintln!(
            "note: a new text dictionary was trained, so every text chunk differs from an \
             earlier version's and an update downloads all of the text; to build a new \
             version, pass --base PREVIOUS.skillpack (or build over the previous file with -o)"
        ),
        None => {}
    }
}
