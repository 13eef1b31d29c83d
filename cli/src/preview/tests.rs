//! The preview driven key by key on a real sample pack, drawn into an in-memory screen.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use skillpack_core::authoring::{build_pack, BuildRequest};
use skillpack_core::keys::file::read_secret;
use skillpack_core::pack::{BuildOptions, Variant};

use super::*;

fn sample_app(dir: &std::path::Path) -> App {
    let assets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets");
    let key = read_secret(&assets.join("keys/demo-publisher.key")).expect("demo key");
    let pack = dir.join("talk.skillpack");
    let request = BuildRequest {
        module_dirs: vec![assets.join("modules/talking-with-customers")],
        pack_id: None,
        version: None,
        variant: Variant::Full,
        options: BuildOptions::default(),
        base: None,
    };
    build_pack(&request, &key, &pack, &skillpack_core::progress::NoProgress).expect("builds");
    App::new(throwaway_device(&pack, &dir.join("store")).expect("device")).expect("app")
}

fn press(app: &mut App, keys: &[KeyCode]) {
    for &code in keys {
        app.handle(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

fn typing(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, &[KeyCode::Char(c)]);
    }
}

fn screen(app: &App) -> String {
    render_to_text(app, 100, 40).expect("renders")
}

#[test]
fn a_trainer_reads_lessons_and_moves_between_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = sample_app(dir.path());
    assert!(screen(&app).contains("Lesson 1:"), "{}", screen(&app));
    press(&mut app, &[KeyCode::Enter]);
    assert!(screen(&app).contains("lesson 1"), "{}", screen(&app));
    press(&mut app, &[KeyCode::Right]);
    let shown = render_to_text(&app, 100, 200).expect("renders");
    assert!(
        shown.contains("lesson 2") && shown.contains("[images/delay-message.png"),
        "{shown}"
    );
    press(&mut app, &[KeyCode::Esc]);
    assert!(screen(&app).contains("Take the assessment"));
}

#[test]
fn a_trainer_takes_the_assessment_and_sees_the_outcome() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = sample_app(dir.path());
    press(&mut app, &[KeyCode::Down; 5]);
    press(&mut app, &[KeyCode::Enter]);
    assert!(screen(&app).contains("question 1 of"), "{}", screen(&app));
    typing(&mut app, "99");
    press(&mut app, &[KeyCode::Enter]);
    assert!(!app.status.is_empty(), "a bad answer says why");
    for _ in 0..20 {
        if !matches!(app.screen, app::Screen::Question { .. }) {
            break;
        }
        app.input.clear();
        press(&mut app, &[KeyCode::Enter]);
    }
    assert!(screen(&app).contains("ready to submit"), "{}", screen(&app));
    press(&mut app, &[KeyCode::Enter]);
    let shown = screen(&app);
    assert!(
        shown.contains("Score 0 of") && shown.contains("not answered"),
        "{shown}"
    );
    assert_eq!(
        app.device.store().records().expect("records").len(),
        1,
        "the same core signed a record"
    );
    press(&mut app, &[KeyCode::Char('q')]);
    assert!(app.quit);
}
