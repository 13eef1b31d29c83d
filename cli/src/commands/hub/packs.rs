//! The operator's pack store commands: `hub packs` (do the database and the store agree?),
//! `hub move-packs` (an older hub's packs out of its database), and the list of packs a
//! backup writes beside its copy.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use skillpack_core::hex;

use super::operate_at;
use crate::commands::CommandResult;

/// `skillpack hub packs`: what the database names against what the store holds; fails when
/// a pack is missing from the store.
pub(super) fn check(db: &str, packs: Option<&str>) -> CommandResult {
    let (at, check) = operate_at(db, packs, |hub| async move {
        let at = hub.pack_store().at().to_string();
        Ok((at, hub.check_pack_store().await?))
    })?;
    outln!(
        "{at}: {} packs held, {} missing, {} not named by the database, {} still in the database",
        check.held,
        check.missing.len(),
        check.unnamed,
        check.in_db
    );
    for hash in &check.missing {
        outln!("missing {}", hex::encode(hash));
    }
    if check.in_db > 0 {
        outln!("`skillpack hub move-packs` moves the packs still in the database to the store");
    }
    Ok(if check.missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `skillpack hub move-packs`: each pack still in the database moved to the store.
pub(super) fn move_to_store(db: &str, packs: Option<&str>) -> CommandResult {
    let (at, moved) = operate_at(db, packs, |hub| async move {
        let at = hub.pack_store().at().to_string();
        let moved = hub
            .move_packs_to_store(|hash, size| {
                outln!("moved {} ({size} bytes)", hex::encode(&hash));
            })
            .await?;
        Ok((at, moved))
    })?;
    outln!("{moved} packs moved to {at}; the database keeps only their description");
    Ok(ExitCode::SUCCESS)
}

/// Writes `OUT.packs` beside a backup's copy `out` (the database at `copy`): one line per
/// pack of the store it names, `HASH SIZE`, for checking a copy of the store against (packs
/// still in the database are in the copy itself); says whether the store holds them all
/// now, and fails when it does not.
pub(super) fn list_for_backup(copy: &str, packs: Option<&str>, out: &Path) -> CommandResult {
    let (at, named, check) = operate_at(copy, packs, |hub| async move {
        let at = hub.pack_store().at().to_string();
        let named = hub.packs_in_store().await?;
        Ok((at, named, hub.check_pack_store().await?))
    })?;
    let mut listing_path = out.as_os_str().to_owned();
    listing_path.push(".packs");
    let listing_path = std::path::PathBuf::from(listing_path);
    let mut listing = std::fs::File::create_new(&listing_path)
        .with_context(|| format!("writing {}", listing_path.display()))?;
    for (hash, size) in &named {
        writeln!(listing, "{} {size}", hex::encode(hash))?;
    }
    listing.sync_all()?;
    outln!(
        "listed its {} packs in {} (their bytes are in {at}: copy that too; a pack's object never changes once written)",
        named.len(),
        listing_path.display()
    );
    if !check.missing.is_empty() {
        outln!(
            "{} of them are missing from {at} now: `skillpack hub packs` names them",
            check.missing.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
