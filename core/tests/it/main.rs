//! Integration tests of skillpack-core: one binary, a module per area.
#![allow(clippy::unwrap_used)]

mod architecture;
mod hostile_hub;
mod malformed;
mod map;
mod published;
mod rdf_canon;
mod roundtrip;
mod tamper;
