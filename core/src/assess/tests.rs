//! The engine, exhaustively: every question type and its scoring rule, the edge cases
//! (empty answer, duplicates, all wrong, all right, the time limit to the second), the draw's
//! determinism, and attestations.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::*;
use crate::keys::SecretKey;
use crate::module::{AssessmentRules, Choice, Module, Pair, Question, QuestionKind, Scoring};

mod weighted;

fn q(id: &str, points: u32, kind: QuestionKind) -> Question {
    Question {
        id: id.into(),
        prompt: format!("{id}?"),
        points,
        explanation: Some(format!("because {id}")),
        kind,
    }
}

fn choice(text: &str, correct: bool, feedback: Option<&str>) -> Choice {
    Choice {
        text: text.into(),
        correct,
        feedback: feedback.map(Into::into),
        weight: None,
    }
}

fn assessor() -> SecretKey {
    SecretKey::from_seed(&[5; 32])
}

const LEARNER: &str = "did:key:z6MkLearner";

fn module(draw: u32) -> Module {
    Module {
        pathway: None,
        id: "m".into(),
        version: "1.0.0".into(),
        title: "M".into(),
        language: "en".into(),
        minutes: 10,
        summary: None,
        translates: None,
        outcomes: vec!["o".into()],
        skills: vec![],
        recognition: Default::default(),
        assessors: vec![assessor().public_key().to_did_key()],
        lessons: vec![],
        assessment: AssessmentRules {
            pass_mark: 70,
            draw,
            attempts: 3,
            cooldown_minutes: 30,
            time_limit_minutes: Some(15),
        },
        questions: vec![
            q(
                "single",
                1,
                QuestionKind::Single {
                    options: vec![
                        choice("a", false, Some("not a")),
                        choice("b", true, Some("yes b")),
                        choice("c", false, None),
                    ],
                    scoring: Scoring::AllOrNothing,
                },
            ),
            q(
                "multi",
                1,
                QuestionKind::Multiple {
                    options: vec![
                        choice("a", true, None),
                        choice("b", true, None),
                        choice("c", false, Some("not c")),
                        choice("d", false, None),
                    ],
                    scoring: Scoring::Partial,
                },
            ),
            q(
                "strict",
                1,
                QuestionKind::Multiple {
                    options: vec![
                        choice("a", true, None),
                        choice("b", true, None),
                        choice("c", false, None),
                    ],
                    scoring: Scoring::AllOrNothing,
                },
            ),
            q(
                "tf",
                1,
                QuestionKind::TrueFalse {
                    answer: false,
                    feedback_true: Some("no".into()),
                    feedback_false: Some("right".into()),
                },
            ),
            q(
                "order",
                1,
                QuestionKind::Ordering {
                    items: vec!["1".into(), "2".into(), "3".into(), "4".into()],
                    scoring: Scoring::Partial,
                },
            ),
            q(
                "order-strict",
                1,
                QuestionKind::Ordering {
                    items: vec!["1".into(), "2".into(), "3".into()],
                    scoring: Scoring::AllOrNothing,
                },
            ),
            q(
                "match",
                2,
                QuestionKind::Matching {
                    pairs: vec![
                        Pair {
                            left: "red light".into(),
                            right: "Stop".into(),
                        },
                        Pair {
                            left: "stop sign".into(),
                            right: "Stop".into(),
                        },
                        Pair {
                            left: "green".into(),
                            right: "Go".into(),
                        },
                    ],
                    distractors: vec!["Honk".into()],
                    scoring: Scoring::Partial,
                },
            ),
            q(
                "num",
                1,
                QuestionKind::Numeric {
                    answer: 0.3,
                    tolerance: 0.0,
                    unit: None,
                },
            ),
            q(
                "range",
                1,
                QuestionKind::Numeric {
                    answer: 550.0,
                    tolerance: 10.0,
                    unit: Some("KSh".into()),
                },
            ),
            q(
                "text",
                1,
                QuestionKind::ShortText {
                    accept: vec!["Casco".into(), "a helmet".into()],
                },
            ),
            q(
                "check",
                4,
                QuestionKind::Checklist {
                    items: vec![
                        "brakes".into(),
                        "tyres".into(),
                        "lights".into(),
                        "horn".into(),
                    ],
                },
            ),
        ],
    }
}

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000, 0).expect("valid time")
}

/// An attempt holding every answerable question (draw = all of them).
fn full_attempt() -> (Module, Attempt) {
    let m = module(10);
    let a = Attempt::start(&m, 0, &[], t0(), 42).expect("starts");
    (m, a)
}

/// Scores one question with one answer through a real attempt.
fn score_of(id: &str, answer: Answer) -> QuestionResult {
    let (m, mut a) = full_attempt();
    a.answer(&m, id, answer, Duration::ZERO)
        .expect("answer fits");
    let outcome = a.submit(&m, &[], LEARNER, Duration::ZERO).expect("submits");
    outcome
        .results
        .into_iter()
        .find(|r| r.id == id)
        .expect("in results")
}

#[test]
fn single_choice_right_wrong_and_its_feedback() {
    let r = score_of("single", Answer::Single(1));
    assert_eq!(
        (r.score, r.correctness, r.feedback.clone()),
        (1000, Correctness::Correct, vec!["yes b".to_owned()])
    );
    let r = score_of("single", Answer::Single(0));
    assert_eq!(
        (r.score, r.correctness, r.feedback.clone()),
        (0, Correctness::Wrong, vec!["not a".to_owned()])
    );
    assert_eq!(r.explanation.as_deref(), Some("because single"));
}

#[test]
fn multiple_partial_credit_follows_the_stated_rule() {
    // k = 2 right options: +1/2 each right pick, -1/2 each wrong pick, floor 0.
    let cases = [
        (vec![0, 1], 1000, Correctness::Correct),
        (vec![0], 500, Correctness::Partial),
        (vec![0, 1, 2], 500, Correctness::Partial),
        (vec![0, 2], 0, Correctness::Wrong),
        (vec![2, 3], 0, Correctness::Wrong),
        (vec![], 0, Correctness::Wrong),
    ];
    for (keys, expected, correctness) in cases {
        let r = score_of("multi", Answer::Multiple(keys.clone()));
        assert_eq!(
            (r.score, r.correctness),
            (expected, correctness),
            "{keys:?}"
        );
    }
    assert_eq!(
        score_of("multi", Answer::Multiple(vec![2])).feedback,
        vec!["not c".to_owned()]
    );
}

#[test]
fn multiple_all_or_nothing_needs_the_exact_set() {
    assert_eq!(score_of("strict", Answer::Multiple(vec![1, 0])).score, 1000);
    assert_eq!(score_of("strict", Answer::Multiple(vec![0])).score, 0);
    assert_eq!(score_of("strict", Answer::Multiple(vec![0, 1, 2])).score, 0);
}

#[test]
fn true_false_with_feedback_for_the_choice() {
    let r = score_of("tf", Answer::TrueFalse(false));
    assert_eq!(
        (r.score, r.feedback.clone()),
        (1000, vec!["right".to_owned()])
    );
    let r = score_of("tf", Answer::TrueFalse(true));
    assert_eq!((r.score, r.feedback.clone()), (0, vec!["no".to_owned()]));
}

#[test]
fn ordering_partial_counts_items_in_place_and_strict_needs_all() {
    assert_eq!(
        score_of("order", Answer::Ordering(vec![0, 1, 2, 3])).score,
        1000
    );
    assert_eq!(
        score_of("order", Answer::Ordering(vec![0, 1, 3, 2])).score,
        500
    );
    assert_eq!(
        score_of("order", Answer::Ordering(vec![3, 2, 1, 0])).score,
        0
    );
    assert_eq!(
        score_of("order-strict", Answer::Ordering(vec![0, 2, 1])).score,
        0
    );
    assert_eq!(
        score_of("order-strict", Answer::Ordering(vec![0, 1, 2])).score,
        1000
    );
}

#[test]
fn matching_with_a_shared_right_side_and_a_distractor() {
    // Choices: 0 "Stop", 1 "Go", 2 "Honk" (the shared "Stop" appears once).
    let (m, a) = full_attempt();
    let view = a
        .views(&m)
        .into_iter()
        .find(|v| v.id == "match")
        .expect("drawn");
    let QuestionViewKind::Matching { rights, .. } = view.kind else {
        panic!("matching view")
    };
    let mut texts: Vec<_> = rights.iter().map(|c| c.text.as_str()).collect();
    texts.sort();
    assert_eq!(texts, ["Go", "Honk", "Stop"]);
    assert_eq!(
        score_of("match", Answer::Matching(vec![Some(0), Some(0), Some(1)])).score,
        2000
    );
    assert_eq!(
        score_of("match", Answer::Matching(vec![Some(0), Some(2), None])).score,
        666
    );
    assert_eq!(
        score_of("match", Answer::Matching(vec![None, None, None])).score,
        0
    );
}

#[test]
fn numeric_tolerance_is_inclusive_and_decimals_compare_sanely() {
    assert_eq!(score_of("num", Answer::Numeric(0.1 + 0.2)).score, 1000);
    assert_eq!(score_of("num", Answer::Numeric(0.31)).score, 0);
    assert_eq!(score_of("range", Answer::Numeric(560.0)).score, 1000);
    assert_eq!(score_of("range", Answer::Numeric(540.0)).score, 1000);
    assert_eq!(score_of("range", Answer::Numeric(560.5)).score, 0);
    let (m, mut a) = full_attempt();
    for n in [f64::NAN, f64::INFINITY] {
        assert!(
            a.answer(&m, "range", Answer::Numeric(n), Duration::ZERO)
                .is_err(),
            "{n}"
        );
    }
}

#[test]
fn short_text_ignores_case_spacing_and_accents_but_not_emptiness() {
    for given in ["casco", "  CÁSCO ", "A   Helmet"] {
        assert_eq!(
            score_of("text", Answer::ShortText(given.into())).score,
            1000,
            "{given}"
        );
    }
    assert_eq!(score_of("text", Answer::ShortText("hat".into())).score, 0);
    assert_eq!(score_of("text", Answer::ShortText("   ".into())).score, 0);
}

#[test]
fn unanswered_questions_score_nothing_and_say_so() {
    let (m, mut a) = full_attempt();
    let outcome = a.submit(&m, &[], LEARNER, Duration::ZERO).expect("submits");
    assert_eq!(outcome.score, 0);
    assert!(!outcome.passed);
    assert!(outcome.results.iter().all(|r| matches!(
        r.correctness,
        Correctness::Unanswered | Correctness::AwaitingAssessor
    )));
}

/// Answers every answerable question right.
fn all_right(m: &Module, a: &mut Attempt) {
    let answers = [
        ("single", Answer::Single(1)),
        ("multi", Answer::Multiple(vec![0, 1])),
        ("strict", Answer::Multiple(vec![0, 1])),
        ("tf", Answer::TrueFalse(false)),
        ("order", Answer::Ordering(vec![0, 1, 2, 3])),
        ("order-strict", Answer::Ordering(vec![0, 1, 2])),
        ("match", Answer::Matching(vec![Some(0), Some(0), Some(1)])),
        ("num", Answer::Numeric(0.3)),
        ("range", Answer::Numeric(550.0)),
        ("text", Answer::ShortText("casco".into())),
    ];
    for (id, answer) in answers {
        a.answer(m, id, answer, Duration::ZERO).expect(id);
    }
}

#[test]
fn all_right_passes_and_practical_points_wait_for_an_assessor() {
    let (m, mut a) = full_attempt();
    all_right(&m, &mut a);
    let outcome = a.submit(&m, &[], LEARNER, Duration::ZERO).expect("submits");
    assert_eq!((outcome.score, outcome.max_score), (11_000, 15_000));
    assert!(outcome.passed, "11 of 15 is 73%");
    let check = outcome
        .results
        .iter()
        .find(|r| r.id == "check")
        .expect("practical included");
    assert_eq!(check.correctness, Correctness::AwaitingAssessor);
}

#[test]
fn the_answer_key_is_right_on_every_question_a_learner_answers() {
    let (m, mut a) = full_attempt();
    for q in &m.questions {
        match Answer::right_for(q) {
            Some(answer) => a.answer(&m, &q.id, answer, Duration::ZERO).expect(&q.id),
            None => assert!(matches!(q.kind, QuestionKind::Checklist { .. }), "{}", q.id),
        }
    }
    let outcome = a.submit(&m, &[], LEARNER, Duration::ZERO).expect("submits");
    for r in &outcome.results {
        let expected = if r.id == "check" {
            Correctness::AwaitingAssessor
        } else {
            Correctness::Correct
        };
        assert_eq!(r.correctness, expected, "{}", r.id);
    }
}

fn attestation(ticked: Vec<bool>, learner: &str, key: &SecretKey) -> Attestation {
    let claim = AttestationClaim {
        module_id: "m".into(),
        question_id: "check".into(),
        learner: learner.into(),
        ticked,
        assessed_at: t0(),
        assessor: String::new(),
    };
    Attestation::sign(claim, key).expect("signs")
}

#[test]
fn a_listed_assessors_attestation_scores_the_checklist() {
    let (m, mut a) = full_attempt();
    let att = attestation(vec![true, true, false, true], LEARNER, &assessor());
    let outcome = a
        .submit(&m, &[att], LEARNER, Duration::ZERO)
        .expect("submits");
    let check = outcome
        .results
        .iter()
        .find(|r| r.id == "check")
        .expect("included");
    assert_eq!(
        (check.score, check.correctness),
        (3000, Correctness::Partial)
    );
}

#[test]
fn attestations_that_do_not_hold_are_refused() {
    let (m, _) = full_attempt();
    let stranger = SecretKey::from_seed(&[6; 32]);
    let cases = [
        (
            attestation(vec![true; 4], LEARNER, &stranger),
            "not one this module's publisher lists",
        ),
        (
            attestation(vec![true; 4], "did:key:z6MkSomeoneElse", &assessor()),
            "another module, question or learner",
        ),
        (
            attestation(vec![true; 3], LEARNER, &assessor()),
            "every item",
        ),
    ];
    for (att, why) in cases {
        let err = att.verify(&m, "check", LEARNER).expect_err(why);
        assert!(err.to_string().contains(why), "{err}");
    }
    let mut forged = attestation(vec![false; 4], LEARNER, &assessor());
    forged.claim.ticked = vec![true; 4];
    assert!(forged
        .verify(&m, "check", LEARNER)
        .expect_err("forged")
        .to_string()
        .contains("signature"));
    let (m, mut a) = full_attempt();
    let outcome = a
        .submit(&m, &[forged], LEARNER, Duration::ZERO)
        .expect("submits");
    let check = outcome
        .results
        .iter()
        .find(|r| r.id == "check")
        .expect("included");
    assert_eq!(
        check.correctness,
        Correctness::AwaitingAssessor,
        "a forged attestation scores nothing"
    );
}

#[test]
fn answers_can_change_before_submitting_and_not_after() {
    let (m, mut a) = full_attempt();
    a.answer(&m, "single", Answer::Single(0), Duration::ZERO)
        .expect("first");
    a.answer(&m, "single", Answer::Single(1), Duration::ZERO)
        .expect("changed");
    let outcome = a.submit(&m, &[], LEARNER, Duration::ZERO).expect("submits");
    assert_eq!(
        outcome
            .results
            .iter()
            .find(|r| r.id == "single")
            .map(|r| r.score),
        Some(1000)
    );
    assert_eq!(
        a.answer(&m, "single", Answer::Single(0), Duration::ZERO),
        Err(AssessError::AlreadySubmitted)
    );
    assert_eq!(
        a.submit(&m, &[], LEARNER, Duration::ZERO),
        Err(AssessError::AlreadySubmitted)
    );
}

#[test]
fn answers_that_do_not_fit_are_refused() {
    let (m, mut a) = full_attempt();
    let bad = [
        ("nope", Answer::Single(0), "not part of this attempt"),
        ("single", Answer::Single(3), "no such option"),
        ("single", Answer::TrueFalse(true), "needs a single answer"),
        ("multi", Answer::Multiple(vec![0, 0]), "chosen twice"),
        ("multi", Answer::Multiple(vec![9]), "no such option"),
        (
            "order",
            Answer::Ordering(vec![0, 1, 2]),
            "every item exactly once",
        ),
        (
            "order",
            Answer::Ordering(vec![0, 1, 2, 2]),
            "every item exactly once",
        ),
        ("match", Answer::Matching(vec![Some(0)]), "every left item"),
        (
            "match",
            Answer::Matching(vec![Some(7), None, None]),
            "no such choice",
        ),
        ("text", Answer::ShortText("x".repeat(1001)), "too long"),
        ("check", Answer::TrueFalse(true), "assessor's attestation"),
    ];
    for (id, answer, why) in bad {
        let err = a.answer(&m, id, answer, Duration::ZERO).expect_err(id);
        assert!(err.to_string().contains(why), "{id}: {err}");
    }
    assert!(a.answers.is_empty(), "nothing refused was kept");
}

#[test]
fn the_time_limit_holds_to_the_second_and_is_inclusive() {
    let (m, mut a) = full_attempt();
    let limit = Duration::from_secs(15 * 60);
    a.answer(&m, "single", Answer::Single(1), limit)
        .expect("exactly at the limit is in time");
    let late = a.answer(
        &m,
        "tf",
        Answer::TrueFalse(false),
        limit + Duration::from_millis(1),
    );
    assert_eq!(late, Err(AssessError::TimeUp { limit_minutes: 15 }));
    let outcome = a
        .submit(&m, &[], LEARNER, limit + Duration::from_secs(60))
        .expect("late submit still scores");
    assert!(outcome.timed_out);
    assert_eq!(outcome.score, 1000, "the answer given in time counts");
}

#[test]
fn the_draw_is_determined_by_the_seed() {
    let m = module(4);
    let a = Attempt::start(&m, 0, &[], t0(), 7).expect("starts");
    let b = Attempt::start(&m, 0, &[], t0(), 7).expect("starts");
    assert_eq!(a, b);
    assert_eq!(a.questions.len(), 5, "4 drawn plus the practical checklist");
    assert_eq!(a.questions.last().map(|q| q.id.as_str()), Some("check"));
    let draws: std::collections::HashSet<Vec<String>> = (0..20)
        .map(|seed| {
            Attempt::start(&m, 0, &[], t0(), seed)
                .expect("starts")
                .questions
                .into_iter()
                .map(|q| q.id)
                .collect()
        })
        .collect();
    assert!(draws.len() > 10, "different seeds draw differently");
}

#[test]
fn options_are_shuffled_but_keep_their_keys() {
    let (m, a) = full_attempt();
    for view in a.views(&m) {
        if let QuestionViewKind::Single { options } = &view.kind {
            let mut keys: Vec<u32> = options.iter().map(|o| o.key).collect();
            keys.sort();
            assert_eq!(keys, [0, 1, 2]);
            let b = options.iter().find(|o| o.key == 1).expect("b");
            assert_eq!(b.text, "b");
        }
    }
}

#[test]
fn a_module_with_nothing_to_draw_cannot_start() {
    let mut m = module(1);
    m.questions.clear();
    assert_eq!(
        Attempt::start(&m, 0, &[], t0(), 1),
        Err(AssessError::EmptyBank)
    );
}

#[test]
fn starting_respects_attempts_and_cooldown() {
    let m = module(2);
    let history = [PastAttempt {
        number: 1,
        ended_at: t0(),
        passed: false,
    }];
    let err = Attempt::start(&m, 0, &history, t0(), 1).expect_err("cooling down");
    assert!(matches!(err, AssessError::CoolingDown { .. }));
    let later = t0() + chrono::Duration::minutes(30);
    assert_eq!(
        Attempt::start(&m, 0, &history, later, 1)
            .expect("opens")
            .number,
        2
    );
}

#[test]
fn typed_answers_are_read_by_the_core_and_unreadable_text_leaves_no_answer() {
    let (m, mut a) = full_attempt();
    let e = a
        .answer_typed(&m, "range", "5,5e", Duration::ZERO)
        .expect_err("not a number");
    assert!(e.to_string().contains("not a number"), "{e}");
    assert!(!a.answers.contains_key("range"));
    a.answer_typed(&m, "range", " 555,5 ", Duration::ZERO)
        .expect("decimal comma");
    assert_eq!(a.answers.get("range"), Some(&Answer::Numeric(555.5)));
    let e = a
        .answer_typed(&m, "range", "2,500", Duration::ZERO)
        .expect_err("ambiguous");
    assert!(e.to_string().contains("two ways"), "{e}");
    assert!(
        !a.answers.contains_key("range"),
        "the old answer is gone too"
    );
    a.answer_typed(&m, "text", "Casco", Duration::ZERO)
        .expect("text");
    a.answer_typed(&m, "text", "  ", Duration::ZERO)
        .expect("cleared");
    assert!(!a.answers.contains_key("text"));
    assert!(matches!(
        a.answer_typed(&m, "single", "1", Duration::ZERO),
        Err(AssessError::InvalidAnswer { .. })
    ));
    a.answer_typed(&m, "num", "0.3", Duration::ZERO)
        .expect("number");
    let outcome = a.submit(&m, &[], LEARNER, Duration::ZERO).expect("submits");
    let num = outcome.results.iter().find(|r| r.id == "num").expect("num");
    assert_eq!(num.correctness, Correctness::Correct);
}

#[test]
fn points_read_the_same_everywhere() {
    let cases = [
        (0, "0"),
        (1000, "1"),
        (7500, "7.5"),
        (1250, "1.3"),
        (1249, "1.2"),
        (333, "0.3"),
        (49, "0"),
        (999, "1"),
        (u32::MAX, "4294967.3"),
    ];
    for (milli, want) in cases {
        assert_eq!(points_text(milli), want, "{milli}");
    }
}

#[test]
fn points_too_large_to_count_never_wrap_into_a_pass() {
    let (mut m, mut a) = full_attempt();
    for q in &mut m.questions {
        q.points = u32::MAX;
    }
    all_right(&m, &mut a);
    let outcome = a.submit(&m, &[], LEARNER, Duration::ZERO).expect("submits");
    assert!(outcome.score <= outcome.max_score, "{outcome:?}");
    assert!(
        outcome.results.iter().all(|r| r.score <= r.max_score),
        "{outcome:?}"
    );
    assert!(
        !outcome.passed,
        "a total past what a record holds is no pass"
    );
}
