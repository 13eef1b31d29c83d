//! Test fixtures shared by the core's tests, the CLI's tests, the benchmark and the fuzzer:
//! a fixed key, a small module with a lesson, an image and its low variant, packs built in
//! memory, and a way to forge packs byte by byte (validly signed by any key) so the reader
//! can be tested against what an attacker could make; with `client`, signed requests to a
//! hub (`signed.rs`). Compiled only for tests and with the `testing` feature.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;
use std::sync::OnceLock;

use crate::assess::SeededRng;
use crate::authoring::assemble;
use crate::keys::SecretKey;
use crate::module::{compile, Module, SourceFiles};
use crate::pack::format::{signed_message, Header, HEADER_LEN};
use crate::pack::{BuildOptions, Manifest, PackInfo, PackReader, Variant};

#[cfg(feature = "client")]
mod signed;
#[cfg(feature = "client")]
pub use signed::{signed_headers, signed_post};

/// The publisher key of the fixtures.
pub fn publisher_key() -> SecretKey {
    SecretKey::from_seed(&[42; 32])
}

/// Another publisher, not trusted by anyone.
pub fn stranger_key() -> SecretKey {
    SecretKey::from_seed(&[13; 32])
}

/// A small valid module: two lessons, an image with a low variant, three questions.
pub fn module_files(id: &str) -> SourceFiles {
    let mut f = SourceFiles::new();
    f.insert(
        "module.toml",
        format!(
            "id = \"{id}\"\nversion = \"1.0.0\"\ntitle = \"Checking your bike\"\nlanguage = \"en\"\n\
             minutes = 10\noutcomes = [\"Check brakes and tyres before riding\"]\n\n\
             [assessment]\npass_mark = 70\ndraw = 2\nattempts = 3\ncooldown_minutes = 30\n\n\
             [quality_assurance]\ndescription = \"Checked by two riding instructors.\"\n"
        ),
    );
    f.insert(
        "lessons/01-brakes.md",
        "# Brakes\n\nSqueeze both brake levers before you ride.\n\n![Brake lever](../images/brake.png)\n",
    );
    f.insert(
        "lessons/02-tyres.md",
        "# Tyres\n\nPress each tyre with your thumb. It should feel hard.\n".repeat(3),
    );
    f.insert("images/brake.png", fake_image(3000, 1));
    f.insert("images/brake.low.png", fake_image(800, 2));
    f.insert(
        "questions.toml",
        r#"[[question]]
id = "brakes-first"
type = "single"
prompt = "What do you check first?"
explanation = "Brakes stop you."
options = [{ text = "Brakes", correct = true }, { text = "Mirror", feedback = "Brakes first." }]

[[question]]
id = "tyre-hard"
type = "true-false"
prompt = "A good tyre feels hard."
answer = true
explanation = "Soft tyres skid."

[[question]]
id = "order"
type = "ordering"
prompt = "Order the checks."
items = ["Brakes", "Tyres", "Lights"]
explanation = "Most important first."
"#,
    );
    f
}

/// Bytes that look like an image and do not compress (a seeded random stream).
pub fn fake_image(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = SeededRng::new(seed);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    while out.len() < len {
        out.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A pack of the given modules' sources, built in memory and signed by `key`.
pub fn pack_of(modules: &[SourceFiles], variant: Variant, key: &SecretKey) -> Vec<u8> {
    let info = PackInfo {
        id: "fixture".into(),
        version: "1.0.0".into(),
        variant,
    };
    pack_with(modules, info, |_| {}, key)
}

/// A pack of the given modules' sources as the pack `info`, each compiled module changed by
/// `edit` before it is written (to make what the compiler would refuse, as a hostile or
/// careless publisher could by hand), signed by `key`.
pub fn pack_with(
    modules: &[SourceFiles],
    info: PackInfo,
    edit: impl Fn(&mut Module),
    key: &SecretKey,
) -> Vec<u8> {
    pack_in_format(modules, info, edit, key, BuildOptions::default().format)
}

/// [`pack_with`] in the given format major version (1 for the tests of reading packs that
/// phones still share).
pub fn pack_in_format(
    modules: &[SourceFiles],
    info: PackInfo,
    edit: impl Fn(&mut Module),
    key: &SecretKey,
    format: u16,
) -> Vec<u8> {
    let compiled: Vec<_> = modules
        .iter()
        .map(|files| {
            let c = compile(files);
            let mut module = c
                .module
                .unwrap_or_else(|| panic!("fixture module has errors:\n{}", c.diagnostics));
            edit(&mut module.module);
            module
        })
        .collect();
    let parts: Vec<_> = compiled.iter().zip(modules).collect();
    let options = BuildOptions {
        format,
        ..BuildOptions::default()
    };
    let builder = assemble(info, &parts, options).expect("assemble");
    let mut out = Vec::new();
    builder
        .write(key, &mut out, &crate::progress::NoProgress)
        .expect("write");
    out
}

/// The fixture pack: one module, full variant, signed by [`publisher_key`]. Built once
/// per process (property tests ask for it thousands of times).
pub fn sample_pack() -> Vec<u8> {
    static PACK: OnceLock<Vec<u8>> = OnceLock::new();
    PACK.get_or_init(|| {
        pack_of(
            &[module_files("bike-check")],
            Variant::Full,
            &publisher_key(),
        )
    })
    .clone()
}

/// The fixture pack in format 1, which phones still share: what [`RawPack`] takes apart.
pub fn sample_pack_v1() -> Vec<u8> {
    static PACK: OnceLock<Vec<u8>> = OnceLock::new();
    PACK.get_or_init(|| {
        let info = PackInfo {
            id: "fixture".into(),
            version: "1.0.0".into(),
            variant: Variant::Full,
        };
        let modules = [module_files("bike-check")];
        pack_in_format(&modules, info, |_| {}, &publisher_key(), 1)
    })
    .clone()
}

/// Opens and fully verifies pack bytes, as `skillpack verify` does.
pub fn open_and_verify(bytes: &[u8]) -> Result<(), crate::pack::PackError> {
    let mut reader = PackReader::open(Cursor::new(bytes))?;
    reader.verify(&crate::progress::NoProgress).map(|_| ())
}

/// A format 1 pack taken apart, to be changed and sealed again: its manifest is one JSON
/// document, so a test can forge any field of it (format 2's tree is forged in its own
/// module's tests).
#[derive(Debug, Clone)]
pub struct RawPack {
    /// The fixed header (lengths and signature are fixed up by [`RawPack::seal`]).
    pub header: Header,
    /// The manifest JSON (before compression).
    pub manifest_json: Vec<u8>,
    /// The chunk region.
    pub data: Vec<u8>,
}

impl RawPack {
    /// Takes a valid format 1 pack apart.
    pub fn parse(bytes: &[u8]) -> Self {
        let reader = PackReader::open(Cursor::new(bytes)).expect("valid pack");
        let header = reader.header().clone();
        assert_eq!(header.major, 1, "RawPack takes format 1 packs");
        let start = HEADER_LEN + header.manifest_stored_len as usize;
        Self {
            manifest_json: serde_json::to_vec(reader.manifest()).expect("json"),
            data: bytes[start..].to_vec(),
            header,
        }
    }

    /// The manifest, parsed.
    pub fn manifest(&self) -> Manifest {
        serde_json::from_slice(&self.manifest_json).expect("manifest json")
    }

    /// Replaces the manifest.
    pub fn set_manifest(&mut self, manifest: &Manifest) {
        self.manifest_json = serde_json::to_vec(manifest).expect("json");
    }

    /// Compresses the manifest, fixes the lengths, signs with `key` and encodes.
    pub fn seal(&self, key: &SecretKey) -> Vec<u8> {
        let stored = zstd::bulk::compress(&self.manifest_json, 3).expect("compress");
        let mut header = self.header.clone();
        header.publisher = key.public_key().to_bytes();
        header.manifest_stored_len = stored.len() as u32;
        header.manifest_len = self.manifest_json.len() as u32;
        header.data_len = self.data.len() as u64;
        Self::sign_and_encode(header, &stored, &self.data, key)
    }

    /// Signs exactly the header given (lengths not fixed) and encodes.
    pub fn sign_and_encode(
        mut header: Header,
        stored: &[u8],
        data: &[u8],
        key: &SecretKey,
    ) -> Vec<u8> {
        header.signature = key.sign(&signed_message(&header.encode(), stored));
        let mut out = header.encode().to_vec();
        out.extend_from_slice(stored);
        out.extend_from_slice(data);
        out
    }
}

/// A module with about 40 KB of lesson text drawn from a small vocabulary: enough text,
/// across a few of them, for the builder to train a dictionary.
pub fn text_heavy_module(id: &str, seed: u64) -> SourceFiles {
    const WORDS: &[&str] = &[
        "the", "customer", "rider", "order", "phone", "money", "safe", "check", "brake", "road",
        "always", "never", "ask", "wait", "call", "message", "helmet", "rain", "night", "light",
        "polite", "late", "sorry", "thank", "you", "your", "pin", "scam", "report", "help",
    ];
    let mut files = module_files(id);
    let mut rng = SeededRng::new(seed);
    for lesson in 0..8 {
        let mut text = format!("# Lesson {lesson}\n\n");
        for i in 0..900 {
            text.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
            text.push_str(if i % 12 == 11 { ".\n" } else { " " });
        }
        files.insert(format!("lessons/{:02}-more.md", lesson + 10), text);
    }
    files
}

/// The fully right answer to every question a learner answers, keyed by question id
/// (practical checklists have none: an assessor attests them).
pub fn right_answers(
    module: &crate::module::Module,
) -> std::collections::BTreeMap<String, crate::assess::Answer> {
    module
        .questions
        .iter()
        .filter_map(|q| Some((q.id.clone(), crate::assess::Answer::right_for(q)?)))
        .collect()
}

/// A device's chain of `n` signed records (numbered from 1), about `learner`, each a pass of
/// bike-check in a pack that is not anywhere.
pub fn record_chain(device: &SecretKey, learner: &str, n: u64) -> Vec<crate::ledger::SignedRecord> {
    let pack = crate::ledger::PackRef {
        id: "fixture".into(),
        version: "1.0.0".into(),
        hash: crate::hash::ContentHash::of(b"fixture"),
    };
    record_chain_in(device, learner, n, &pack)
}

/// [`record_chain`] with each record naming `pack` (the [`sample_pack`], say, once a hub
/// holds it).
pub fn record_chain_in(
    device: &SecretKey,
    learner: &str,
    n: u64,
    pack: &crate::ledger::PackRef,
) -> Vec<crate::ledger::SignedRecord> {
    use crate::assess::Answer;
    use crate::ledger::{record_id, responses_digest, Response, ResultRecord};
    let mut out: Vec<crate::ledger::SignedRecord> = Vec::new();
    for seq in 1..=n {
        let responses = vec![Response {
            question: "tyre-hard".into(),
            answer: Some(Answer::TrueFalse(true)),
            score: 1000,
        }];
        let record = ResultRecord {
            // Ids differ per device, as real devices draw them from randomness.
            id: record_id(1_800_000_000_000 + seq, {
                let key = device.public_key().to_bytes();
                std::array::from_fn(|i| key[i] ^ seq as u8)
            }),
            seq,
            prev: out.last().map(|r| r.hash().unwrap()),
            learner: learner.to_owned(),
            device: device.public_key().to_did_key(),
            pack: pack.clone(),
            module: "bike-check".into(),
            module_version: "1.0.0".into(),
            attempt: seq as u32,
            started_at: "2027-01-15T08:00:00.000Z".into(),
            ended_at: "2027-01-15T08:05:00.000Z".into(),
            duration_ms: 300_000,
            score: 1000,
            max_score: 1000,
            passed: true,
            responses_digest: responses_digest(&responses).unwrap(),
            responses,
            attestations: vec![],
        };
        out.push(record.sign(device).unwrap());
    }
    out
}

/// A registration of `device` for `learner` with `code`, carrying the learner's binding of
/// the device, as a device sends it.
pub fn register_request(
    device: &SecretKey,
    learner: &SecretKey,
    code: &str,
) -> crate::protocol::RegisterRequest {
    crate::protocol::RegisterRequest {
        enrolment_code: code.to_owned(),
        learner: learner.public_key().to_did_key(),
        binding: Some(
            crate::ledger::DeviceBinding::sign(learner, &device.public_key()).expect("binds"),
        ),
        name: None,
    }
}

/// `credential` poisoned as a hostile tester found: two alike results in its subject, each
/// holding `count` alignments that say the same thing in different JSON shapes (a value
/// alone or in a one-item list), so the guard on the JSON's shape counts them as different
/// and canonicalisation can tell them apart only by trying every order. Past six, the work
/// budget of `credential::canon` is spent.
pub fn poisoned(credential: &serde_json::Value, count: usize) -> serde_json::Value {
    use serde_json::json;
    let shaped = |n: usize| {
        let field = |bit: usize, value: &str| {
            if n & (1 << bit) == 0 {
                json!(value)
            } else {
                json!([value])
            }
        };
        json!({
            "type": field(0, "Alignment"),
            "targetName": field(1, "driving light vehicles"),
            "targetFramework": field(2, "ESCO"),
            "targetCode": field(3, "dbbbe31a"),
        })
    };
    let alignments: Vec<serde_json::Value> = (0..count).map(shaped).collect();
    let result = json!({"type": "Result", "value": "x", "alignment": alignments});
    let mut poisoned = credential.clone();
    poisoned["credentialSubject"]["result"] = json!([result.clone(), result]);
    poisoned
}

/// A presentation by `holder` of `credentials`, whoever they are about, over `challenge`: what
/// a dishonest presenter's own software could sign (`credential::present` refuses it), for
/// testing that verifiers refuse it.
pub fn presentation_of_anything(
    holder: &SecretKey,
    credentials: &[serde_json::Value],
    challenge: &str,
) -> serde_json::Value {
    let document = serde_json::json!({
        "@context": [crate::credential::CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "holder": holder.public_key().to_did_key(),
        "verifiableCredential": credentials,
    });
    crate::credential::presentation::sign_presentation(
        holder,
        document,
        crate::credential::PresentationRequest {
            challenge: Some(challenge),
            domain: None,
        },
        chrono::Utc::now(),
        crate::credential::Contexts::bundled(),
    )
    .expect("signs")
}
