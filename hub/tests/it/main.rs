//! The hub over real HTTP on loopback: one test binary, a module per area, and the storage
//! conformance suite that runs once per engine. The 200-device load test is a target of its
//! own (`tests/load.rs`), so this one stays quick.
#![allow(clippy::unwrap_used)]

#[path = "../support/mod.rs"]
mod support;

mod admin;
mod binding;
mod credentials;
mod cross_group;
mod distribution;
mod endorsed_issuer;
mod errors;
mod exchange;
mod grants;
mod instances;
mod pack_store;
mod results;
mod revocations;
mod slow_clients;
mod storage;
mod strangers;
mod web;

pub use support::TestHub;
