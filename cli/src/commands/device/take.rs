//! `skillpack device take` and `device questions`: an assessment from a terminal. Without
//! `--answers` it asks question by question at the prompt, options numbered in the order
//! shown (shuffled, as on a phone and in the preview). With `--answers FILE` it reads a JSON
//! object keyed by question id, options numbered as `device questions` lists them (the
//! author's order, the same for every attempt). An unknown id, or a number out of range, is
//! an error that names it before anything is recorded.

use std::collections::BTreeMap;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use skillpack_core::assess::{points_text, Answer, Attestation, QuestionView, QuestionViewKind};
use skillpack_core::device::{Device, SubmitView};

use super::{print_json, CommandResult};
use crate::answer_input::{parse_answer, Reply};
use crate::commands::correctness_label;

/// Longest answers file read (a module's answers take a few kilobytes).
const MAX_ANSWERS_FILE: u64 = 1 << 20;

/// How an answers file is written, for `--help`.
const ANSWERS_HELP: &str = "A JSON object keyed by question id (see `skillpack device \
questions MODULE`), each value what a learner would type: an option number (\"2\" or 2), \
several (\"1 3\" or [1, 3]), true or false, items in order (\"3 1 2\"), one right-hand \
number per left item for matching (\"2 - 1\", - for none), a number (\"1 500,5\") or \
words. Options are numbered from 1 in the order `device questions` lists them. A value may \
also be a raw answer object, such as {\"type\": \"single\", \"value\": 0}.";

/// The arguments of `skillpack device take`.
#[derive(Args)]
pub struct TakeArgs {
    /// The store folder.
    #[arg(long)]
    store: PathBuf,
    /// The module id.
    module: String,
    /// Answers from a file instead of the prompt.
    #[arg(long, long_help = ANSWERS_HELP)]
    answers: Option<PathBuf>,
    /// Assessor attestations (JSON files) for practical checklists.
    #[arg(long)]
    attestation: Vec<PathBuf>,
    /// Seed of the draw (default: random), to replay one.
    #[arg(long)]
    seed: Option<u64>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Takes the attempt and prints its outcome.
pub fn run(args: TakeArgs) -> CommandResult {
    let device = Device::open(&args.store)?;
    let attestations = read_attestations(&args.attestation)?;
    let module = args.module.as_str();
    // Read and check the whole file before the attempt starts: a mistake costs no attempt.
    let from_file = match &args.answers {
        Some(path) => Some(read_answers(path, &device.questions(module)?)?),
        None => None,
    };
    let attempt = match args.seed {
        Some(seed) => device.start_attempt_seeded(module, seed)?,
        None => device.start_attempt(module)?,
    };
    let submit = match from_file {
        Some(replies) => {
            for (id, reply) in replies {
                if attempt.questions.iter().any(|q| q.id == id) {
                    reply.give(&device, module, &id)?;
                } else {
                    eprintln!("note: {id} was not drawn in this attempt; its answer is not used");
                }
            }
            true
        }
        None => ask(&device, module, &attempt.questions)?,
    };
    if !submit {
        outln!("the attempt is kept, not submitted; `device take` takes it up again");
        return Ok(ExitCode::SUCCESS);
    }
    let submitted = device.submit_attested(module, &attestations)?;
    print_outcome(&submitted, args.json)
}

/// `skillpack device questions MODULE`.
pub fn list_questions(device: &Device, module: &str, json: bool) -> CommandResult {
    let questions = device.questions(module)?;
    if json {
        print_json(&questions)?;
        return Ok(ExitCode::SUCCESS);
    }
    for q in &questions {
        outln!(
            "{}  ({}, {} points)",
            q.id,
            kind_name(&q.kind),
            points_text(q.points)
        );
        outln!("    {}", q.prompt);
        for line in choices(&q.kind) {
            outln!("    {line}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads an answers file and reads each value against its question, in the author's order.
fn read_answers(path: &Path, bank: &[QuestionView]) -> anyhow::Result<Vec<(String, Reply)>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_ANSWERS_FILE + 1).read_to_end(&mut bytes))
        .with_context(|| format!("reading {}", path.display()))?;
    if bytes.len() as u64 > MAX_ANSWERS_FILE {
        bail!("{}: an answers file is at most 1 MiB", path.display());
    }
    let values: BTreeMap<String, serde_json::Value> = serde_json::from_slice(&bytes)
        .with_context(|| format!("{}: a JSON object of question id to answer", path.display()))?;
    values
        .into_iter()
        .map(|(id, value)| {
            let question = bank.iter().find(|q| q.id == id).with_context(|| {
                format!(
                    "{}: there is no question {id:?} in this module",
                    path.display()
                )
            })?;
            let reply = reply_from_json(&question.kind, value)
                .map_err(|why| anyhow::anyhow!("{}: {id}: {why}", path.display()))?;
            Ok((id, reply))
        })
        .collect()
}

/// A value of an answers file as the reply it stands for.
fn reply_from_json(kind: &QuestionViewKind, value: serde_json::Value) -> Result<Reply, String> {
    use serde_json::Value;
    let typed = match value {
        Value::Object(_) => {
            return serde_json::from_value::<Answer>(value)
                .map(Reply::Answer)
                .map_err(|e| format!("not an answer object: {e}"))
        }
        Value::String(text) => text,
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Number(n) => Ok(n.to_string()),
                Value::String(s) => Ok(s.clone()),
                other => Err(format!("{other} is not an option number")),
            })
            .collect::<Result<Vec<_>, _>>()?
            .join(" "),
        Value::Null => return Err("no answer given (leave the id out instead)".into()),
    };
    parse_answer(kind, &typed)
}

/// Asks each question at the prompt; true when the learner chose to submit. An empty line
/// leaves a question unanswered; the end of input stops without submitting.
fn ask(device: &Device, module: &str, questions: &[QuestionView]) -> anyhow::Result<bool> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    for (i, q) in questions.iter().enumerate() {
        outln!(
            "\n{}/{}  {}  ({} points)",
            i + 1,
            questions.len(),
            q.prompt,
            points_text(q.points)
        );
        for line in choices(&q.kind) {
            outln!("    {line}");
        }
        if let QuestionViewKind::Checklist { .. } = q.kind {
            outln!("    (an assessor checks this in person: pass --attestation)");
            continue;
        }
        loop {
            out!("{}> ", hint(&q.kind));
            let Some(line) = lines.next().transpose()? else {
                return Ok(false);
            };
            if line.trim().is_empty() {
                break;
            }
            let given = parse_answer(&q.kind, &line)
                .map_err(anyhow::Error::msg)
                .and_then(|reply| Ok(reply.give(device, module, &q.id)?));
            match given {
                Ok(()) => break,
                Err(e) => outln!("    {e:#}"),
            }
        }
    }
    out!("\nsubmit now? [Y/n] ");
    Ok(match lines.next().transpose()? {
        Some(line) => !line.trim().eq_ignore_ascii_case("n"),
        None => false,
    })
}

/// The options of a question, numbered from 1 in the order given.
fn choices(kind: &QuestionViewKind) -> Vec<String> {
    let numbered = |texts: Vec<&str>| -> Vec<String> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{}. {t}", i + 1))
            .collect()
    };
    match kind {
        QuestionViewKind::Single { options } | QuestionViewKind::Multiple { options } => {
            numbered(options.iter().map(|c| c.text.as_str()).collect())
        }
        QuestionViewKind::Ordering { items } => {
            numbered(items.iter().map(|c| c.text.as_str()).collect())
        }
        QuestionViewKind::Matching { lefts, rights } => {
            let mut lines: Vec<String> = lefts.iter().map(|l| format!("- {}", l.text)).collect();
            lines.push("choices:".into());
            lines.extend(numbered(rights.iter().map(|c| c.text.as_str()).collect()));
            lines
        }
        QuestionViewKind::TrueFalse => vec!["t. true".into(), "f. false".into()],
        QuestionViewKind::Checklist { items } => items.iter().map(|i| format!("[ ] {i}")).collect(),
        QuestionViewKind::Numeric { unit } => unit.iter().map(|u| format!("(in {u})")).collect(),
        QuestionViewKind::ShortText => Vec::new(),
    }
}

/// What to type, shown before the prompt.
fn hint(kind: &QuestionViewKind) -> &'static str {
    match kind {
        QuestionViewKind::Single { .. } => "one number ",
        QuestionViewKind::Multiple { .. } => "numbers ",
        QuestionViewKind::TrueFalse => "t or f ",
        QuestionViewKind::Ordering { .. } => "numbers in order ",
        QuestionViewKind::Matching { .. } => "a choice per item ",
        QuestionViewKind::Numeric { .. } => "a number ",
        QuestionViewKind::ShortText => "your answer ",
        QuestionViewKind::Checklist { .. } => "",
    }
}

fn kind_name(kind: &QuestionViewKind) -> &'static str {
    match kind {
        QuestionViewKind::Single { .. } => "single choice",
        QuestionViewKind::Multiple { .. } => "multiple choice",
        QuestionViewKind::TrueFalse => "true or false",
        QuestionViewKind::Ordering { .. } => "ordering",
        QuestionViewKind::Matching { .. } => "matching",
        QuestionViewKind::Numeric { .. } => "numeric",
        QuestionViewKind::ShortText => "short text",
        QuestionViewKind::Checklist { .. } => "practical checklist",
    }
}

fn read_attestations(paths: &[PathBuf]) -> anyhow::Result<Vec<Attestation>> {
    paths
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
            serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is not an attestation", p.display()))
        })
        .collect()
}

fn print_outcome(submitted: &SubmitView, json: bool) -> CommandResult {
    let outcome = &submitted.outcome;
    if json {
        print_json(&serde_json::json!({
            "outcome": outcome,
            "record": submitted.record_id,
            "seq": submitted.seq,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    for r in &outcome.results {
        outln!(
            "{:<28} {:>5}/{:<5} {}",
            r.id,
            points_text(r.score),
            points_text(r.max_score),
            correctness_label(r.correctness)
        );
        for f in &r.feedback {
            outln!("    {f}");
        }
    }
    outln!(
        "score {}, record {} (#{}) signed and kept for sync",
        outcome.summary(),
        submitted.record_id,
        submitted.seq
    );
    Ok(ExitCode::SUCCESS)
}
