//! `skillpack preview` driven through tmux, as a script would drive it: the real binary in a
//! real terminal, keys sent with send-keys, the screen read with capture-pane. tmux is
//! required (.ci/run installs it); without it this test fails rather than pretending.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::{assets, skillpack, text};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(dir: &Path, command: &str) -> Self {
        let socket = format!("skillpack-preview-{}", std::process::id());
        let tmux = Self { socket };
        let ok = tmux
            .cmd(&[
                "new-session",
                "-d",
                "-x",
                "100",
                "-y",
                "40",
                "-c",
                dir.to_str().unwrap(),
                command,
            ])
            .status()
            .expect("tmux must be installed (.ci/run installs it)")
            .success();
        assert!(ok, "tmux new-session failed");
        tmux
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket]).args(args);
        c
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend(keys);
        assert!(self.cmd(&args).status().unwrap().success());
    }

    fn screen(&self) -> String {
        let out = self
            .cmd(&["capture-pane", "-p", "-t", "0"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `text` (the app redraws after each key).
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "never showed {text:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]).status();
    }
}

#[test]
fn preview_is_driven_by_a_script_through_tmux() {
    let dir = tempfile::tempdir().unwrap();
    let src = assets().join("modules/safe-riding");
    let key = assets().join("keys/demo-publisher.key");
    let built = skillpack(
        dir.path(),
        &[
            "build",
            src.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "-o",
            "safe.skillpack",
        ],
    );
    assert!(built.status.success(), "{}", text(&built));
    let command = format!("{} preview safe.skillpack", env!("CARGO_BIN_EXE_skillpack"));
    let tmux = Tmux::start(dir.path(), &command);

    tmux.wait_for("Lesson 1: ");
    tmux.keys(&["Enter"]);
    tmux.wait_for("lesson 1");
    tmux.keys(&["Escape"]);
    tmux.wait_for("Take the assessment");
    for _ in 0..5 {
        tmux.keys(&["Down"]);
    }
    tmux.keys(&["Enter"]);
    tmux.wait_for("question 1 of 9");
    for _ in 0..9 {
        tmux.keys(&["Enter"]);
    }
    tmux.wait_for("ready to submit");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Score 0 of 9");
    // The practical checklist is listed last; scroll a line at a time until it shows.
    let mut shown = tmux.screen();
    for _ in 0..60 {
        if shown.contains("awaiting an assessor") {
            break;
        }
        tmux.keys(&["Down"]);
        std::thread::sleep(Duration::from_millis(40));
        shown = tmux.screen();
    }
    assert!(shown.contains("awaiting an assessor"), "{shown}");
    tmux.keys(&["q"]);
}
