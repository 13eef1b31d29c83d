//! What most users of the core need in one import.

pub use crate::device::Device;
pub use crate::error::{Error, Result};
pub use crate::hash::ContentHash;
pub use crate::keys::{Fingerprint, PublicKey, SecretKey};
pub use crate::pack::{Manifest, PackReader, Variant};
