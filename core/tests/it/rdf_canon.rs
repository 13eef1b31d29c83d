//! The RDFC-1.0 canonicalisation an `eddsa-rdfc-2022` proof signs (`credential::canon`, with
//! its work budget) held to the W3C RDF Dataset Canonicalization test suite: each case's
//! input, read as N-Quads, must canonicalise to the suite's expected output byte for byte, the
//! poison graphs the suite says are computable included; its negative poison case (a clique)
//! must be refused by the budget. The data and where it comes from are in
//! `rdf_canon/README.md`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use nquads_syntax::Parse;
use skillpack_core::credential::canon;
use ssi_rdf::LexicalQuad;

/// The suite's RDFC-1.0 evaluation tests run here, by test id: every one less those below.
/// Some go beyond the tree shape a credential has (the shared and cyclic blank nodes of
/// test016-test030 and test064-test069, the named graphs of test057-test059 and
/// test070-test073, the poison graphs of test044-test046, 12 blank nodes in one tangled,
/// symmetric cluster, which take under 10,000 of the budget's steps); they run too, since
/// the same algorithm serves both.
///
/// Not here:
/// - test074 (poison clique, an `RDFC10NegativeEvalTest`): 10 blank nodes all linked to each
///   other; the suite expects a processor to give up, and the budget does
///   ([`the_poison_clique_is_refused_by_the_budget`]).
/// - test075 (SHA-384): `eddsa-rdfc-2022` hashes with SHA-256, and so does the
///   canonicaliser; the suite's SHA-384 option is not a credential's. Not copied.
/// - test060 (N-Quads escaping): literals holding control characters. ssi-rdf writes them
///   through rdf-types 0.22, which escapes only `"`, `\`, LF and CR, where RDFC-1.0 also writes
///   `\b`, `\t`, `\f` and `\uXXXX` (rdf-canonize 4 and later, which Digital Bazaar's
///   `eddsa-rdfc-2022` cryptosuite uses, follows RDFC-1.0). So `credential::rdfc`'s guard
///   refuses a credential whose text holds such a character, and Skillpack writes none
///   (`credential::tests`: `a_credential_holding_a_tab_is_refused_before_it_is_read` and
///   `a_tab_in_a_modules_text_is_a_space_in_its_credential_which_verifies`); the fix belongs
///   in ssi-rdf's writer, after which this case can run. Not copied.
const CASES: &[&str] = &[
    "test001", "test002", "test003", "test004", "test005", "test006", "test008", "test009",
    "test010", "test011", "test013", "test014", "test016", "test017", "test018", "test019",
    "test020", "test021", "test022", "test023", "test024", "test025", "test026", "test027",
    "test028", "test029", "test030", "test033", "test034", "test035", "test036", "test038",
    "test039", "test040", "test043", "test044", "test045", "test046", "test047", "test048",
    "test053", "test054", "test055", "test056", "test057", "test058", "test059", "test061",
    "test062", "test063", "test064", "test065", "test066", "test067", "test068", "test069",
    "test070", "test071", "test072", "test073", "test076", "test077",
];

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/rdf_canon")
}

/// The quads of a case's input.
fn quads_of(id: &str) -> Vec<LexicalQuad> {
    let input = read(&format!("{id}-in.nq"));
    let document = nquads_syntax::Document::parse_str(&input)
        .unwrap_or_else(|e| panic!("{id}-in.nq is not N-Quads: {e:?}"));
    document
        .into_value()
        .into_iter()
        .map(|quad| quad.into_value())
        .map(nquads_syntax::strip_quad)
        .collect()
}

fn read(name: &str) -> String {
    let path = data_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The canonical N-Quads of a case's input.
fn canonicalise(id: &str) -> String {
    canon::canonical_nquads_of(&quads_of(id))
        .unwrap_or_else(|_| panic!("{id}: over the budget"))
        .concat()
}

/// The cases among `ids` whose canonical form differs from the suite's, each with both forms.
fn differing(ids: &[&str]) -> Vec<String> {
    ids.iter()
        .filter_map(|id| {
            let expected = read(&format!("{id}-rdfc10.nq"));
            let actual = canonicalise(id);
            (actual != expected)
                .then(|| format!("{id}:\n--- expected\n{expected}--- ours\n{actual}"))
        })
        .collect()
}

#[test]
fn canonical_form_equals_w3c_suite_output() {
    let failed = differing(CASES);
    assert!(
        failed.is_empty(),
        "{} of {} cases differ from the suite:\n{}",
        failed.len(),
        CASES.len(),
        failed.join("\n")
    );
}

#[test]
fn every_case_copied_from_the_suite_is_run() {
    let copied: BTreeSet<String> = std::fs::read_dir(data_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter_map(|name| {
            let id = name
                .strip_suffix("-in.nq")
                .or(name.strip_suffix("-rdfc10.nq"))?;
            Some(id.to_owned())
        })
        .collect();
    let run: BTreeSet<String> = CASES
        .iter()
        .chain(&[NEGATIVE])
        .map(|id| (*id).to_owned())
        .collect();
    assert_eq!(copied, run, "the data folder names the cases listed here");
}

/// The suite's negative case: a poison graph a canonicaliser must give up on.
const NEGATIVE: &str = "test074";

#[test]
fn the_poison_clique_is_refused_by_the_budget() {
    let started = std::time::Instant::now();
    let refused = canon::canonical_nquads_of(&quads_of(NEGATIVE));
    eprintln!("{NEGATIVE} refused in {:?}", started.elapsed());
    assert_eq!(refused, Err(canon::BudgetSpent));
}
