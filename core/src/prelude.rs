//! What most users of the core need in one import.

pub use crate::error::{Error, Result};
pub use crate::keys::{Fingerprint, PublicKey, SecretKey};
pub use crate::pack::{ContentHash, Manifest, PackReader, Variant};
