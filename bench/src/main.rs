//! The pack benchmark: `cargo run --release -p skillpack-bench` (add `--quick` for a
//! smaller corpus). It measures, in one run and on the same files, pack sizes against
//! `zip -9`, `tar.xz -9` and a Kiwix ZIM; full verification against raw zstd decompression
//! plus SHA-256 of the same chunks; and the time and peak heap of reading one lesson from a
//! large pack and a small one. It prints Markdown for `docs/benchmarks.md`. With `--real DIR`
//! (a catalogue made by `bench/scripts/real_catalogue.py`) it adds the sizes on real
//! documentation, every language together and each alone, and what an update of one lesson
//! costs there.
#![allow(clippy::print_stdout, missing_docs)]

mod alloc;
mod corpus;
mod peers;
mod timing;

use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use sha2::{Digest, Sha256};
use skillpack_core::authoring::{build_pack, BuildRequest};
use skillpack_core::pack::{BuildOptions, Codec, PackReader, Variant};
use skillpack_core::testing::publisher_key;
use timing::median;

#[global_allocator]
static ALLOC: alloc::Tracking = alloc::Tracking;

fn main() -> anyhow::Result<()> {
    let quick = std::env::args().any(|a| a == "--quick");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let assets = root.join("assets");
    let zim_script = root.join("bench/scripts/make_zim.py");
    let work = tempfile::tempdir()?;
    let w = work.path();

    println!("## Pack size\n");
    println!("| content | files | bytes | pack | zip -9 | tar.xz -9 | ZIM | ZIM, 64 KiB clusters | pack/zip | pack/tar.xz | pack/ZIM |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let samples = module_dirs(&assets.join("modules"))?;
    size_row(
        "samples, text",
        &assets.join("modules"),
        &samples,
        Variant::Text,
        w,
        &zim_script,
    )?;
    size_row(
        "samples, full",
        &assets.join("modules"),
        &samples,
        Variant::Full,
        w,
        &zim_script,
    )?;

    let shape = corpus::Shape {
        modules: if quick { 12 } else { 60 },
        lessons: 10,
        words: 450,
        images: 4,
        image_bytes: 190_000,
        low_bytes: 20_000,
    };
    let chain = corpus::Chain::train(&corpus::sample_lesson_text(&assets)?);
    let gen_root = w.join("generated");
    let generated = corpus::generate(&gen_root, shape, &chain)?;
    let label = format!("generated {} modules, text", shape.modules);
    size_row(&label, &gen_root, &generated, Variant::Text, w, &zim_script)?;
    let label = format!("generated {} modules, full", shape.modules);
    let big = size_row(&label, &gen_root, &generated, Variant::Full, w, &zim_script)?;
    let text_pack = w.join("generated-text.skillpack");
    build(&generated, Variant::Text, &text_pack)?;

    println!("\n## Verification speed (open + check every chunk and entry)\n");
    println!("| pack | content | core verify | `skillpack verify` | raw zstd + SHA-256 | core ratio | command ratio (target >= 0.5) |");
    println!("|---|---|---|---|---|---|---|");
    verify_row("generated, text", &text_pack)?;
    verify_row("generated, full", &big)?;

    println!("\n## Reading one lesson\n");
    let small = w.join("small.skillpack");
    build(&generated[..3], Variant::Full, &small)?;
    println!("| pack | pack size | open | read one lesson (warm) | bytes read for it | peak heap of the read |");
    println!("|---|---|---|---|---|---|");
    read_row(&small)?;
    read_row(&big)?;

    println!("\n## Text compression choices (generated lessons and question banks)\n");
    dictionary_table(&generated)?;

    if let Some(real) = real_catalogue_arg() {
        real_catalogue(&real, w, &zim_script)?;
    }
    Ok(())
}

/// The folder given as `--real DIR`: a catalogue made by `bench/scripts/real_catalogue.py`
/// (one folder per language, module folders inside).
fn real_catalogue_arg() -> Option<PathBuf> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--real")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
}

/// Size against the peers on real documentation, every language together and each alone,
/// and what an update costs when one sentence of one lesson changes.
fn real_catalogue(root: &Path, work: &Path, zim_script: &Path) -> anyhow::Result<()> {
    let mut languages: Vec<PathBuf> = fs::read_dir(root)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    languages.sort();
    let mut all = Vec::new();
    for language in &languages {
        all.extend(module_dirs(language)?);
    }
    println!(
        "\n## Real documentation ({} modules in {} languages)\n",
        all.len(),
        languages.len()
    );
    println!("| content | files | bytes | pack | zip -9 | tar.xz -9 | ZIM | ZIM, 64 KiB clusters | pack/zip | pack/tar.xz | pack/ZIM |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let label = format!("all {} languages, text", languages.len());
    let pack = size_row(&label, root, &all, Variant::Text, work, zim_script)?;
    for language in &languages {
        let name = language
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        let label = format!("{}, text", name.unwrap_or_default());
        size_row(
            &label,
            root,
            &module_dirs(language)?,
            Variant::Text,
            work,
            zim_script,
        )?;
    }

    // One sentence added to one lesson, the new version built on the old one's dictionary.
    let copy = work.join("real-edited");
    copy_tree(root, &copy)?;
    let edited_dirs: Vec<PathBuf> = all
        .iter()
        .map(|d| d.strip_prefix(root).map(|r| copy.join(r)))
        .collect::<Result<_, _>>()?;
    let lesson = fs::read_dir(edited_dirs[0].join("lessons"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .min()
        .ok_or_else(|| anyhow::anyhow!("a module without lessons"))?;
    let mut text = fs::read_to_string(&lesson)?;
    text.push_str("\nOne more sentence for the update.\n");
    fs::write(&lesson, text)?;
    let updated = work.join("real-updated.skillpack");
    let request = BuildRequest {
        module_dirs: edited_dirs,
        pack_id: Some("bench".into()),
        version: Some("1.0.1".into()),
        variant: Variant::Text,
        options: BuildOptions::default(),
        base: Some(pack.clone()),
    };
    build_pack(
        &request,
        &publisher_key(),
        &updated,
        &skillpack_core::progress::NoProgress,
    )?;
    let mut old = PackReader::open_path(&pack)?;
    let mut new = PackReader::open_path(&updated)?;
    let d = skillpack_core::pack::diff(&mut old, &mut new)?;
    println!("\n| one sentence added to one lesson | figure |");
    println!("|---|---|");
    println!(
        "| chunks new / shared | {} / {} |",
        d.new_chunks, d.shared_chunks
    );
    println!(
        "| an update downloads (header, changed manifest pieces, new chunks) | {} of {} ({:.1}%) |",
        kb(d.download_bytes),
        kb(d.full_bytes),
        d.download_bytes as f64 * 100.0 / d.full_bytes as f64
    );
    println!(
        "| of which the manifest (header, root, changed pages and parts) | {} |",
        kb(d.manifest_bytes)
    );
    println!(
        "| the whole manifest (root, pages and parts) | {} |",
        kb(u64::from(new.header().manifest_stored_len) + new.manifest().index_len())
    );
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

fn module_dirs(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("module.toml").is_file())
        .collect();
    dirs.sort();
    Ok(dirs)
}

fn build(dirs: &[PathBuf], variant: Variant, out: &Path) -> anyhow::Result<()> {
    let request = BuildRequest {
        module_dirs: dirs.to_vec(),
        pack_id: Some("bench".into()),
        version: Some("1.0.0".into()),
        variant,
        options: BuildOptions::default(),
        base: None,
    };
    build_pack(
        &request,
        &publisher_key(),
        out,
        &skillpack_core::progress::NoProgress,
    )?;
    Ok(())
}

/// Source files of the modules that a pack of `variant` carries, relative to `root`.
fn source_files(root: &Path, dirs: &[PathBuf], variant: Variant) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for dir in dirs {
        let mut stack = vec![dir.clone()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d)? {
                let path = e?.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let is_text = path
                    .extension()
                    .is_some_and(|x| x == "md" || x == "toml" || x == "gift");
                if is_text || variant != Variant::Text {
                    out.push(path.strip_prefix(root)?.to_string_lossy().into_owned());
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

fn size_row(
    label: &str,
    root: &Path,
    dirs: &[PathBuf],
    variant: Variant,
    work: &Path,
    zim_script: &Path,
) -> anyhow::Result<PathBuf> {
    let files = source_files(root, dirs, variant)?;
    let bytes: u64 = files
        .iter()
        .map(|f| fs::metadata(root.join(f)).map(|m| m.len()).unwrap_or(0))
        .sum();
    let pack = work.join(format!("{}.skillpack", label.replace([' ', ','], "-")));
    build(dirs, variant, &pack)?;
    let pack_len = fs::metadata(&pack)?.len();
    let zip = peers::zip9(root, &files, work)?;
    let txz = peers::tar_xz9(root, &files, work)?;
    let zim = peers::zim(root, &files, work, zim_script, None)?;
    let zim64 = peers::zim(root, &files, work, zim_script, Some(64 * 1024))?;
    let ratio = |peer: u64| format!("{:.2}", pack_len as f64 / peer as f64);
    println!(
        "| {label} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        files.len(),
        kb(bytes),
        kb(pack_len),
        kb(zip),
        kb(txz),
        zim.map_or("not installed".into(), kb),
        zim64.map_or("not installed".into(), kb),
        ratio(zip),
        ratio(txz),
        zim.map_or("-".into(), ratio)
    );
    Ok(pack)
}

fn verify_row(label: &str, pack: &Path) -> anyhow::Result<()> {
    let file = fs::read(pack)?;
    let mut reader = PackReader::open(Cursor::new(&file))?;
    let dictionary = reader
        .dictionary_bytes()?
        .map(|d| zstd::dict::DecoderDictionary::copy(&d));
    let manifest = reader.manifest().clone();
    let start = 128 + reader.header().manifest_stored_len as usize;
    let content: u64 = manifest.chunks.iter().map(|c| c.size).sum();
    let ours = median(7, || {
        let mut r = PackReader::open_path(pack).expect("opens");
        r.verify(&skillpack_core::progress::NoProgress)
            .expect("verifies");
    });
    // What `skillpack verify` runs: the same, and every module.json read back as its module.
    let command = median(7, || {
        let mut r = PackReader::open_path(pack).expect("opens");
        r.verify_contents().expect("verifies");
    });
    let raw = median(7, || {
        for c in &manifest.chunks {
            let stored =
                &file[start + c.offset as usize..start + (c.offset + c.stored_size) as usize];
            let bytes = match c.codec {
                Codec::Zstd => zstd::bulk::decompress(stored, c.size as usize).expect("inflates"),
                Codec::ZstdDict => {
                    let d = dictionary.as_ref().expect("the pack has a dictionary");
                    let mut z =
                        zstd::bulk::Decompressor::with_prepared_dictionary(d).expect("dictionary");
                    z.decompress(stored, c.size as usize).expect("inflates")
                }
                Codec::None => stored.to_vec(),
            };
            std::hint::black_box(Sha256::digest(&bytes));
        }
    });
    let rate = |d: Duration| {
        format!(
            "{:.0} MB/s ({:.1} ms)",
            content as f64 / d.as_secs_f64() / 1e6,
            d.as_secs_f64() * 1e3
        )
    };
    println!(
        "| {label} | {} | {} | {} | {} | {:.2} | {:.2} |",
        kb(content),
        rate(ours),
        rate(command),
        rate(raw),
        raw.as_secs_f64() / ours.as_secs_f64(),
        raw.as_secs_f64() / command.as_secs_f64()
    );
    Ok(())
}

fn read_row(pack: &Path) -> anyhow::Result<()> {
    let size = fs::metadata(pack)?.len();
    let open = median(21, || {
        std::hint::black_box(PackReader::open_path(pack).expect("opens"));
    });
    let mut reader = PackReader::open_path(pack)?;
    let lesson = reader
        .manifest()
        .entries
        .iter()
        .find(|e| e.path.ends_with("lessons/05-lesson.md"))
        .context("a lesson")?
        .clone();
    let chunk_bytes = reader.manifest().chunks[lesson.chunk as usize].stored_size;
    reader.read_entry(&lesson.path)?;
    let read = median(501, || {
        std::hint::black_box(reader.read_entry(&lesson.path).expect("reads"));
    });
    let (_, peak) = alloc::peak_during(|| reader.read_entry(&lesson.path).expect("reads"));
    println!(
        "| {} | {} | {:.2} ms | {:.0} µs | {} | {} |",
        pack.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        kb(size),
        open.as_secs_f64() * 1e3,
        read.as_secs_f64() * 1e6,
        kb(chunk_bytes),
        kb(peak as u64)
    );
    Ok(())
}

/// Per-file zstd, with and without a trained dictionary, against 64 KiB clusters.
fn dictionary_table(dirs: &[PathBuf]) -> anyhow::Result<()> {
    let mut files: Vec<Vec<u8>> = Vec::new();
    let mut clusters: Vec<Vec<u8>> = Vec::new();
    for dir in dirs {
        let mut module: Vec<PathBuf> = fs::read_dir(dir.join("lessons"))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        module.push(dir.join("questions.toml"));
        module.sort();
        let mut cluster = Vec::new();
        for f in module {
            let bytes = fs::read(f)?;
            if !cluster.is_empty() && cluster.len() + bytes.len() > 64 * 1024 {
                clusters.push(std::mem::take(&mut cluster));
            }
            cluster.extend_from_slice(&bytes);
            files.push(bytes);
        }
        clusters.push(cluster);
    }
    let total: usize = files.iter().map(Vec::len).sum();
    let plain = |items: &[Vec<u8>]| -> anyhow::Result<usize> {
        items
            .iter()
            .map(|f| Ok(zstd::bulk::compress(f, 19)?.len()))
            .sum()
    };
    let with_dict = |items: &[Vec<u8>], dict_size: usize| -> anyhow::Result<usize> {
        let dict = zstd::dict::from_samples(&files, dict_size)?;
        let mut c = zstd::bulk::Compressor::with_dictionary(19, &dict)?;
        let sum: anyhow::Result<usize> = items.iter().map(|f| Ok(c.compress(f)?.len())).sum();
        Ok(sum? + zstd::bulk::compress(&dict, 19)?.len())
    };
    println!("{} files, {} of text. Dictionaries are trained on the same files; their compressed size is included.\n", files.len(), kb(total as u64));
    println!("| scheme | bytes | of the raw text |");
    println!("|---|---|---|");
    let mut rows = vec![
        ("zstd -19 per file".to_owned(), plain(&files)?),
        ("zstd -19 per 64 KiB cluster".to_owned(), plain(&clusters)?),
    ];
    for size in [16, 32, 64, 110] {
        rows.push((
            format!("zstd -19 per file, {size} KiB dictionary"),
            with_dict(&files, size * 1024)?,
        ));
        rows.push((
            format!("zstd -19 per 64 KiB cluster, {size} KiB dictionary"),
            with_dict(&clusters, size * 1024)?,
        ));
    }
    for (name, size) in rows {
        println!(
            "| {name} | {} | {:.1}% |",
            kb(size as u64),
            100.0 * size as f64 / total as f64
        );
    }
    Ok(())
}

fn kb(n: u64) -> String {
    if n >= 10_000_000 {
        format!("{:.1} MB", n as f64 / 1e6)
    } else {
        format!("{:.1} KB", n as f64 / 1e3)
    }
}
