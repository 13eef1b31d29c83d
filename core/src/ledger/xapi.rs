//! Results out as xAPI statements (IEEE 9274.1.1), so any Learning Record Store can take
//! them. The actor is the learner's `did:key` as an account; the verb is ADL's `passed` or
//! `failed`; the object is the module as an activity; the result carries the score.

use serde_json::{json, Value};

use super::record::ResultRecord;

/// The system learners' accounts belong to when the caller names none: `did:key` accounts
/// are defined by the DID specification.
pub const DEFAULT_HOME_PAGE: &str = "https://www.w3.org/TR/did-core/";

/// ADL verb IRIs.
const PASSED: &str = "http://adlnet.gov/expapi/verbs/passed";
const FAILED: &str = "http://adlnet.gov/expapi/verbs/failed";

/// The xAPI statement for one record. `home_page` names the system learners' accounts
/// belong to (the hub's public URL, say); `stored_at` is when the hub received it, if known.
pub fn to_xapi(record: &ResultRecord, home_page: &str, stored_at: Option<&str>) -> Value {
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
    let mut statement = json!({
        "id": record.id,
        "actor": {
            "objectType": "Agent",
            "account": { "homePage": home_page, "name": record.learner }
        },
        "verb": { "id": verb, "display": { "en-US": word } },
        "object": {
            "objectType": "Activity",
            "id": format!("urn:skillpack:module:{}", record.module),
            "definition": { "type": "http://adlnet.gov/expapi/activities/assessment" }
        },
        "result": {
            "score": { "raw": points(record.score), "min": 0.0, "max": points(record.max_score), "scaled": scaled },
            "success": record.passed,
            "completion": true,
            "duration": iso_duration(record.duration_ms)
        },
        "context": {
            "extensions": {
                "urn:skillpack:device": record.device,
                "urn:skillpack:attempt": record.attempt,
                "urn:skillpack:pack": format!("{}@{}", record.pack.id, record.pack.version)
            }
        },
        "timestamp": record.ended_at
    });
    if let (Some(stored), Some(object)) = (stored_at, statement.as_object_mut()) {
        object.insert("stored".into(), json!(stored));
    }
    statement
}

/// Milliseconds as an ISO 8601 duration (`PT9M30.25S`).
fn iso_duration(ms: u64) -> String {
    let (hours, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (minutes, rest) = (rest / 60_000, rest % 60_000);
    let seconds = rest as f64 / 1000.0;
    let mut out = String::from("PT");
    if hours > 0 {
        out.push_str(&format!("{hours}H"));
    }
    if minutes > 0 {
        out.push_str(&format!("{minutes}M"));
    }
    out.push_str(&format!("{seconds}S"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_iso_8601() {
        assert_eq!(iso_duration(570_250), "PT9M30.25S");
        assert_eq!(iso_duration(3_600_000), "PT1H0S");
        assert_eq!(iso_duration(0), "PT0S");
    }
}
