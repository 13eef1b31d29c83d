//! Packs built and read back: content, variants, determinism, lazy reading, diffs.

use std::io::{Cursor, Read, Seek, SeekFrom};

use skillpack_core::module::{Module, SourceFiles};
use skillpack_core::pack::{diff, module_json_path, EntryKind, PackReader, Rendition, Variant};
use skillpack_core::testing::{module_files, pack_of, publisher_key, sample_pack, stranger_key};

fn open(bytes: &[u8]) -> PackReader<Cursor<&[u8]>> {
    PackReader::open(Cursor::new(bytes)).expect("opens")
}

#[test]
fn every_entry_reads_back_exactly_as_its_source() {
    let files = module_files("bike-check");
    let bytes = sample_pack();
    let mut reader = open(&bytes);
    assert_eq!(reader.publisher(), publisher_key().public_key());
    for path in [
        "lessons/01-brakes.md",
        "lessons/02-tyres.md",
        "images/brake.png",
        "images/brake.low.png",
    ] {
        let got = reader
            .read_entry(&format!("bike-check/{path}"))
            .expect(path);
        assert_eq!(got, files.get(path).expect("source"), "{path}");
    }
    let module: Module = serde_json::from_slice(
        &reader
            .read_entry(&module_json_path("bike-check"))
            .expect("json"),
    )
    .expect("module.json parses");
    assert_eq!(module.questions.len(), 3);
    assert_eq!(module.lessons[0].media, vec!["images/brake.png".to_owned()]);
    let report = reader
        .verify(&skillpack_core::progress::NoProgress)
        .expect("verifies");
    assert_eq!(report.entries, 5);
}

#[test]
fn chunk_ranges_name_each_chunks_stored_bytes_in_the_file() {
    let bytes = sample_pack();
    let mut reader = open(&bytes);
    let ranges = reader.chunk_ranges();
    let pieces = reader.manifest().index.len();
    assert!(pieces >= 2, "format 2: at least a page and a part");
    assert_eq!(ranges.len(), pieces + reader.manifest().chunks.len());
    let mut end_of_last = bytes.len() as u64 - reader.header().data_len;
    for (i, range) in ranges.iter().enumerate() {
        assert_eq!(
            range.offset, end_of_last,
            "range {i} follows the one before"
        );
        end_of_last = range.offset + range.len;
        let start = usize::try_from(range.offset).expect("fits");
        let end = start + usize::try_from(range.len).expect("fits");
        let stored = match i.checked_sub(pieces) {
            Some(chunk) => reader.read_stored_chunk(chunk).expect("chunk"),
            None => reader.read_stored(range).expect("page or part"),
        };
        assert_eq!(&bytes[start..end], stored.as_slice(), "range {i}");
        assert_eq!(skillpack_core::hash::ContentHash::of(&stored), range.hash);
    }
    assert_eq!(end_of_last, bytes.len() as u64);
}

#[test]
fn variants_carry_full_low_or_no_media() {
    let modules = [module_files("bike-check")];
    let media = |variant| {
        let bytes = pack_of(&modules, variant, &publisher_key());
        let reader = open(&bytes);
        let m = reader.manifest();
        assert_eq!(m.pack.variant, variant);
        m.entries
            .iter()
            .filter(|e| e.kind == EntryKind::Image)
            .map(|e| (e.path.clone(), e.rendition, e.low_of.clone()))
            .collect::<Vec<_>>()
    };
    let low_entry = (
        "bike-check/images/brake.low.png".to_owned(),
        Some(Rendition::Low),
        Some("bike-check/images/brake.png".to_owned()),
    );
    assert_eq!(
        media(Variant::Full),
        vec![
            low_entry.clone(),
            (
                "bike-check/images/brake.png".to_owned(),
                Some(Rendition::Full),
                None
            ),
        ]
    );
    assert_eq!(media(Variant::Low), vec![low_entry]);
    assert_eq!(media(Variant::Text), vec![]);
}

#[test]
fn builds_are_deterministic() {
    assert_eq!(sample_pack(), sample_pack());
}

#[test]
fn text_of_a_module_shares_one_cluster_and_media_stand_alone() {
    let bytes = sample_pack();
    let reader = open(&bytes);
    let m = reader.manifest();
    let chunk_of = |p: &str| m.entry(&format!("bike-check/{p}")).expect(p).chunk;
    assert_eq!(
        chunk_of("lessons/01-brakes.md"),
        chunk_of("lessons/02-tyres.md")
    );
    assert_eq!(chunk_of("module.json"), chunk_of("lessons/01-brakes.md"));
    assert_ne!(
        chunk_of("images/brake.png"),
        chunk_of("lessons/01-brakes.md")
    );
    assert_ne!(
        chunk_of("images/brake.png"),
        chunk_of("images/brake.low.png")
    );
}

#[test]
fn identical_media_in_two_modules_is_stored_once() {
    let bytes = pack_of(
        &[module_files("bike-a"), module_files("bike-b")],
        Variant::Full,
        &publisher_key(),
    );
    let reader = open(&bytes);
    let m = reader.manifest();
    let a = m.entry("bike-a/images/brake.png").expect("a").chunk;
    let b = m.entry("bike-b/images/brake.png").expect("b").chunk;
    assert_eq!(a, b);
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

impl<R: Seek> Seek for Counting<R> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[test]
fn reading_a_lesson_reads_only_its_own_chunk() {
    let mut big = module_files("bike-check");
    for i in 0..20 {
        big.insert(
            format!("images/extra-{i}.png"),
            skillpack_core::testing::fake_image(50_000, i),
        );
        big.insert(
            format!("lessons/{:02}-more.md", i + 10),
            format!("# More {i}\n\n![x](../images/extra-{i}.png)\n"),
        );
    }
    let bytes = pack_of(&[big], Variant::Full, &publisher_key());
    let mut reader = PackReader::open(Counting {
        inner: Cursor::new(&bytes),
        read: 0,
    })
    .expect("opens");
    let m = reader.manifest().clone();
    let lesson = m.entry("bike-check/lessons/01-brakes.md").expect("lesson");
    let chunk_size = m.chunks[lesson.chunk as usize].stored_size;
    let after_open = reader.get_ref().read;
    reader
        .read_entry("bike-check/lessons/01-brakes.md")
        .expect("reads");
    let for_lesson = reader.get_ref().read - after_open;
    assert_eq!(for_lesson, chunk_size, "read exactly the lesson's chunk");
    assert!(bytes.len() as u64 > 20 * chunk_size);
}

#[test]
fn diff_of_a_one_lesson_edit_downloads_only_that_cluster() {
    let old_files = module_files("bike-check");
    let mut new_files: SourceFiles = old_files.clone();
    new_files.insert(
        "lessons/02-tyres.md",
        "# Tyres\n\nPress each tyre. It should feel hard. Check for cuts.\n",
    );
    let old = pack_of(&[old_files], Variant::Full, &publisher_key());
    let new = pack_of(&[new_files], Variant::Full, &publisher_key());
    let (mut old_r, mut new_r) = (open(&old), open(&new));
    let d = diff(&mut old_r, &mut new_r).expect("compares");
    assert_eq!(d.changed, vec!["bike-check/lessons/02-tyres.md".to_owned()]);
    assert_eq!((d.new_chunks, d.shared_chunks, d.dropped_chunks), (1, 2, 1));
    assert!(d.download_bytes < d.full_bytes / 2, "{d:?}");
}

#[test]
fn trust_is_checked_separately_from_integrity() {
    let bytes = pack_of(
        &[module_files("bike-check")],
        Variant::Text,
        &stranger_key(),
    );
    let reader = open(&bytes);
    let err = reader
        .check_trusted(&[publisher_key().public_key()])
        .expect_err("untrusted");
    assert!(
        err.to_string()
            .contains(&stranger_key().public_key().fingerprint().to_string()),
        "{err}"
    );
    reader
        .check_trusted(&[stranger_key().public_key()])
        .expect("trusted when listed");
}

fn text_heavy(n: usize) -> Vec<SourceFiles> {
    (0..n)
        .map(|i| skillpack_core::testing::text_heavy_module(&format!("wordy-{i}"), i as u64))
        .collect()
}

#[test]
fn large_text_packs_carry_a_dictionary_and_read_back() {
    let modules = text_heavy(4);
    let bytes = pack_of(&modules, Variant::Text, &publisher_key());
    let mut reader = open(&bytes);
    assert!(
        reader.manifest().dictionary.is_some(),
        "a dictionary pays off here"
    );
    for (i, files) in modules.iter().enumerate() {
        let got = reader
            .read_entry(&format!("wordy-{i}/lessons/13-more.md"))
            .expect("reads");
        assert_eq!(got, files.get("lessons/13-more.md").expect("source"));
    }
    reader
        .verify(&skillpack_core::progress::NoProgress)
        .expect("verifies");
    assert_eq!(
        bytes,
        pack_of(&modules, Variant::Text, &publisher_key()),
        "deterministic"
    );
}

#[test]
fn a_rebuild_on_a_base_reuses_its_dictionary_so_unchanged_clusters_are_shared() {
    let modules = text_heavy(4);
    let old = pack_of(&modules, Variant::Text, &publisher_key());
    let dictionary = open(&old)
        .dictionary_bytes()
        .expect("reads")
        .expect("has one");
    let mut changed = modules.clone();
    changed[0].insert(
        "lessons/01-brakes.md",
        "# Brakes\n\nSqueeze both levers. Then ride.\n",
    );
    let compiled: Vec<_> = changed
        .iter()
        .map(|f| skillpack_core::module::compile(f).module.expect("ok"))
        .collect();
    let parts: Vec<_> = compiled.iter().zip(&changed).collect();
    let info = skillpack_core::pack::PackInfo {
        id: "fixture".into(),
        version: "1.0.1".into(),
        variant: Variant::Text,
    };
    let mut builder =
        skillpack_core::authoring::assemble(info, &parts, Default::default()).expect("assemble");
    builder.reuse_dictionary(dictionary);
    let mut new = Vec::new();
    builder
        .write(
            &publisher_key(),
            &mut new,
            &skillpack_core::progress::NoProgress,
        )
        .expect("write");
    let (mut o, mut n) = (open(&old), open(&new));
    let d = diff(&mut o, &mut n).expect("compares");
    assert_eq!(d.new_chunks, 1, "only the edited module's cluster: {d:?}");
    assert!(d.download_bytes * 3 < d.full_bytes, "{d:?}");
}

/// Cancels as soon as it is asked.
struct CancelAtOnce;

impl skillpack_core::progress::Progress for CancelAtOnce {
    fn is_cancelled(&self) -> bool {
        true
    }
}

#[test]
fn building_and_verifying_stop_when_the_caller_cancels() {
    use skillpack_core::pack::PackError;
    let files = module_files("bike-check");
    let compiled = skillpack_core::module::compile(&files)
        .module
        .expect("compiles");
    let info = skillpack_core::pack::PackInfo {
        id: "fixture".into(),
        version: "1.0.0".into(),
        variant: Variant::Text,
    };
    let builder =
        skillpack_core::authoring::assemble(info, &[(&compiled, &files)], Default::default())
            .expect("assemble");
    let mut out = Vec::new();
    assert!(matches!(
        builder.write(&publisher_key(), &mut out, &CancelAtOnce),
        Err(PackError::Cancelled)
    ));
    let bytes = sample_pack();
    assert!(matches!(
        open(&bytes).verify(&CancelAtOnce),
        Err(PackError::Cancelled)
    ));
    let seen = std::cell::Cell::new(0u64);
    open(&bytes)
        .verify(&|done: u64, _total: u64| seen.set(done))
        .expect("verifies");
    assert_eq!(
        seen.get(),
        open(&bytes).manifest().chunks.len() as u64,
        "progress reaches the end"
    );
}

#[test]
fn a_module_and_its_translation_share_their_text_clusters() {
    let original = module_files("bike-a");
    let mut translation = module_files("bike-b");
    let toml = String::from_utf8_lossy(translation.get("module.toml").expect("toml")).replace(
        "language = \"en\"",
        "language = \"sw\"\ntranslates = \"bike-a\"",
    );
    translation.insert("module.toml", toml);
    let together = pack_of(
        &[original.clone(), translation],
        Variant::Text,
        &publisher_key(),
    );
    let reader = open(&together);
    let m = reader.manifest();
    let chunk_of = |p: &str| m.entry(p).expect(p).chunk;
    assert_eq!(
        chunk_of("bike-a/lessons/01-brakes.md"),
        chunk_of("bike-b/lessons/01-brakes.md")
    );
    let apart = pack_of(
        &[original, module_files("bike-b")],
        Variant::Text,
        &publisher_key(),
    );
    let reader = open(&apart);
    let m = reader.manifest();
    let chunk_of = |p: &str| m.entry(p).expect(p).chunk;
    assert_ne!(
        chunk_of("bike-a/lessons/01-brakes.md"),
        chunk_of("bike-b/lessons/01-brakes.md")
    );
}
