//! Tests of the `skillpack` binary, run as a user would run it, on the real sample assets.
//! The slow crash test is a target of its own (`tests/crash`).
#![allow(clippy::unwrap_used)]

mod assets;
mod demo;
mod device;
mod hub;
mod identity;
mod preview;
mod relay;
mod sync;
mod terminal;
mod trainer;

#[path = "../common/mod.rs"]
mod common;

pub use common::*;
