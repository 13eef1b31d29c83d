use super::*;

fn one(text: &str) -> Result<Question, String> {
    let mut diags = Diagnostics::default();
    let mut qs = parse(text, "bank.gift", "bank", &mut diags);
    let first = diags.iter().next().map(ToString::to_string);
    match (qs.pop(), first) {
        (Some((q, _)), None) => Ok(q),
        (_, Some(d)) => Err(d),
        (None, None) => Err("nothing parsed".into()),
    }
}

#[test]
fn single_choice_with_feedback_and_title() {
    let q =
        one("::Grant Tomb::Who is buried in Grant's tomb?{~Grant#No. =no one#Right! ~Jefferson}")
            .expect("parses");
    assert_eq!(q.id, "grant-tomb");
    assert_eq!(q.prompt, "Who is buried in Grant's tomb?");
    let QuestionKind::Single { options, .. } = q.kind else {
        panic!("not single: {:?}", q.kind)
    };
    assert_eq!(options.len(), 3);
    assert!(options[1].correct);
    assert_eq!(options[0].feedback.as_deref(), Some("No."));
}

#[test]
fn true_false_feedback_order_follows_moodle() {
    let q = one("Helmets save lives.{TRUE#Think again.#Yes.}").expect("parses");
    assert_eq!(
        q.kind,
        QuestionKind::TrueFalse {
            answer: true,
            feedback_true: Some("Yes.".into()),
            feedback_false: Some("Think again.".into()),
        }
    );
    assert_eq!(q.id, "bank-1");
}

#[test]
fn short_answer_matching_numeric_and_missing_word() {
    let q = one("Emergency number?{=112 =one one two}").expect("short");
    assert!(matches!(q.kind, QuestionKind::ShortText { ref accept } if accept.len() == 2));

    let q = one("Match.{=Red -> Stop =Green -> Go = -> Honk}").expect("matching");
    let QuestionKind::Matching {
        pairs, distractors, ..
    } = q.kind
    else {
        panic!("not matching")
    };
    assert_eq!(pairs.len(), 2);
    assert_eq!(distractors, vec!["Honk".to_owned()]);

    let q = one("Change from 1000 for 450?{#550:0}").expect("numeric");
    assert!(
        matches!(q.kind, QuestionKind::Numeric { answer, tolerance, .. } if answer == 550.0 && tolerance == 0.0)
    );
    let q = one("Between?{#4..6}").expect("range");
    assert!(
        matches!(q.kind, QuestionKind::Numeric { answer, tolerance, .. } if answer == 5.0 && tolerance == 1.0)
    );

    let q = one("Always wear a {=helmet ~hat} when riding.").expect("missing word");
    assert_eq!(q.prompt, "Always wear a _____ when riding.");
}

#[test]
fn multiple_answers_with_equal_weights_and_general_feedback() {
    let q =
        one("Scam signs?{~%50%Asks for PIN ~%50%Urgent ~%-100%Greets you ####Scammers rush you.}")
            .expect("parses");
    assert_eq!(q.explanation.as_deref(), Some("Scammers rush you."));
    let QuestionKind::Multiple { options, .. } = q.kind else {
        panic!("not multiple")
    };
    assert_eq!(options.iter().filter(|o| o.correct).count(), 2);
}

#[test]
fn escapes_are_honoured() {
    let q = one(r"What is 1\=1?{=yes \{really\} ~no}").expect("parses");
    assert_eq!(q.prompt, "What is 1=1?");
    let QuestionKind::Single { options, .. } = q.kind else {
        panic!("not single")
    };
    assert_eq!(options[0].text, "yes {really}");
}

#[test]
fn unsupported_features_are_clear_errors_with_lines() {
    let cases = [
        ("Write an essay.{}", "essay"),
        ("Just a description.", "description"),
        ("[html]<b>Q</b>{T}", "[html]"),
        ("Q{=a ~%-50%b ~%150%c}", "not a percentage from -100 to 100"),
        ("Q{=%50%a ~b}", "fully right and partly right"),
        ("Q{~a ~b}", "exactly one =right answer, or weights"),
        ("Q{=%50%a =b}", "partial credit"),
        ("Q{#=1:0 =%50%2:0}", "several numeric answers"),
        ("Q{#=%50%2:0}", "partial credit for numeric"),
        ("Q{=a#fine =b}", "per-answer #feedback"),
        ("Q{#5:1#close}", "per-answer #feedback"),
        ("Q{=a ~b} and {=c ~d}", "more than one"),
        ("Q{=a", "closing"),
    ];
    for (text, expected) in cases {
        let err = one(&format!("// a comment\n\n{text}")).expect_err(text);
        assert!(err.starts_with("bank.gift:3: "), "{err}");
        assert!(err.contains(expected), "{text}: {err}");
    }
}

#[test]
fn several_questions_and_categories() {
    let text = "$CATEGORY: tops/riding\n\n::a::Q1{T}\n\n// c\n::b::Q2\n{=x ~y}\n";
    let mut diags = Diagnostics::default();
    let qs = parse(text, "b.gift", "b", &mut diags);
    assert_eq!(
        qs.iter()
            .map(|(q, l)| (q.id.as_str(), *l))
            .collect::<Vec<_>>(),
        [("a", 3), ("b", 6)]
    );
    assert_eq!(diags.len(), 1, "one warning for the category");
    assert!(!diags.has_errors());
}

#[test]
fn moodle_export_habits_are_accepted() {
    let q = one("::¿Qué hacer?::Q{=%100%casco =%100%el casco}").expect("full weights");
    assert_eq!(q.id, "que-hacer");
    assert!(matches!(q.kind, QuestionKind::ShortText { ref accept } if accept.len() == 2));
    let q = one("Q{#=%100%5:1}").expect("numeric with full weight");
    assert!(matches!(q.kind, QuestionKind::Numeric { answer, .. } if answer == 5.0));
    let q = one("::मदद::Q{T}").expect("a title with no Latin letters falls back");
    assert_eq!(q.id, "bank-1");
}

#[test]
fn banks_as_moodle_exports_them_read_as_moodle_shows_them() {
    // Moodle's exporter puts a format marker before every text, answers and feedback too,
    // and an empty feedback after a numeric answer.
    let q = one(
        "::Q1::[html]Who is buried in Grant's tomb?{\n\t~[plain]Grant#[plain]No.\n\t=[moodle]no one#[markdown]Right!\n}",
    )
    .expect_err("a question in [html] is refused as before");
    assert!(q.contains("[html]"), "{q}");
    let q = one("::Q1::[markdown]Who is buried?{\n\t~[plain]Grant#[plain]No.\n\t=[moodle]no one#[markdown]Right!\n####[plain]Nobody is.}")
        .expect("parses");
    let QuestionKind::Single { options, .. } = &q.kind else {
        panic!("not single: {:?}", q.kind)
    };
    let texts: Vec<&str> = options.iter().map(|o| o.text.as_str()).collect();
    assert_eq!(texts, ["Grant", "no one"], "no marker shown to learners");
    assert_eq!(options[1].feedback.as_deref(), Some("Right!"));
    assert_eq!(q.explanation.as_deref(), Some("Nobody is."));
    let q =
        one("::TF::[plain]The sun is a star.{TRUE#[plain]Look again.#[html]Yes.}").expect("parses");
    assert!(
        matches!(q.kind, QuestionKind::TrueFalse { ref feedback_true, .. } if feedback_true.as_deref() == Some("Yes."))
    );
    assert!(
        one("Q{=[html]<b>bold</b> ~no}").is_err(),
        "HTML markup in an answer is refused"
    );

    let q = one("::N::[plain]How far?{#\n\t=%100%3:2#\n}").expect("numeric as exported");
    assert!(
        matches!(q.kind, QuestionKind::Numeric { answer, tolerance, .. } if answer == 3.0 && tolerance == 2.0)
    );
    assert!(
        one("Q{#=%100%3:2#Well done}").is_err(),
        "per-answer feedback is still refused"
    );

    let q = one("The sun rises in the {=east}.").expect("missing word");
    assert_eq!(
        q.prompt, "The sun rises in the _____.",
        "no space before the full stop"
    );
    let q = one("Two {=plus} two is four").expect("missing word");
    assert_eq!(q.prompt, "Two _____ two is four");
}
