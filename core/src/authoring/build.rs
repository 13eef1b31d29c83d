//! Builds a signed pack from module folders: compile each, stop with every problem of every
//! module if any has errors, choose the media of the requested variant, and write the pack
//! next to its final name before renaming it, so a failed build never leaves a broken pack.

use std::fs;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::error::AuthoringError;
use super::folder::read_module_folder;
use super::paths::compile_for_pack;
use crate::keys::SecretKey;
use crate::module::{
    is_valid_id, is_valid_version, media_type, CompiledModule, Diagnostics, SourceFiles,
};
use crate::pack::{
    module_json_path, BuildOptions, BuildSummary, EntryKind, ModuleEntry, NewEntry, PackBuilder,
    PackInfo, PackReader, Rendition, Variant,
};
use crate::progress::Progress;

/// A module folder, read and compiled without errors.
#[derive(Debug)]
pub struct LoadedModule {
    /// The folder it came from.
    pub dir: PathBuf,
    /// Its source files.
    pub files: SourceFiles,
    /// The compiled module and its media.
    pub compiled: CompiledModule,
    /// Warnings (there are no errors, or it would not have loaded).
    pub warnings: Diagnostics,
}

/// What to build.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    /// The module folders.
    pub module_dirs: Vec<PathBuf>,
    /// The pack id; defaults to the module id when there is one module.
    pub pack_id: Option<String>,
    /// The pack version; defaults to the module version when there is one module.
    pub version: Option<String>,
    /// Which media to include.
    pub variant: Variant,
    /// Compression tuning.
    pub options: BuildOptions,
    /// The previous version of the pack: its dictionary is reused so that unchanged
    /// content keeps its chunks and an update downloads only what changed.
    pub base: Option<PathBuf>,
}

/// A finished build.
#[derive(Debug)]
pub struct BuiltPack {
    /// Sizes and counts.
    pub summary: BuildSummary,
    /// The modules that went in, with their warnings.
    pub modules: Vec<LoadedModule>,
    /// The pack whose text dictionary was reused (the base given, or an earlier build of
    /// the same pack found at the output path), if any.
    pub reused_dictionary_of: Option<PathBuf>,
}

/// Reads and compiles every folder; returns all modules or every problem of every module.
pub fn load_modules(dirs: &[PathBuf]) -> Result<Vec<LoadedModule>, AuthoringError> {
    let mut loaded = Vec::new();
    let mut failed = Vec::new();
    for dir in dirs {
        let files = read_module_folder(dir)?;
        let compilation = compile_for_pack(&files);
        match compilation.module {
            Some(compiled) => loaded.push(LoadedModule {
                dir: dir.clone(),
                files,
                compiled,
                warnings: compilation.diagnostics,
            }),
            None => failed.push((dir.clone(), compilation.diagnostics)),
        }
    }
    if failed.is_empty() {
        Ok(loaded)
    } else {
        Err(AuthoringError::Invalid(failed))
    }
}

/// Builds and signs a pack at `out`; `progress` gets (bytes done, bytes total).
pub fn build_pack(
    request: &BuildRequest,
    key: &SecretKey,
    out: &Path,
    progress: &dyn Progress,
) -> Result<BuiltPack, AuthoringError> {
    let modules = load_modules(&request.module_dirs)?;
    let problems =
        crate::module::check_pathways_in_pack(modules.iter().map(|m| &m.compiled.module));
    if !problems.is_empty() {
        return Err(AuthoringError::Options(problems.join("; ")));
    }
    let single = match modules.as_slice() {
        [one] => Some(&one.compiled.module),
        _ => None,
    };
    let id = request
        .pack_id
        .clone()
        .or_else(|| single.map(|m| m.id.clone()))
        .ok_or_else(|| AuthoringError::Options("a pack of several modules needs --id".into()))?;
    let version = request
        .version
        .clone()
        .or_else(|| single.map(|m| m.version.clone()))
        .ok_or_else(|| {
            AuthoringError::Options("a pack of several modules needs --pack-version".into())
        })?;
    if !is_valid_id(&id) {
        return Err(AuthoringError::Options(format!(
            "pack id \"{id}\" must be 3-64 lowercase letters, digits and hyphens"
        )));
    }
    if !is_valid_version(&version) {
        return Err(AuthoringError::Options(format!(
            "pack version \"{version}\" must look like 1.0.0 (MAJOR.MINOR.PATCH)"
        )));
    }
    let info = PackInfo {
        id,
        version,
        variant: request.variant,
    };
    let info_id = info.id.clone();
    let parts: Vec<_> = modules.iter().map(|m| (&m.compiled, &m.files)).collect();
    let mut builder = assemble(info, &parts, request.options)?;
    // Without a base, an earlier build of the same pack at `out` is the base: a dictionary
    // trained afresh would change every text chunk, and every device would download all the
    // text again for a one-word fix.
    let base = match &request.base {
        Some(base) => PackReader::open_path(base)?
            .dictionary_bytes()?
            .map(|d| (base.clone(), d)),
        None => earlier_build_at(out, &info_id, &key.public_key()),
    };
    let mut reused_dictionary_of = None;
    if let Some((base, dictionary)) = base {
        builder.reuse_dictionary(dictionary);
        reused_dictionary_of = Some(base);
    }
    let partial = out.with_extension("skillpack.partial");
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| AuthoringError::Io { path, source }
    };
    let file = fs::File::create(&partial).map_err(io(&partial))?;
    let mut writer = BufWriter::new(file);
    let written = builder.write(key, &mut writer, progress);
    let synced = writer
        .into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all());
    let summary = match (written, synced) {
        (Ok(summary), Ok(())) => summary,
        (Err(e), _) => {
            let _ = fs::remove_file(&partial);
            return Err(e.into());
        }
        (Ok(_), Err(e)) => {
            let _ = fs::remove_file(&partial);
            return Err(io(&partial)(e));
        }
    };
    fs::rename(&partial, out).map_err(io(out))?;
    Ok(BuiltPack {
        summary,
        modules,
        reused_dictionary_of,
    })
}

/// `out` and its dictionary when it holds a pack that the same publisher built under the same
/// id (an earlier version to build on), else nothing: any other file there, or one that does
/// not read, is simply replaced.
fn earlier_build_at(
    out: &Path,
    id: &str,
    publisher: &crate::keys::PublicKey,
) -> Option<(PathBuf, Vec<u8>)> {
    let mut reader = PackReader::open_path(out).ok()?;
    if reader.manifest().pack.id != id || reader.publisher() != *publisher {
        return None;
    }
    let dictionary = reader.dictionary_bytes().ok()??;
    Some((out.to_owned(), dictionary))
}

/// Puts compiled modules (with their source files) into a builder for the pack `info`,
/// taking the media of the pack's variant. Pure: the caller decides where the pack goes.
pub fn assemble(
    info: PackInfo,
    modules: &[(&CompiledModule, &SourceFiles)],
    options: BuildOptions,
) -> Result<PackBuilder, AuthoringError> {
    let variant = info.variant;
    let mut builder = PackBuilder::new(info, options);
    for (compiled, files) in modules {
        add_module(&mut builder, compiled, files, variant)?;
    }
    Ok(builder)
}

/// Adds one module's `module.json`, lessons and the media of `variant`.
fn add_module(
    builder: &mut PackBuilder,
    compiled: &CompiledModule,
    files: &SourceFiles,
    variant: Variant,
) -> Result<(), AuthoringError> {
    let module = &compiled.module;
    let id = &module.id;
    builder.add_module(ModuleEntry {
        id: id.clone(),
        version: module.version.clone(),
        title: module.title.clone(),
        language: module.language.clone(),
        minutes: module.minutes,
    });
    let json = serde_json::to_vec(module)
        .map_err(|e| AuthoringError::Options(format!("module {id}: {e}")))?;
    let text = |path: String, kind, bytes| NewEntry {
        path,
        kind,
        bytes,
        media_type: None,
        rendition: None,
        low_of: None,
        // A module and its translations share clusters: what they have in common
        // (commands, names, numbers, code) is then compressed once.
        cluster: Some(module.translates.clone().unwrap_or_else(|| id.clone())),
    };
    builder.add_entry(text(module_json_path(id), EntryKind::Module, json))?;
    for lesson in &module.lessons {
        let bytes = source_bytes(files, &module.id, &lesson.path)?;
        builder.add_entry(text(
            format!("{id}/{}", lesson.path),
            EntryKind::Lesson,
            bytes,
        ))?;
    }
    for media in &compiled.media {
        let full = (media.path.as_str(), Rendition::Full);
        let low = media.low.as_deref().map(|l| (l, Rendition::Low));
        let chosen: Vec<(&str, Rendition)> = match variant {
            Variant::Full => std::iter::once(full).chain(low).collect(),
            Variant::Low => vec![low.unwrap_or(full)],
            Variant::Text => Vec::new(),
        };
        for (path, rendition) in chosen {
            builder.add_entry(NewEntry {
                path: format!("{id}/{path}"),
                kind: media.kind.into(),
                bytes: source_bytes(files, id, path)?,
                media_type: media_type(path).map(str::to_owned),
                rendition: Some(rendition),
                low_of: (rendition == Rendition::Low).then(|| format!("{id}/{}", media.path)),
                cluster: None,
            })?;
        }
    }
    Ok(())
}

fn source_bytes(files: &SourceFiles, module: &str, path: &str) -> Result<Vec<u8>, AuthoringError> {
    files
        .get(path)
        .map(<[u8]>::to_vec)
        .ok_or_else(|| AuthoringError::Options(format!("module {module}: {path} is missing")))
}
