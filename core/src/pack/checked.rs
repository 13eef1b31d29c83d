//! A pack checked the one way every reader checks it: opened (header, signature, manifest),
//! its publisher held against a trust list when there is one, every byte verified, and every
//! module in it sound (`module::check_sound`, the rules a device holds a module to before it
//! installs it). A device's install, a hub's publish and `skillpack verify` all come here, so
//! a pack one of them refuses, all refuse, in the same words.

use std::io::{Read, Seek};

use super::error::PackError;
use super::reader::{PackReader, VerifyReport};
use crate::keys::PublicKey;
use crate::module::{check_sound, Module};

/// A module of a checked pack: its id, the module, and its `module.json` as the pack holds it.
#[derive(Debug, Clone)]
pub struct CheckedModule {
    /// The module's id.
    pub id: String,
    /// The module, parsed and sound.
    pub module: Module,
    /// Its `module.json` bytes, as signed.
    pub json: Vec<u8>,
}

/// A pack whose signature, bytes and modules all checked out, with the reader still open.
#[derive(Debug)]
pub struct CheckedPack<R> {
    /// The reader, for what the caller stores (manifest, chunk ranges, hash, publisher).
    pub reader: PackReader<R>,
    /// What verification counted.
    pub report: VerifyReport,
    /// Every module in it, in the manifest's order.
    pub modules: Vec<CheckedModule>,
}

/// Checks the pack `reader` opened: its publisher against `trusted` (any publisher when
/// `None`), every byte, and every module's soundness.
pub fn check_pack<R: Read + Seek>(
    mut reader: PackReader<R>,
    trusted: Option<&[PublicKey]>,
) -> Result<CheckedPack<R>, PackError> {
    if let Some(trusted) = trusted {
        reader.check_trusted(trusted)?;
    }
    let (report, jsons) = reader.verify_with_modules()?;
    let modules = jsons
        .into_iter()
        .map(|(id, json)| {
            let module: Module =
                serde_json::from_slice(&json).map_err(|e| PackError::BadModule {
                    module: id.clone(),
                    detail: e.to_string(),
                })?;
            check_sound(&module).map_err(|why| PackError::Unsound {
                module: id.clone(),
                why,
            })?;
            Ok(CheckedModule { id, module, json })
        })
        .collect::<Result<_, PackError>>()?;
    Ok(CheckedPack {
        reader,
        report,
        modules,
    })
}
