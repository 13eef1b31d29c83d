//! Results out as xAPI statements (IEEE 9274.1.1), as a Learning Record Store's users expect
//! them: for each record, one statement for the module (`passed` or `failed`, with the
//! score) and one per answered question (`answered`, with the xAPI interaction type of its
//! question type and the learner's response). Activity ids are namespaced by the publisher,
//! so two publishers' modules of the same id are two activities; activities carry their
//! names and descriptions in the module's language; the context names the language, the
//! platform, a registration per attempt and the pack as the parent activity. Statements carry
//! no `stored` (the LRS sets it); when the record was received goes in an extension, and a
//! device time in the future is clamped to it, the original kept.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::record::{Response, ResultRecord};
use crate::assess::Answer;
use crate::module::{Module, Question, QuestionKind};

/// The system learners' accounts belong to when the caller names none: `did:key` accounts
/// are defined by the DID specification.
pub const DEFAULT_HOME_PAGE: &str = "https://www.w3.org/TR/did-core/";

/// ADL verb IRIs.
const PASSED: &str = "http://adlnet.gov/expapi/verbs/passed";
const FAILED: &str = "http://adlnet.gov/expapi/verbs/failed";
const ANSWERED: &str = "http://adlnet.gov/expapi/verbs/answered";

/// ADL activity types.
const ASSESSMENT: &str = "http://adlnet.gov/expapi/activities/assessment";
const INTERACTION: &str = "http://adlnet.gov/expapi/activities/cmi.interaction";
const COURSE: &str = "http://adlnet.gov/expapi/activities/course";

/// Extensions of our own, under the project's namespace (docs/xapi.md, "Extensions").
const EXT_RECEIVED: &str = "https://w3id.org/skillpack/xapi/extensions/received";
const EXT_DEVICE_TIME: &str = "https://w3id.org/skillpack/xapi/extensions/device-timestamp";
const EXT_DEVICE: &str = "https://w3id.org/skillpack/xapi/extensions/device";
const EXT_ATTEMPT: &str = "https://w3id.org/skillpack/xapi/extensions/attempt";

/// What a statement needs besides the record.
#[derive(Debug, Clone, Copy)]
pub struct XapiContext<'a> {
    /// The system learners' accounts belong to: the hub's public URL.
    pub home_page: &'a str,
    /// The learner's name as the trainer sees it, if any.
    pub name: Option<&'a str>,
    /// When the hub received the record (RFC 3339), if known.
    pub received_at: Option<&'a str>,
    /// The publisher's `did:key` (namespaces the activities).
    pub publisher: &'a str,
    /// The module as compiled, when the hub holds it (names, language, question types).
    pub module: Option<&'a Module>,
}

/// Every statement of one record: the module's, then one per answered question.
pub fn statements(record: &ResultRecord, ctx: &XapiContext<'_>) -> Vec<Value> {
    let mut out = vec![module_statement(record, ctx)];
    for (n, response) in record.responses.iter().enumerate() {
        if response.answer.is_some() {
            out.push(question_statement(record, ctx, n, response));
        }
    }
    out
}

fn module_statement(record: &ResultRecord, ctx: &XapiContext<'_>) -> Value {
    let (verb, word) = if record.passed {
        (PASSED, "passed")
    } else {
        (FAILED, "failed")
    };
    let points = |milli: u32| f64::from(milli) / 1000.0;
    let scaled = if record.max_score > 0 {
        f64::from(record.score) / f64::from(record.max_score)
    } else {
        0.0
    };
    let mut definition = json!({ "type": ASSESSMENT });
    if let Some(module) = ctx.module {
        definition["name"] = json!({ &module.language: module.title });
        if let Some(summary) = &module.summary {
            definition["description"] = json!({ &module.language: summary });
        }
    }
    let mut statement = json!({
        "id": record.id,
        "actor": actor(record, ctx),
        "verb": { "id": verb, "display": { "en-US": word } },
        "object": {
            "objectType": "Activity",
            "id": module_activity(ctx.publisher, &record.module),
            "definition": definition
        },
        "result": {
            "score": { "raw": points(record.score), "min": 0.0, "max": points(record.max_score), "scaled": scaled },
            "success": record.passed,
            "completion": true,
            "duration": iso_duration(record.duration_ms)
        },
        "context": context(record, ctx),
    });
    set_timestamp(&mut statement, record, ctx);
    statement
}

fn question_statement(
    record: &ResultRecord,
    ctx: &XapiContext<'_>,
    n: usize,
    response: &Response,
) -> Value {
    let question = ctx
        .module
        .and_then(|m| m.questions.iter().find(|q| q.id == response.question));
    let mut definition = json!({
        "type": INTERACTION,
        "interactionType": question.map_or("other", interaction_type),
    });
    if let (Some(q), Some(module)) = (question, ctx.module) {
        definition["name"] = json!({ &module.language: q.prompt });
        definition["description"] = json!({ &module.language: q.prompt });
        describe_interaction(&mut definition, q, &module.language);
    }
    let max = question.map(|q| f64::from(q.points));
    let raw = f64::from(response.score) / 1000.0;
    let mut result = json!({
        "success": max.is_some_and(|m| raw >= m) || (max.is_none() && response.score > 0),
        "response": response.answer.as_ref().map(response_text).unwrap_or_default(),
    });
    if let Some(max) = max {
        result["score"] = json!({ "raw": raw, "min": 0.0, "max": max });
    }
    let mut statement = json!({
        "id": derived_id(&record.id, n),
        "actor": actor(record, ctx),
        "verb": { "id": ANSWERED, "display": { "en-US": "answered" } },
        "object": {
            "objectType": "Activity",
            "id": format!("{}/question/{}", module_activity(ctx.publisher, &record.module), response.question),
            "definition": definition
        },
        "result": result,
        "context": context(record, ctx),
    });
    let parent = json!([{ "objectType": "Activity", "id": module_activity(ctx.publisher, &record.module),
                           "definition": { "type": ASSESSMENT } }]);
    statement["context"]["contextActivities"]["parent"] = parent;
    set_timestamp(&mut statement, record, ctx);
    statement
}

fn actor(record: &ResultRecord, ctx: &XapiContext<'_>) -> Value {
    let mut actor = json!({
        "objectType": "Agent",
        "account": { "homePage": ctx.home_page, "name": record.learner }
    });
    if let Some(name) = ctx.name {
        actor["name"] = name.into();
    }
    actor
}

fn context(record: &ResultRecord, ctx: &XapiContext<'_>) -> Value {
    let mut extensions = Map::new();
    extensions.insert(EXT_DEVICE.into(), record.device.clone().into());
    extensions.insert(EXT_ATTEMPT.into(), record.attempt.into());
    let mut context = json!({
        "registration": registration(&record.id),
        "platform": "Skillpack",
        "contextActivities": {
            "grouping": [{
                "objectType": "Activity",
                "id": format!("urn:skillpack:pack:{}:{}", key_part(ctx.publisher), record.pack.id),
                "definition": { "type": COURSE }
            }]
        },
        "extensions": extensions
    });
    if let Some(module) = ctx.module {
        context["language"] = module.language.clone().into();
    }
    context
}

/// The statement's time is when the attempt ended on the device, unless the device's clock
/// put it after the hub received it: then the receipt time, the device's kept in an
/// extension.
fn set_timestamp(statement: &mut Value, record: &ResultRecord, ctx: &XapiContext<'_>) {
    let parse = |t: &str| {
        DateTime::parse_from_rfc3339(t)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    };
    let ended = parse(&record.ended_at);
    let received = ctx.received_at.and_then(parse);
    let timestamp = match (ended, received) {
        (Some(e), Some(r)) if e > r => {
            statement["context"]["extensions"][EXT_DEVICE_TIME] = record.ended_at.clone().into();
            ctx.received_at.unwrap_or(&record.ended_at).to_owned()
        }
        _ => record.ended_at.clone(),
    };
    statement["timestamp"] = timestamp.into();
    if let Some(received) = ctx.received_at {
        statement["context"]["extensions"][EXT_RECEIVED] = received.into();
    }
}

/// The module's activity id, namespaced by its publisher's key.
fn module_activity(publisher: &str, module: &str) -> String {
    format!("urn:skillpack:module:{}:{module}", key_part(publisher))
}

/// The multibase part of a `did:key` (an IRI segment without the scheme's colons).
fn key_part(did: &str) -> &str {
    did.strip_prefix("did:key:").unwrap_or(did)
}

/// The registration of an attempt: the record id when it is a UUID (records' ids are), else
/// a UUID derived from it.
fn registration(record_id: &str) -> String {
    match uuid::Uuid::parse_str(record_id) {
        Ok(id) => id.hyphenated().to_string(),
        Err(_) => derived_id(record_id, usize::MAX),
    }
}

/// A stable UUID (version 8, from SHA-256) for the `n`th question statement of a record: the
/// same export twice gives the same ids, so an LRS keeps each statement once.
fn derived_id(record_id: &str, n: usize) -> String {
    let digest = Sha256::digest(format!("skillpack xapi statement\0{record_id}\0{n}"));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// What an LRS needs to report a question's answers: its options (`choices`, or `source` and
/// `target` for matching, `steps` for a checklist), each named by the key answers use, and
/// the right responses (`correctResponsesPattern`, in the responses' own format). Without
/// them a report shows `0[.]0[,]1[.]1` and cannot say what was right.
fn describe_interaction(definition: &mut Value, question: &Question, language: &str) {
    let components = |texts: &mut dyn Iterator<Item = &String>| -> Value {
        texts
            .enumerate()
            .map(|(key, text)| json!({ "id": key.to_string(), "description": { language: text } }))
            .collect()
    };
    match &question.kind {
        QuestionKind::Single { options, .. } | QuestionKind::Multiple { options, .. } => {
            definition["choices"] = components(&mut options.iter().map(|o| &o.text));
        }
        QuestionKind::Ordering { items, .. } => {
            definition["choices"] = components(&mut items.iter());
        }
        QuestionKind::Matching {
            pairs, distractors, ..
        } => {
            definition["source"] = components(&mut pairs.iter().map(|p| &p.left));
            let targets = crate::assess::right_choices(pairs, distractors);
            definition["target"] = components(&mut targets.iter());
        }
        QuestionKind::Checklist { items } => {
            definition["steps"] = components(&mut items.iter());
        }
        QuestionKind::TrueFalse { .. }
        | QuestionKind::Numeric { .. }
        | QuestionKind::ShortText { .. } => {}
    }
    let patterns: Vec<String> = match &question.kind {
        // Any of the accepted answers is right.
        QuestionKind::ShortText { accept } => accept.clone(),
        // The range the tolerance allows, as xAPI writes one.
        QuestionKind::Numeric {
            answer, tolerance, ..
        } => vec![format!(
            "{}[:]{}",
            decimal(answer - tolerance),
            decimal(answer + tolerance)
        )],
        _ => Answer::right_for(question)
            .map(|right| vec![response_text(&right)])
            .unwrap_or_default(),
    };
    if !patterns.is_empty() {
        definition["correctResponsesPattern"] = patterns.into();
    }
}

/// A number as a person wrote it: to nine decimals at most, so a sum of decimals reads
/// `2.2` and not `2.2000000000000002`.
fn decimal(x: f64) -> String {
    let rounded = (x * 1e9).round() / 1e9;
    format!("{rounded}")
}

/// The xAPI interaction type of a question type.
fn interaction_type(question: &Question) -> &'static str {
    match &question.kind {
        QuestionKind::Single { .. } | QuestionKind::Multiple { .. } => "choice",
        QuestionKind::TrueFalse { .. } => "true-false",
        QuestionKind::Ordering { .. } => "sequencing",
        QuestionKind::Matching { .. } => "matching",
        QuestionKind::Numeric { .. } => "numeric",
        QuestionKind::ShortText { .. } => "fill-in",
        QuestionKind::Checklist { .. } => "performance",
    }
}

/// A learner's answer in xAPI's response format (`[,]` between items, `[.]` in a pair).
fn response_text(answer: &Answer) -> String {
    let list = |items: &[u32]| {
        items
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join("[,]")
    };
    match answer {
        Answer::Single(choice) => choice.to_string(),
        Answer::Multiple(choices) => list(choices),
        Answer::TrueFalse(value) => value.to_string(),
        Answer::Ordering(order) => list(order),
        Answer::Matching(pairs) => pairs
            .iter()
            .enumerate()
            .filter_map(|(left, right)| right.map(|r| format!("{left}[.]{r}")))
            .collect::<Vec<_>>()
            .join("[,]"),
        Answer::Numeric(value) => value.to_string(),
        Answer::ShortText(text) => text.clone(),
    }
}

/// Milliseconds as an ISO 8601 duration to a hundredth of a second (`PT9M30.25S`), as xAPI
/// asks (more precision is truncated by LRSs).
fn iso_duration(ms: u64) -> String {
    let centis = (ms + 5) / 10;
    let (hours, rest) = (centis / 360_000, centis % 360_000);
    let (minutes, rest) = (rest / 6_000, rest % 6_000);
    let (seconds, hundredths) = (rest / 100, rest % 100);
    let mut out = String::from("PT");
    if hours > 0 {
        out.push_str(&format!("{hours}H"));
    }
    if minutes > 0 {
        out.push_str(&format!("{minutes}M"));
    }
    let fraction = format!("{hundredths:02}");
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        out.push_str(&format!("{seconds}S"));
    } else {
        out.push_str(&format!("{seconds}.{fraction}S"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_iso_8601_to_a_hundredth_of_a_second() {
        assert_eq!(iso_duration(570_250), "PT9M30.25S");
        assert_eq!(iso_duration(570_257), "PT9M30.26S");
        assert_eq!(iso_duration(1_500), "PT1.5S");
        assert_eq!(iso_duration(3_600_000), "PT1H0S");
        assert_eq!(iso_duration(0), "PT0S");
    }

    #[test]
    fn a_device_time_after_the_receipt_is_clamped_to_it_and_kept_and_ids_are_stable() {
        let device = crate::keys::SecretKey::from_seed(&[3; 32]);
        let record = crate::testing::record_chain(&device, "did:key:z6MkLearner", 1)
            .remove(0)
            .record;
        // The fixture's attempt ended on 2027-01-15, after this receipt.
        let ctx = XapiContext {
            home_page: "https://hub.example.org/",
            name: Some("Achieng"),
            received_at: Some("2026-12-01T10:00:00.000Z"),
            publisher: "did:key:z6MkPublisher",
            module: None,
        };
        let all = statements(&record, &ctx);
        assert_eq!(all.len(), 2, "the module's and one answered question");
        for s in &all {
            assert_eq!(s["timestamp"], "2026-12-01T10:00:00.000Z");
            assert_eq!(s["context"]["extensions"][EXT_DEVICE_TIME], record.ended_at);
            assert!(s.get("stored").is_none());
            assert_eq!(s["actor"]["name"], "Achieng");
        }
        assert_eq!(all[1]["object"]["definition"]["interactionType"], "other");
        assert_eq!(statements(&record, &ctx), all, "the same ids every export");
        assert_ne!(all[0]["id"], all[1]["id"]);
        let earlier = XapiContext {
            received_at: Some("2027-02-01T00:00:00.000Z"),
            ..ctx
        };
        let kept = statements(&record, &earlier);
        assert_eq!(kept[0]["timestamp"], record.ended_at);
        assert!(kept[0]["context"]["extensions"]
            .get(EXT_DEVICE_TIME)
            .is_none());
    }

    #[test]
    fn questions_carry_their_options_and_right_responses_for_an_lrs_report() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../assets/modules/mobile-money-scams");
        let mut files = crate::module::SourceFiles::new();
        for sub in ["", "lessons", "images"] {
            let Ok(entries) = std::fs::read_dir(folder.join(sub)) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                if path.is_file() {
                    let name = path.file_name().unwrap().to_string_lossy().into_owned();
                    let name = if sub.is_empty() {
                        name
                    } else {
                        format!("{sub}/{name}")
                    };
                    files.insert(name, std::fs::read(&path).unwrap());
                }
            }
        }
        let module = crate::module::compile(&files)
            .module
            .expect("the sample compiles")
            .module;
        let definition = |type_name: &str| {
            let q = module
                .questions
                .iter()
                .find(|q| q.kind.type_name() == type_name)
                .unwrap_or_else(|| panic!("a {type_name} question"));
            let mut d = json!({});
            describe_interaction(&mut d, q, &module.language);
            (q, d)
        };
        let (q, d) = definition("single");
        let QuestionKind::Single { options, .. } = &q.kind else {
            unreachable!()
        };
        assert_eq!(d["choices"].as_array().unwrap().len(), options.len());
        assert_eq!(
            d["choices"][0]["description"][&module.language],
            options[0].text
        );
        let right = options.iter().position(|o| o.correct).unwrap();
        assert_eq!(d["correctResponsesPattern"], json!([right.to_string()]));
        let (q, d) = definition("matching");
        let QuestionKind::Matching { pairs, .. } = &q.kind else {
            unreachable!()
        };
        assert_eq!(d["source"].as_array().unwrap().len(), pairs.len());
        let pattern = d["correctResponsesPattern"][0].as_str().unwrap();
        assert_eq!(pattern.split("[,]").count(), pairs.len(), "{pattern}");
        let (q, d) = definition("numeric");
        let QuestionKind::Numeric {
            answer, tolerance, ..
        } = &q.kind
        else {
            unreachable!()
        };
        assert_eq!(
            d["correctResponsesPattern"],
            json!([format!(
                "{}[:]{}",
                decimal(answer - tolerance),
                decimal(answer + tolerance)
            )])
        );
        assert_eq!(decimal(0.1 + 0.2), "0.3");
        let (_, d) = definition("ordering");
        assert_eq!(
            d["correctResponsesPattern"][0]
                .as_str()
                .unwrap()
                .split("[,]")
                .count(),
            d["choices"].as_array().unwrap().len()
        );
    }

    #[test]
    fn responses_read_in_xapis_format() {
        assert_eq!(response_text(&Answer::Multiple(vec![0, 2])), "0[,]2");
        assert_eq!(
            response_text(&Answer::Matching(vec![Some(1), None, Some(0)])),
            "0[.]1[,]2[.]0"
        );
        assert_eq!(response_text(&Answer::TrueFalse(false)), "false");
    }
}
