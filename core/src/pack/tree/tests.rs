//! Forged trees, each signed as far as the tree is concerned (a forger can always sign):
//! the reader must refuse them by structure with an error that names the fault, allocate
//! nothing a forged size asks for before bounding it, and never panic.

use super::*;
use crate::pack::EntryKind;

/// A data chunk of `size` bytes stored as is, named by a hash made from `seed`.
fn chunk(seed: u8, size: u64) -> ChunkRef {
    ChunkRef {
        hash: ContentHash::of(&[seed]),
        stored_size: size,
        size,
        codec: Codec::None,
    }
}

fn module(id: &str) -> ModuleEntry {
    ModuleEntry {
        id: id.into(),
        version: "1.0.0".into(),
        title: format!("Module {id}"),
        language: "en".into(),
        minutes: 15,
    }
}

fn entry(path: &str, chunk: u32, offset: u64, size: u64) -> Entry {
    Entry {
        path: path.into(),
        kind: if path.ends_with("module.json") {
            EntryKind::Module
        } else {
            EntryKind::Lesson
        },
        size,
        hash: None,
        chunk,
        offset,
        media_type: None,
        rendition: None,
        low_of: None,
    }
}

/// A sound part for module `id`: its module.json and a lesson in one chunk of 100 bytes.
fn part(id: &str, seed: u8) -> Part {
    Part {
        modules: vec![module(id)],
        chunks: vec![chunk(seed, 100)],
        entries: vec![
            entry(&format!("{id}/lessons/01.md"), 0, 0, 60),
            entry(&format!("{id}/module.json"), 0, 60, 40),
        ],
    }
}

/// A tree written by hand: its root, its pages' and parts' stored bytes in file order, and
/// the chunk region's length.
struct Forged {
    root: Vec<u8>,
    pieces: Vec<Vec<u8>>,
    data_len: u64,
}

fn stored<T: Serialize>(value: &T) -> (Vec<u8>, ItemRef) {
    let json = serde_json::to_vec(value).expect("json");
    let stored = compress_piece(&json, 3).expect("compresses");
    let item = ItemRef {
        hash: ContentHash::of(&stored),
        stored_size: stored.len() as u64,
        size: json.len() as u64,
    };
    (stored, item)
}

/// One page naming `parts`; the data region holds each distinct chunk once.
fn forge(parts: &[Part]) -> Forged {
    let (part_bytes, part_refs): (Vec<_>, Vec<_>) = parts.iter().map(stored).unzip();
    let (page_bytes, page_ref) = stored(&Page { parts: part_refs });
    let root = Root {
        pack: PackInfo {
            id: "forged".into(),
            version: "1.0.0".into(),
            variant: crate::pack::Variant::Text,
        },
        dictionary: None,
        pages: vec![page_ref],
    };
    let mut pieces = vec![page_bytes];
    pieces.extend(part_bytes);
    let mut seen = std::collections::HashSet::new();
    let data: u64 = parts
        .iter()
        .flat_map(|p| &p.chunks)
        .filter(|c| seen.insert(c.hash))
        .map(|c| c.stored_size)
        .sum();
    let index: u64 = pieces.iter().map(|p| p.len() as u64).sum();
    Forged {
        root: serde_json::to_vec(&root).expect("json"),
        pieces,
        data_len: index + data,
    }
}

/// Reads a forged tree as a reader does.
fn read(forged: &Forged) -> Result<Manifest, PackError> {
    let mut tree = TreeReader::new(&forged.root, forged.data_len, &Limits::V1)?;
    for piece in &forged.pieces {
        tree.take(piece)?;
    }
    tree.finish()
}

fn invalid_because(result: Result<Manifest, PackError>, words: &str) {
    match result {
        Err(PackError::InvalidManifest(why)) if why.contains(words) => {}
        other => panic!("expected an invalid manifest ({words}), got {other:?}"),
    }
}

#[test]
fn a_sound_tree_reads_into_a_checked_manifest_laid_out_in_reading_order() {
    let manifest = read(&forge(&[part("alpha", 1), part("beta", 2)])).expect("reads");
    assert_eq!(manifest.modules.len(), 2);
    assert_eq!(manifest.index.len(), 3, "one page, two parts");
    assert_eq!(
        manifest.module_parts,
        vec![1, 2],
        "each module's part, after the page"
    );
    let index_len = manifest.index_len();
    assert_eq!(manifest.chunks[0].offset, index_len);
    assert_eq!(manifest.chunks[1].offset, index_len + 100);
    let beta = manifest.entry("beta/module.json").expect("listed");
    assert_eq!(
        (beta.chunk, beta.offset),
        (1, 60),
        "part-local index made global"
    );
}

#[test]
fn a_chunk_two_parts_list_alike_is_placed_once() {
    let mut beta = part("beta", 2);
    beta.chunks.push(chunk(1, 100));
    beta.entries
        .insert(1, entry("beta/lessons/02.md", 1, 0, 100));
    let manifest = read(&forge(&[part("alpha", 1), beta])).expect("reads");
    assert_eq!(manifest.chunks.len(), 2);
    assert_eq!(
        manifest.entry("beta/lessons/02.md").expect("listed").chunk,
        0
    );
}

#[test]
fn a_chunk_listed_two_ways_or_twice_in_a_part_is_refused() {
    let mut beta = part("beta", 2);
    beta.chunks.push(chunk(1, 99));
    invalid_because(
        read(&forge(&[part("alpha", 1), beta])),
        "listed twice in different ways",
    );
    let mut alpha = part("alpha", 1);
    alpha.chunks.push(chunk(1, 100));
    invalid_because(read(&forge(&[alpha])), "lists a chunk twice");
}

#[test]
fn entries_with_a_hash_or_a_chunk_their_part_does_not_list_are_refused() {
    let mut alpha = part("alpha", 1);
    alpha.entries[0].hash = Some(ContentHash::of(b"lesson"));
    invalid_because(read(&forge(&[alpha])), "carries a hash");
    let mut alpha = part("alpha", 1);
    alpha.entries[0].chunk = 7;
    invalid_because(read(&forge(&[alpha])), "does not exist");
}

#[test]
fn empty_pages_and_parts_and_duplicate_modules_are_refused() {
    invalid_because(
        read(&forge(&[Part {
            modules: vec![],
            chunks: vec![],
            entries: vec![],
        }])),
        "holds no module",
    );
    let (page, item) = stored(&Page { parts: vec![] });
    let root = Root {
        pack: PackInfo {
            id: "forged".into(),
            version: "1.0.0".into(),
            variant: crate::pack::Variant::Text,
        },
        dictionary: None,
        pages: vec![item],
    };
    let empty = Forged {
        root: serde_json::to_vec(&root).expect("json"),
        pieces: vec![page],
        data_len: item.stored_size,
    };
    invalid_because(read(&empty), "names no part");
    let mut twin = part("alpha", 2);
    twin.entries.clear();
    twin.chunks.clear();
    invalid_because(
        read(&forge(&[part("alpha", 1), twin])),
        "appears twice or out of order",
    );
}

#[test]
fn a_spoiled_piece_is_refused_and_stays_the_next_one_to_read() {
    let forged = forge(&[part("alpha", 1)]);
    let mut tree = TreeReader::new(&forged.root, forged.data_len, &Limits::V1).expect("root");
    let mut spoiled = forged.pieces[0].clone();
    spoiled[3] ^= 1;
    assert!(matches!(
        tree.take(&spoiled),
        Err(PackError::ChunkHashMismatch { index: 0 })
    ));
    assert!(matches!(
        tree.take(&forged.pieces[0][1..]),
        Err(PackError::ChunkHashMismatch { index: 0 })
    ));
    for piece in &forged.pieces {
        tree.take(piece).expect("the right bytes");
    }
    tree.finish().expect("reads");
}

#[test]
fn a_piece_that_inflates_beyond_its_stated_size_is_a_bomb_and_refused() {
    let bomb = compress_piece(&vec![b' '; 64 << 20], 3).expect("compresses");
    let item = ItemRef {
        hash: ContentHash::of(&bomb),
        stored_size: bomb.len() as u64,
        // Small, yet large enough that the stored size passes its bound: inflating is
        // what must stop at the stated size.
        size: 4000,
    };
    let root = Root {
        pack: PackInfo {
            id: "forged".into(),
            version: "1.0.0".into(),
            variant: crate::pack::Variant::Text,
        },
        dictionary: None,
        pages: vec![item],
    };
    let forged = Forged {
        root: serde_json::to_vec(&root).expect("json"),
        pieces: vec![bomb],
        data_len: item.stored_size,
    };
    let got = read(&forged);
    assert!(matches!(got, Err(PackError::BadChunk { .. })), "{got:?}");
}

#[test]
fn forged_sizes_and_counts_are_refused_before_anything_is_read() {
    let forged = forge(&[part("alpha", 1)]);
    let mut root: Root = serde_json::from_slice(&forged.root).expect("root");
    let honest = root.pages[0];
    let check = |root: &Root, data_len: u64| {
        let json = serde_json::to_vec(root).expect("json");
        TreeReader::new(&json, data_len, &Limits::V1).map(|_| ())
    };
    root.pages[0].size = u64::from(Limits::V1.max_manifest_len) + 1;
    assert!(matches!(
        check(&root, forged.data_len),
        Err(PackError::LimitExceeded {
            what: "the manifest length",
            ..
        })
    ));
    root.pages[0] = ItemRef {
        stored_size: 3 << 30,
        ..honest
    };
    assert!(matches!(
        check(&root, u64::MAX),
        Err(PackError::LimitExceeded {
            what: "a page or part's stored size",
            ..
        })
    ));
    root.pages[0] = honest;
    assert!(matches!(
        check(&root, honest.stored_size - 1),
        Err(PackError::InvalidManifest(why)) if why.contains("past the end")
    ));
    root.pages = vec![honest; 2];
    let few = Limits {
        max_pages: 1,
        ..Limits::V1
    };
    let json = serde_json::to_vec(&root).expect("json");
    assert!(matches!(
        TreeReader::new(&json, u64::MAX, &few),
        Err(PackError::LimitExceeded {
            what: "the number of pages",
            ..
        })
    ));
    let many = format!(
        r#"{{"pack":{{"id":"forged","version":"1.0.0","variant":"text"}},"pages":[{}]}}"#,
        vec![serde_json::to_string(&honest).expect("json"); Limits::V1.max_pages + 1].join(",")
    );
    assert!(matches!(
        TreeReader::new(many.as_bytes(), u64::MAX, &Limits::V1),
        Err(PackError::BadManifest(why)) if why.contains("more than")
    ));
}

#[test]
fn counts_across_parts_are_bounded_as_they_grow() {
    let few = Limits {
        max_entries: 3,
        ..Limits::V1
    };
    let forged = forge(&[part("alpha", 1), part("beta", 2)]);
    let mut tree = TreeReader::new(&forged.root, forged.data_len, &few).expect("root");
    tree.take(&forged.pieces[0]).expect("page");
    tree.take(&forged.pieces[1])
        .expect("the first part: 2 entries");
    assert!(matches!(
        tree.take(&forged.pieces[2]),
        Err(PackError::LimitExceeded {
            what: "the number of entries",
            value: 4,
            limit: 3
        })
    ));
}

#[test]
fn families_join_translations_and_parts_never_split_one() {
    let modules = ["a-de", "a-en", "b-en", "c-en"];
    let clusters = [
        ("a-en", "a-en"),
        ("a-de", "a-en"),
        ("b-en", "b-en"),
        ("c-en", "c-en"),
    ];
    let found = families(modules.into_iter(), clusters.into_iter());
    assert_eq!(
        found,
        vec![
            vec!["a-de".to_owned(), "a-en".to_owned()],
            vec!["b-en".to_owned()],
            vec!["c-en".to_owned()]
        ]
    );
    let big: Vec<String> = (0..PART_MODULES + 1).map(|i| format!("m{i:02}")).collect();
    let parts = parts_of(vec![vec!["a".into()], big.clone(), vec!["z".into()]]);
    assert_eq!(parts, vec![vec!["a".to_owned()], big, vec!["z".to_owned()]]);
}

#[test]
fn a_part_listing_another_parts_entries_is_refused() {
    let mut beta = part("beta", 2);
    beta.entries.push(entry("alpha/lessons/02.md", 0, 0, 10));
    invalid_because(
        read(&forge(&[part("alpha", 1), beta])),
        "does not hold its module",
    );
}
