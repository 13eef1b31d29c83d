#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod authoring;
mod error;
pub mod keys;
pub mod module;
pub mod pack;
pub mod prelude;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use error::{Error, Result};
