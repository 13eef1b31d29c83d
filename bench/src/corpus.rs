//! A generated corpus of module folders, to benchmark at a scale the samples do not reach:
//! lesson text from a word-bigram chain trained on the English sample lessons (so its
//! statistics resemble real lessons without repeating them), per-module topic words for
//! vocabulary a real catalogue would have, and incompressible bytes standing in for images
//! (real PNG, JPEG and WebP are already compressed).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use skillpack_core::assess::SeededRng;
use skillpack_core::testing::fake_image;

/// Shape of a generated corpus.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Number of modules.
    pub modules: usize,
    /// Lessons per module.
    pub lessons: usize,
    /// Words per lesson.
    pub words: usize,
    /// Images per module.
    pub images: usize,
    /// Bytes of each full image.
    pub image_bytes: usize,
    /// Bytes of each low-data image.
    pub low_bytes: usize,
}

/// The corpus's random source: the engine's seeded generator, so every run builds the same
/// corpus.
pub struct Rng(SeededRng);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(SeededRng::new(seed))
    }

    pub fn below(&mut self, n: usize) -> usize {
        self.0.below(n.max(1) as u64) as usize
    }
}

/// Word-bigram chain over the sample lessons.
pub struct Chain {
    next: HashMap<String, Vec<String>>,
    starts: Vec<String>,
}

impl Chain {
    pub fn train(text: &str) -> Self {
        let words: Vec<&str> = text
            .split_whitespace()
            .filter(|w| !w.starts_with('!') && !w.starts_with('#'))
            .collect();
        let mut next: HashMap<String, Vec<String>> = HashMap::new();
        let mut starts = Vec::new();
        for pair in words.windows(2) {
            next.entry(pair[0].to_owned())
                .or_default()
                .push(pair[1].to_owned());
            if pair[0].ends_with('.') {
                starts.push(pair[1].to_owned());
            }
        }
        Self { next, starts }
    }

    /// About `words` words of prose, in paragraphs, with topic words mixed in.
    pub fn prose(&self, rng: &mut Rng, words: usize, topic: &[String]) -> String {
        let mut out = String::new();
        let mut word = self.starts[rng.below(self.starts.len())].clone();
        let mut since_break = 0;
        for _ in 0..words {
            if rng.below(12) == 0 {
                out.push_str(&topic[rng.below(topic.len())]);
                out.push(' ');
            }
            out.push_str(&word);
            since_break += 1;
            if word.ends_with('.') && since_break > 60 {
                out.push_str("\n\n");
                since_break = 0;
            } else {
                out.push(' ');
            }
            word = match self.next.get(&word) {
                Some(choices) => choices[rng.below(choices.len())].clone(),
                None => self.starts[rng.below(self.starts.len())].clone(),
            };
        }
        out
    }
}

fn topic_words(rng: &mut Rng) -> Vec<String> {
    const SYLLABLES: &[&str] = &[
        "ka", "to", "mi", "ra", "ne", "su", "lo", "pe", "chi", "wa", "do", "ban", "tel", "mor",
    ];
    (0..30)
        .map(|_| {
            (0..2 + rng.below(3))
                .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
                .collect()
        })
        .collect()
}

/// Writes the corpus under `root`; returns the module folders.
pub fn generate(root: &Path, shape: Shape, chain: &Chain) -> anyhow::Result<Vec<PathBuf>> {
    let mut rng = Rng::new(2026);
    let mut dirs = Vec::new();
    for m in 0..shape.modules {
        let id = format!("generated-module-{m:03}");
        let dir = root.join(&id);
        fs::create_dir_all(dir.join("lessons"))?;
        fs::create_dir_all(dir.join("images"))?;
        let topic = topic_words(&mut rng);
        fs::write(
            dir.join("module.toml"),
            format!(
                "id = \"{id}\"\nversion = \"1.0.0\"\ntitle = \"Generated module {m}\"\nlanguage = \"en\"\n\
                 minutes = 15\noutcomes = [\"{}\"]\n\n[assessment]\npass_mark = 70\ndraw = 8\n\
                 attempts = 3\ncooldown_minutes = 30\n",
                chain.prose(&mut rng, 8, &topic).trim().replace('"', "'")
            ),
        )?;
        for i in 0..shape.images {
            let full = fake_image(shape.image_bytes, (m * 100 + i) as u64);
            fs::write(dir.join(format!("images/picture-{i}.png")), full)?;
            let low = fake_image(shape.low_bytes, (m * 100 + i) as u64 + 50_000);
            fs::write(dir.join(format!("images/picture-{i}.low.png")), low)?;
        }
        for l in 0..shape.lessons {
            let mut text = format!("# Lesson {l} of module {m}\n\n");
            if l < shape.images {
                text.push_str(&format!("![Picture {l}](../images/picture-{l}.png)\n\n"));
            }
            text.push_str(&chain.prose(&mut rng, shape.words, &topic));
            fs::write(dir.join(format!("lessons/{l:02}-lesson.md")), text)?;
        }
        let mut bank = String::new();
        for q in 0..10 {
            let line = |rng: &mut Rng| {
                chain
                    .prose(rng, 10, &topic)
                    .trim()
                    .replace(['"', '\\'], "'")
            };
            bank.push_str(&format!(
                "[[question]]\nid = \"q{q}\"\ntype = \"single\"\nprompt = \"{}\"\nexplanation = \"{}\"\n\
                 options = [{{ text = \"{}\", correct = true }}, {{ text = \"{}\", feedback = \"{}\" }}]\n\n",
                line(&mut rng), line(&mut rng), line(&mut rng), line(&mut rng), line(&mut rng)
            ));
        }
        fs::write(dir.join("questions.toml"), bank)?;
        dirs.push(dir);
    }
    Ok(dirs)
}

/// The text of every English sample lesson, to train the chain.
pub fn sample_lesson_text(assets: &Path) -> anyhow::Result<String> {
    let mut text = String::new();
    for module in [
        "talking-with-customers",
        "safe-riding",
        "mobile-money-scams",
    ] {
        let dir = assets.join("modules").join(module).join("lessons");
        let mut files: Vec<PathBuf> = fs::read_dir(&dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        for f in files {
            text.push_str(&fs::read_to_string(f)?);
            text.push('\n');
        }
    }
    Ok(text)
}
