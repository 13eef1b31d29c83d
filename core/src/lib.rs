#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod authoring;
mod error;
pub mod keys;
pub mod module;
pub mod pack;
pub mod prelude;

pub use error::{Error, Result};
