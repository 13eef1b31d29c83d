//! Key files: `NAME.key` holds a secret key (created with mode 0600) and `NAME.pub` the
//! matching public key as a `did:key`. Both are short text files with `#` comment lines, so
//! a trainer can open them, mail the `.pub`, and see at a glance which is which.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{KeyError, PublicKey, SecretKey};

/// Largest key file we read: ours are under 300 bytes.
const MAX_KEY_FILE: u64 = 4096;

/// The two paths `keys new --out DIR/NAME` writes.
#[derive(Debug, Clone)]
pub struct KeyPairPaths {
    /// `NAME.key`, the secret key.
    pub secret: PathBuf,
    /// `NAME.pub`, the public key.
    pub public: PathBuf,
}

impl KeyPairPaths {
    /// The paths for a base name such as `keys/ngo-nairobi`.
    pub fn for_base(base: &Path) -> Self {
        let with_ext = |ext: &str| {
            let mut name = base.as_os_str().to_owned();
            name.push(ext);
            PathBuf::from(name)
        };
        Self {
            secret: with_ext(".key"),
            public: with_ext(".pub"),
        }
    }
}

/// Writes a new key pair; refuses to overwrite an existing secret key.
pub fn write_pair(secret: &SecretKey, paths: &KeyPairPaths) -> Result<(), KeyError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| KeyError::File { path, source }
    };
    let fingerprint = secret.public_key().fingerprint();
    let secret_text = format!(
        "# Skillpack secret key (fingerprint {fingerprint}).\n\
         # Keep it private: anyone holding this file can publish as you.\n{}\n",
        secret.to_multibase()
    );
    let public_text = format!(
        "# Skillpack public key (fingerprint {fingerprint}). Share it freely.\n{}\n",
        secret.public_key().to_did_key()
    );
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&paths.secret).map_err(io(&paths.secret))?;
    file.write_all(secret_text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io(&paths.secret))?;
    fs::write(&paths.public, public_text).map_err(io(&paths.public))
}

/// Reads a secret key file.
pub fn read_secret(path: &Path) -> Result<SecretKey, KeyError> {
    SecretKey::parse(&key_line(path)?)
}

/// Reads a public key file (or any file whose key line is a `did:key` or `z6Mk…`).
pub fn read_public(path: &Path) -> Result<PublicKey, KeyError> {
    PublicKey::parse(&key_line(path)?)
}

/// The one line of a key file that is not blank and not a `#` comment.
fn key_line(path: &Path) -> Result<String, KeyError> {
    use std::io::Read;
    let shown = path.display().to_string();
    let io = |source| KeyError::File {
        path: shown.clone(),
        source,
    };
    // Read at most one byte past the limit, whatever the file is (a pipe, a growing file).
    let mut text = String::new();
    fs::File::open(path)
        .map_err(io)?
        .take(MAX_KEY_FILE + 1)
        .read_to_string(&mut text)
        .map_err(io)?;
    if text.len() as u64 > MAX_KEY_FILE {
        return Err(KeyError::FileTooLarge(shown));
    }
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    match (lines.next(), lines.next()) {
        (Some(line), None) => Ok(line.to_owned()),
        _ => Err(KeyError::Malformed(format!(
            "{shown}: expected exactly one key line"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_round_trips_and_secret_is_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = KeyPairPaths::for_base(&dir.path().join("trainer"));
        let key = SecretKey::from_seed(&[9; 32]);
        write_pair(&key, &paths).expect("write");
        assert_eq!(
            read_secret(&paths.secret).expect("secret").public_key(),
            key.public_key()
        );
        assert_eq!(
            read_public(&paths.public).expect("public"),
            key.public_key()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&paths.secret)
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(
            write_pair(&key, &paths).is_err(),
            "never overwrites a secret key"
        );
    }
}
