//! Weighted choice questions scored as Moodle scores them, from a bank in the shape Moodle's
//! GIFT exporter writes (a comment naming each question, the category line, one answer a
//! line, a `%weight%` on every partly right or wrong option). Each expected score is Moodle's
//! rule worked by hand: a single-choice question earns the chosen option's weight; a
//! multiple-answer question earns the chosen options' weights added up, floored at zero and
//! capped at all of its points.

use super::*;
use crate::module::{compile, SourceFiles};

const MOODLE_EXPORT: &str = "\
// question: 0  name: Switch category to $course$/top/Default for Riding safely
$CATEGORY: $course$/top/Default for Riding safely


// question: 2181  name: Gear for every ride
::Gear for every ride::Which do you wear on every ride?{
\t~%50%A helmet#Yes: it saves your head.
\t~%50%A reflective vest
\t~%-100%Sandals#They slip off the pedals.
\t~Headphones
####Wear what protects you and lets you hear.
}


// question: 2182  name: Before a night ride
::Before a night ride::Check before a night ride:{
\t~%33.33333%Front light
\t~%33.33333%Rear light
\t~%33.33333%Brakes
\t~%-50%Phone battery
}


// question: 2183  name: After a crash
::After a crash::Someone is hurt in a crash. What do you do first?{
\t=Call 112
\t~%50%Call a friend#Better than nothing, but 112 sends help.
\t~Ride on
}
";

fn moodle_module() -> Module {
    let mut f = SourceFiles::new();
    f.insert(
        "module.toml",
        "id = \"riding-safely\"\nversion = \"1.0.0\"\ntitle = \"Riding safely\"\n\
         language = \"en\"\nminutes = 10\noutcomes = [\"Ride safely\"]\n\
         \n[assessment]\npass_mark = 70\ndraw = 3\nattempts = 3\ncooldown_minutes = 0\n\
         banks = [\"riding.gift\"]\n",
    );
    f.insert("lessons/01-gear.md", "# Gear\n\nWear a helmet.\n");
    f.insert("riding.gift", MOODLE_EXPORT);
    let compiled = compile(&f);
    let report = compiled.diagnostics.to_string();
    assert!(!compiled.diagnostics.has_errors(), "{report}");
    compiled.module.expect("compiles").module
}

/// The score of choosing `options` (by their text) in question `id`, through a real attempt.
fn choose(m: &Module, id: &str, options: &[&str]) -> (u32, Correctness, Vec<String>) {
    let question = m.questions.iter().find(|q| q.id == id).expect("question");
    let (QuestionKind::Single { options: all, .. } | QuestionKind::Multiple { options: all, .. }) =
        &question.kind
    else {
        panic!("{id} is not a choice question")
    };
    let keys: Vec<u32> = options
        .iter()
        .map(|text| all.iter().position(|o| o.text == *text).expect("an option") as u32)
        .collect();
    let answer = match question.kind {
        QuestionKind::Single { .. } => Answer::Single(keys[0]),
        _ => Answer::Multiple(keys),
    };
    let mut attempt = Attempt::start(m, 0, &[], t0(), 7).expect("starts");
    attempt
        .answer(m, id, answer, Duration::ZERO)
        .expect("answer fits");
    let outcome = attempt
        .submit(m, &[], LEARNER, Duration::ZERO)
        .expect("submits");
    let r = outcome
        .results
        .into_iter()
        .find(|r| r.id == id)
        .expect("in results");
    (r.score, r.correctness, r.feedback)
}

#[test]
fn multiple_answers_earn_the_chosen_weights_floored_at_zero() {
    let m = moodle_module();
    let id = "gear-for-every-ride";
    let cases: [(&[&str], u32, Correctness); 6] = [
        (
            &["A helmet", "A reflective vest"],
            1000,
            Correctness::Correct,
        ),
        (&["A helmet"], 500, Correctness::Partial),
        (&["A helmet", "Headphones"], 500, Correctness::Partial),
        // 50 + 50 - 100: nothing.
        (
            &["A helmet", "A reflective vest", "Sandals"],
            0,
            Correctness::Wrong,
        ),
        // 50 - 100 is below zero: Moodle floors it at zero, and so do we.
        (&["A helmet", "Sandals"], 0, Correctness::Wrong),
        (&["Headphones"], 0, Correctness::Wrong),
    ];
    for (chosen, score, correctness) in cases {
        let (got, how, _) = choose(&m, id, chosen);
        assert_eq!((got, how), (score, correctness), "{chosen:?}");
    }
    let (_, _, feedback) = choose(&m, id, &["A helmet", "Sandals"]);
    assert_eq!(
        feedback,
        ["Yes: it saves your head.", "They slip off the pedals."]
    );
}

#[test]
fn thirds_add_up_to_all_of_the_points() {
    let m = moodle_module();
    let id = "before-a-night-ride";
    let cases: [(&[&str], u32); 5] = [
        (&["Front light", "Rear light", "Brakes"], 1000),
        (&["Front light"], 333),
        // Moodle shows 0.67 of a mark; we keep thousandths, to the nearest.
        (&["Front light", "Rear light"], 667),
        (
            &["Front light", "Rear light", "Brakes", "Phone battery"],
            500,
        ),
        (&["Phone battery"], 0),
    ];
    for (chosen, score) in cases {
        assert_eq!(choose(&m, id, chosen).0, score, "{chosen:?}");
    }
    assert_eq!(
        choose(&m, id, &["Front light", "Rear light", "Brakes"]).1,
        Correctness::Correct
    );
}

#[test]
fn a_single_choice_earns_the_chosen_options_weight() {
    let m = moodle_module();
    let id = "after-a-crash";
    assert_eq!(
        choose(&m, id, &["Call 112"]),
        (1000, Correctness::Correct, vec![])
    );
    assert_eq!(
        choose(&m, id, &["Call a friend"]),
        (
            500,
            Correctness::Partial,
            vec!["Better than nothing, but 112 sends help.".to_owned()]
        )
    );
    assert_eq!(choose(&m, id, &["Ride on"]).0, 0);
}

#[test]
fn the_answer_key_of_a_weighted_question_earns_full_points() {
    let m = moodle_module();
    for q in &m.questions {
        let right = Answer::right_for(q).expect("a right answer");
        let r = score(q, Some(&right), None);
        assert_eq!(r.correctness, Correctness::Correct, "{}", q.id);
    }
}
