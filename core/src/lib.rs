#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
// The core never prints: it reports through return values.
#![deny(clippy::print_stdout, clippy::print_stderr)]

#[cfg(feature = "ffi")]
pub mod api;
pub mod assess;
pub mod authoring;
pub mod canonical;
pub mod credential;
pub mod device;
mod error;
pub mod hash;
pub mod hex;
pub mod keys;
pub mod ledger;
pub mod module;
pub mod name;
pub mod pack;
pub mod prelude;
pub mod progress;
pub mod protocol;
pub mod random;
pub mod store;
#[cfg(feature = "client")]
pub mod sync;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use error::{Error, Result};

#[cfg(feature = "ffi")]
uniffi::setup_scaffolding!();
