//! `skillpack keys new`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use skillpack_core::keys::file::{write_pair, KeyPairPaths};
use skillpack_core::keys::SecretKey;

use super::{print_json, CommandResult};

/// Makes a key pair at `base`.key / `base`.pub and prints its fingerprint.
pub fn new(base: &Path, json: bool) -> CommandResult {
    let paths = KeyPairPaths::for_base(base);
    if let Some(dir) = base.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let key = SecretKey::generate()?;
    write_pair(&key, &paths)?;
    let public = key.public_key();
    if json {
        print_json(&serde_json::json!({
            "secret_key": paths.secret,
            "public_key": paths.public,
            "did": public.to_did_key(),
            "fingerprint": public.fingerprint().to_string(),
        }))?;
    } else {
        outln!("secret key: {} (keep it private)", paths.secret.display());
        outln!("public key: {}", paths.public.display());
        outln!("fingerprint: {}", public.fingerprint());
    }
    Ok(ExitCode::SUCCESS)
}
