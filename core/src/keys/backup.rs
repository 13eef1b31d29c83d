//! A learner's identity in an encrypted backup, so it moves to a new phone: the learner's
//! secret key sealed under a passphrase in the age format (its scrypt recipient), never a
//! format of our own. A backup is written as age's ASCII armor (a file) and as a few short
//! QR codes, each small enough for a cheap phone's camera to read off another screen.
//!
//! Opening a backup bounds everything first: the text's size, the scrypt work factor a file
//! may ask for (a hostile file could otherwise ask for gigabytes of memory), the plaintext.

use std::io::{Read, Write};

use age::secrecy::SecretString;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::{KeyError, SecretKey};

/// What the sealed plaintext starts with, before the 32-byte seed.
const PLAINTEXT_TAG: &[u8] = b"skillpack learner key v1\n";
/// The scrypt work factor backups are written with: 2^16 (64 MiB of memory, about a second
/// on a low-end phone).
const WORK_FACTOR: u8 = 16;
/// The largest work factor a backup may ask for when opened (2^17: 128 MiB).
const MAX_WORK_FACTOR: u8 = 17;
/// The shortest passphrase accepted: the backup may be lost, and then only the passphrase
/// and scrypt stand between a finder and the learner's identity.
pub const MIN_PASSPHRASE_CHARS: usize = 10;
/// The longest passphrase accepted.
const MAX_PASSPHRASE_BYTES: usize = 1024;
/// The largest backup text read (a backup is well under 1 KiB).
pub const MAX_BACKUP_BYTES: usize = 8 * 1024;
/// What each QR code's text starts with.
const QR_PREFIX: &str = "SKID1:";
/// Backup bytes, in base64, that one QR code carries (a version 9 or so code).
const QR_PART_CHARS: usize = 160;
/// The most QR parts a backup is read from.
const MAX_QR_PARTS: usize = 16;

/// An encrypted backup of a learner's key: the age file's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityBackup {
    sealed: Vec<u8>,
}

impl IdentityBackup {
    /// Seals `learner` under `passphrase`.
    pub fn seal(learner: &SecretKey, passphrase: &str) -> Result<Self, KeyError> {
        check_passphrase(passphrase)?;
        let mut recipient = age::scrypt::Recipient::new(secret(passphrase));
        recipient.set_work_factor(WORK_FACTOR);
        let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as _))
            .map_err(|e| KeyError::Backup(e.to_string()))?;
        let mut sealed = Vec::with_capacity(256);
        let mut writer = encryptor
            .wrap_output(&mut sealed)
            .map_err(|e| KeyError::Backup(e.to_string()))?;
        let mut plaintext = PLAINTEXT_TAG.to_vec();
        plaintext.extend_from_slice(&learner.to_seed());
        writer
            .write_all(&plaintext)
            .and_then(|()| writer.finish().map(drop))
            .map_err(|e| KeyError::Backup(e.to_string()))?;
        Ok(Self { sealed })
    }

    /// The backup as a file: age's ASCII armor.
    pub fn to_armored(&self) -> Result<String, KeyError> {
        use age::armor::{ArmoredWriter, Format};
        let mut out = Vec::with_capacity(self.sealed.len() * 2);
        let mut writer = ArmoredWriter::wrap_output(&mut out, Format::AsciiArmor)
            .map_err(|e| KeyError::Backup(e.to_string()))?;
        writer
            .write_all(&self.sealed)
            .and_then(|()| writer.finish().map(drop))
            .map_err(|e| KeyError::Backup(e.to_string()))?;
        String::from_utf8(out).map_err(|e| KeyError::Backup(e.to_string()))
    }

    /// The backup as the texts of a few QR codes (`SKID1:1/2:…`), to be scanned in any order.
    pub fn to_qr_parts(&self) -> Vec<String> {
        let text = URL_SAFE_NO_PAD.encode(&self.sealed);
        let pieces: Vec<&str> = text
            .as_bytes()
            .chunks(QR_PART_CHARS)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect();
        let n = pieces.len();
        pieces
            .iter()
            .enumerate()
            .map(|(i, piece)| format!("{QR_PREFIX}{}/{n}:{piece}", i + 1))
            .collect()
    }

    /// Reads a backup from its armored file, or from the texts of its QR codes (one per
    /// line, in any order).
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        if text.len() > MAX_BACKUP_BYTES {
            return Err(KeyError::Backup(
                "too large to be an identity backup".into(),
            ));
        }
        let text = text.trim();
        if text.starts_with(QR_PREFIX) {
            return Self::from_qr_parts(text.lines().map(str::trim).filter(|l| !l.is_empty()));
        }
        let mut sealed = Vec::new();
        age::armor::ArmoredReader::new(text.as_bytes())
            .take(MAX_BACKUP_BYTES as u64)
            .read_to_end(&mut sealed)
            .map_err(|e| KeyError::Backup(format!("not an identity backup: {e}")))?;
        Ok(Self { sealed })
    }

    /// Reads a backup from the texts of its QR codes, in any order.
    pub fn from_qr_parts<'a>(parts: impl IntoIterator<Item = &'a str>) -> Result<Self, KeyError> {
        let mut pieces: Vec<Option<String>> = Vec::new();
        for part in parts {
            let (index, total, piece) = qr_part(part)?;
            if pieces.is_empty() {
                pieces = vec![None; total];
            } else if pieces.len() != total {
                return Err(KeyError::Backup(
                    "these QR codes come from different backups".into(),
                ));
            }
            pieces[index - 1] = Some(piece.to_owned());
        }
        if pieces.is_empty() {
            return Err(KeyError::Backup("no QR code was given".into()));
        }
        let missing: Vec<String> = (1..=pieces.len())
            .filter(|i| pieces[i - 1].is_none())
            .map(|i| i.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(KeyError::Backup(format!(
                "QR code {} of {} is missing",
                missing.join(", "),
                pieces.len()
            )));
        }
        let text: String = pieces.into_iter().flatten().collect();
        let sealed = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| KeyError::Backup("a QR code was not read whole".into()))?;
        Ok(Self { sealed })
    }

    /// Opens the backup with `passphrase`: the learner's key.
    pub fn open(&self, passphrase: &str) -> Result<SecretKey, KeyError> {
        if passphrase.len() > MAX_PASSPHRASE_BYTES {
            return Err(KeyError::WrongPassphrase);
        }
        let decryptor = age::Decryptor::new(self.sealed.as_slice())
            .map_err(|e| KeyError::Backup(format!("not an identity backup: {e}")))?;
        if !decryptor.is_scrypt() {
            return Err(KeyError::Backup(
                "not sealed with a passphrase, as identity backups are".into(),
            ));
        }
        let mut identity = age::scrypt::Identity::new(secret(passphrase));
        identity.set_max_work_factor(MAX_WORK_FACTOR);
        let mut reader =
            decryptor
                .decrypt(std::iter::once(&identity as _))
                .map_err(|e| match e {
                    age::DecryptError::DecryptionFailed
                    | age::DecryptError::KeyDecryptionFailed
                    | age::DecryptError::NoMatchingKeys => KeyError::WrongPassphrase,
                    age::DecryptError::ExcessiveWork { .. } => KeyError::Backup(
                        "the backup asks for more work than a phone can give".into(),
                    ),
                    other => KeyError::Backup(other.to_string()),
                })?;
        let mut plaintext = Vec::with_capacity(64);
        reader
            .by_ref()
            .take((PLAINTEXT_TAG.len() + 33) as u64)
            .read_to_end(&mut plaintext)
            .map_err(|e| KeyError::Backup(e.to_string()))?;
        let seed = plaintext
            .strip_prefix(PLAINTEXT_TAG)
            .and_then(|rest| <[u8; 32]>::try_from(rest).ok())
            .ok_or_else(|| KeyError::Backup("the backup does not hold a learner's key".into()))?;
        Ok(SecretKey::from_seed(&seed))
    }
}

fn secret(passphrase: &str) -> SecretString {
    SecretString::from(passphrase.to_owned())
}

fn check_passphrase(passphrase: &str) -> Result<(), KeyError> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS || passphrase.len() > MAX_PASSPHRASE_BYTES
    {
        return Err(KeyError::WeakPassphrase);
    }
    Ok(())
}

/// One QR code's text: (index from 1, total, piece).
fn qr_part(text: &str) -> Result<(usize, usize, &str), KeyError> {
    let bad = || KeyError::Backup(format!("not a QR code of an identity backup: {text:.40}"));
    let rest = text.strip_prefix(QR_PREFIX).ok_or_else(bad)?;
    let (position, piece) = rest.split_once(':').ok_or_else(bad)?;
    let (index, total) = position.split_once('/').ok_or_else(bad)?;
    let index: usize = index.parse().map_err(|_| bad())?;
    let total: usize = total.parse().map_err(|_| bad())?;
    if total == 0 || total > MAX_QR_PARTS || index == 0 || index > total {
        return Err(bad());
    }
    Ok((index, total, piece))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSPHRASE: &str = "market road blue kettle";

    fn learner() -> SecretKey {
        SecretKey::from_seed(&[9; 32])
    }

    #[test]
    fn a_backup_opens_with_its_passphrase_from_the_file_or_the_qr_codes() {
        let backup = IdentityBackup::seal(&learner(), PASSPHRASE).expect("seals");
        let armored = backup.to_armored().expect("armors");
        assert!(armored.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
        let from_file = IdentityBackup::parse(&armored).expect("parses");
        assert_eq!(
            from_file.open(PASSPHRASE).expect("opens").public_key(),
            learner().public_key()
        );

        let mut parts = backup.to_qr_parts();
        assert!(
            parts.len() >= 2 && parts.iter().all(|p| p.len() < 200),
            "{parts:?}"
        );
        parts.reverse();
        let from_codes = IdentityBackup::parse(&parts.join("\n")).expect("parses");
        assert_eq!(
            from_codes.open(PASSPHRASE).expect("opens").public_key(),
            learner().public_key()
        );
    }

    #[test]
    fn a_wrong_passphrase_or_a_weak_one_is_told_apart() {
        let backup = IdentityBackup::seal(&learner(), PASSPHRASE).expect("seals");
        assert!(matches!(
            backup.open("market road blue kettles"),
            Err(KeyError::WrongPassphrase)
        ));
        assert!(matches!(
            IdentityBackup::seal(&learner(), "short"),
            Err(KeyError::WeakPassphrase)
        ));
    }

    #[test]
    fn missing_foreign_or_damaged_parts_are_named() {
        let backup = IdentityBackup::seal(&learner(), PASSPHRASE).expect("seals");
        let parts = backup.to_qr_parts();
        let missing = IdentityBackup::from_qr_parts(parts[1..].iter().map(String::as_str));
        assert!(
            matches!(&missing, Err(KeyError::Backup(why)) if why.contains("QR code 1 of")),
            "{missing:?}"
        );
        let other = IdentityBackup::seal(&learner(), PASSPHRASE)
            .expect("seals")
            .to_qr_parts();
        let mixed = [parts[0].as_str(), "SKID1:2/9:AAAA"];
        assert!(IdentityBackup::from_qr_parts(mixed).is_err());
        // Two halves of two different backups (each sealed with its own salt) do not open.
        let spliced = IdentityBackup::from_qr_parts([parts[0].as_str(), other[1].as_str()]);
        assert!(spliced.and_then(|b| b.open(PASSPHRASE)).is_err());
        for junk in ["SKID1:0/2:AA", "SKID1:3/2:AA", "SKID1:1/99:AA", "hello"] {
            assert!(IdentityBackup::parse(junk).is_err(), "{junk}");
        }
        assert!(IdentityBackup::parse(&"A".repeat(MAX_BACKUP_BYTES + 1)).is_err());
    }

    #[test]
    fn a_backup_that_asks_for_too_much_work_is_refused_before_the_work() {
        // A genuine backup whose header was edited to ask for 2^27 (16 GiB of memory):
        // opening it must fail at once instead of allocating.
        let backup = IdentityBackup::seal(&learner(), PASSPHRASE).expect("seals");
        let mut sealed = backup.sealed.clone();
        let stanza = sealed
            .windows(10)
            .position(|w| w == b"-> scrypt ")
            .expect("an scrypt stanza");
        let end = stanza
            + sealed[stanza..]
                .iter()
                .position(|&b| b == b'\n')
                .expect("a line");
        assert_eq!(&sealed[end - 3..end], b" 16");
        sealed[end - 2..end].copy_from_slice(b"27");
        let refused = IdentityBackup { sealed }.open(PASSPHRASE);
        assert!(
            matches!(&refused, Err(KeyError::Backup(why)) if why.contains("more work")),
            "{refused:?}"
        );
    }

    #[test]
    fn a_file_sealed_to_a_key_rather_than_a_passphrase_is_refused() {
        let identity = age::x25519::Identity::generate();
        let sealed = age::encrypt(&identity.to_public(), b"x").expect("encrypts");
        assert!(matches!(
            IdentityBackup { sealed }.open(PASSPHRASE),
            Err(KeyError::Backup(why)) if why.contains("passphrase")
        ));
    }
}
