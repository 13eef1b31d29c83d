//! The sample assets the demo runs on: the module folders, the demo publisher's keys and the
//! provider its credentials name.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use skillpack_core::keys::file::{read_public, read_secret};
use skillpack_core::keys::{PublicKey, SecretKey};

/// The sample modules and the demo publisher's key pair, read and checked up front.
pub struct Assets {
    /// The module folders (each with a `module.toml`), sorted.
    pub modules: Vec<PathBuf>,
    /// The demo publisher's secret key, which signs and publishes the packs.
    pub key: SecretKey,
    /// Its public key, which the hub registers and the device trusts.
    pub public: PublicKey,
    /// The training provider its credentials name (`issuer.toml`).
    pub issuer: skillpack_core::credential::Issuer,
}

impl Assets {
    /// The assets in `given`, else in `./assets`, else in the source tree this was built
    /// from; a clear error when none of them holds modules and the demo publisher's keys.
    pub fn find(given: Option<PathBuf>) -> anyhow::Result<Self> {
        let candidates = match given {
            Some(dir) => vec![dir],
            None => vec![
                PathBuf::from("assets"),
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets"),
            ],
        };
        let Some(dir) = candidates.iter().find(|d| d.join("modules").is_dir()) else {
            bail!(
                "sample assets not found (a folder with modules/ and keys/): run the demo from \
                 the repository root or pass --assets DIR"
            );
        };
        Self::read(dir)
    }

    fn read(dir: &Path) -> anyhow::Result<Self> {
        let secret_path = dir.join("keys/demo-publisher.key");
        let public_path = dir.join("keys/demo-publisher.pub");
        let reading = |path: &Path| format!("reading the demo publisher's key {}", path.display());
        let key = read_secret(&secret_path).with_context(|| reading(&secret_path))?;
        let public = read_public(&public_path).with_context(|| reading(&public_path))?;
        if key.public_key() != public {
            bail!(
                "{} and {} are not one key pair",
                secret_path.display(),
                public_path.display()
            );
        }
        Ok(Self {
            modules: module_dirs(&dir.join("modules"))?,
            key,
            public,
            issuer: crate::commands::credential::read_issuer_file(&dir.join("issuer.toml"))?,
        })
    }
}

/// The folders under `root` that hold a `module.toml`, sorted; at least one.
fn module_dirs(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .with_context(|| format!("reading {}", root.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("module.toml").is_file())
        .collect();
    dirs.sort();
    if dirs.is_empty() {
        bail!(
            "no module folders (with a module.toml) in {}",
            root.display()
        );
    }
    Ok(dirs)
}
