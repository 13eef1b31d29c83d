//! Tests of the `skillpack` binary, run as a user would run it, on the real sample assets.
//! The slow crash test is a target of its own (`tests/crash`).
#![allow(clippy::unwrap_used)]

mod assets;
mod credential;
mod demo;
mod device;
mod grants;
mod hub;
mod identity;
mod issuing;
mod milestones;
mod names;
mod presenting;
mod preview;
mod relay;
mod sync;
mod terminal;
mod trainer;
mod work_records;

#[path = "../common/mod.rs"]
mod common;

pub use common::*;

/// Copies a folder and all it holds (a sample module, say) to `to`, made if missing.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
