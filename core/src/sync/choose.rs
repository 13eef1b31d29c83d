//! Which of a group's packs a device fetches: of each pack, the newest version, in the variant
//! the learner's media setting asks for; only when newer than what is installed; and on
//! metered data only what fits the rest of the month's budget. Pure, so it is tested alone.

use super::{PackVersion, SyncError};
use crate::keys::PublicKey;
use crate::module::parse_version;
use crate::pack::Rendition;
use crate::protocol::CatalogEntry;
use crate::store::InstalledPack;

/// A pack to fetch, and how many of its bytes are still to come (a cut download resumes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Fetch {
    /// The catalog's entry.
    pub entry: CatalogEntry,
    /// Bytes not yet downloaded.
    pub remaining: u64,
}

/// The packs to fetch now, and those left for later (over the allowance).
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Choice {
    /// Fetch these, in this order.
    pub fetch: Vec<Fetch>,
    /// These wait for an unmetered connection or next month's budget.
    pub deferred: Vec<PackVersion>,
}

/// Whether `hash` is a pack hash (64 hex digits): it names the download's file.
pub(super) fn is_pack_hash(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Variants in the order a learner with `media` prefers them: the low-data one first when
/// they chose it; a text-only pack last, as it has no pictures at all.
fn preference(media: Rendition) -> [&'static str; 3] {
    match media {
        Rendition::Full => ["full", "low", "text"],
        Rendition::Low => ["low", "full", "text"],
    }
}

/// Of `catalog`, the packs to install: per id the newest version in the preferred variant,
/// if newer than the installed one. An entry for an installed id from another publisher is
/// skipped (the id belongs to the publisher the pack came from; the install would refuse
/// it). A hub entry with a malformed hash is refused: the hash names the download file.
pub(super) fn newer_packs(
    catalog: Vec<CatalogEntry>,
    installed: &[InstalledPack],
    media: Rendition,
) -> Result<Vec<CatalogEntry>, SyncError> {
    let order = preference(media);
    let rank = |e: &CatalogEntry| order.iter().position(|v| *v == e.variant).unwrap_or(3);
    let mut best: Vec<CatalogEntry> = Vec::new();
    for entry in catalog {
        if !is_pack_hash(&entry.hash) {
            return Err(SyncError::BadAnswer(format!(
                "pack {} has a malformed hash",
                entry.id
            )));
        }
        let Some(version) = parse_version(&entry.version) else {
            continue;
        };
        let owner = installed.iter().find(|p| p.id == entry.id);
        if owner.is_some_and(|p| PublicKey::parse(&entry.publisher).ok() != Some(p.publisher)) {
            continue;
        }
        match best.iter_mut().find(|b| b.id == entry.id) {
            Some(current) => {
                let current_version = parse_version(&current.version);
                let better = Some(version) > current_version
                    || (Some(version) == current_version && rank(&entry) < rank(current));
                if better {
                    *current = entry;
                }
            }
            None => best.push(entry),
        }
    }
    best.retain(|entry| {
        let current = installed.iter().find(|p| p.id == entry.id);
        current.is_none_or(|p| parse_version(&entry.version) > parse_version(&p.version))
    });
    Ok(best)
}

/// Splits `wanted` into what fits `allowance` bytes (all of it when there is none) and what
/// must wait, in the group's order, skipping each pack that no longer fits.
pub(super) fn within_allowance(wanted: Vec<Fetch>, allowance: Option<u64>) -> Choice {
    let mut left = allowance;
    let mut choice = Choice::default();
    for fetch in wanted {
        match left {
            Some(l) if fetch.remaining > l => choice.deferred.push(PackVersion::of(&fetch.entry)),
            _ => {
                left = left.map(|l| l - fetch.remaining);
                choice.fetch.push(fetch);
            }
        }
    }
    choice
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::{publisher_key, stranger_key};

    fn entry(id: &str, version: &str, variant: &str, size: u64) -> CatalogEntry {
        CatalogEntry {
            id: id.into(),
            version: version.into(),
            hash: format!("{:064x}", size),
            size,
            variant: variant.into(),
            publisher: publisher_key().public_key().to_did_key(),
            modules: vec![id.into()],
        }
    }

    fn installed_from(id: &str, version: &str, publisher: PublicKey) -> InstalledPack {
        InstalledPack {
            id: id.into(),
            version: version.into(),
            publisher,
        }
    }

    fn chosen(media: Rendition, installed: &[(&str, &str)]) -> Vec<(String, String, String)> {
        let catalog = vec![
            entry("riding", "1.0.0", "full", 900),
            entry("riding", "1.0.0", "low", 300),
            entry("riding", "1.0.0", "text", 50),
            entry("money", "2.0.0", "full", 800),
            entry("money", "2.1.0", "text", 40),
            entry("cleaning", "1.0.0", "text", 30),
        ];
        let installed: Vec<InstalledPack> = installed
            .iter()
            .map(|(id, v)| installed_from(id, v, publisher_key().public_key()))
            .collect();
        newer_packs(catalog, &installed, media)
            .expect("well formed")
            .into_iter()
            .map(|e| (e.id, e.version, e.variant))
            .collect()
    }

    fn own(id: &str, version: &str, variant: &str) -> (String, String, String) {
        (id.into(), version.into(), variant.into())
    }

    #[test]
    fn the_media_setting_picks_the_variant_and_newer_versions_win() {
        assert_eq!(
            chosen(Rendition::Full, &[]),
            vec![
                own("riding", "1.0.0", "full"),
                own("money", "2.1.0", "text"),
                own("cleaning", "1.0.0", "text"),
            ]
        );
        assert_eq!(
            chosen(Rendition::Low, &[])[0],
            own("riding", "1.0.0", "low")
        );
    }

    #[test]
    fn what_is_installed_at_that_version_or_newer_is_not_fetched() {
        assert_eq!(
            chosen(Rendition::Full, &[("riding", "1.0.0"), ("money", "2.0.0")]),
            vec![
                own("money", "2.1.0", "text"),
                own("cleaning", "1.0.0", "text")
            ]
        );
        assert!(chosen(
            Rendition::Low,
            &[
                ("riding", "9.0.0"),
                ("money", "3.0.0"),
                ("cleaning", "1.0.0")
            ]
        )
        .is_empty());
    }

    #[test]
    fn another_publishers_version_of_an_installed_id_is_skipped() {
        let mut takeover = entry("riding", "9.0.0", "full", 900);
        takeover.publisher = stranger_key().public_key().to_did_key();
        let mut unreadable = entry("riding", "9.1.0", "full", 901);
        unreadable.publisher = "not a key".into();
        let update = entry("riding", "1.1.0", "full", 902);
        let installed = [installed_from(
            "riding",
            "1.0.0",
            publisher_key().public_key(),
        )];
        let chosen = newer_packs(
            vec![takeover.clone(), unreadable, update.clone()],
            &installed,
            Rendition::Full,
        )
        .expect("well formed");
        assert_eq!(chosen, vec![update]);
        // Not installed: the device has no owner to hold to (the hub's catalog is the guard).
        assert_eq!(
            newer_packs(vec![takeover.clone()], &[], Rendition::Full).expect("well formed"),
            vec![takeover]
        );
    }

    #[test]
    fn a_hash_that_could_name_another_file_is_refused() {
        let mut bad = entry("riding", "1.0.0", "full", 1);
        bad.hash = format!("../../{}", "a".repeat(58));
        assert!(matches!(
            newer_packs(vec![bad], &[], Rendition::Full),
            Err(SyncError::BadAnswer(_))
        ));
    }

    #[test]
    fn the_allowance_takes_packs_in_order_while_they_fit() {
        let fetch = |id: &str, remaining| Fetch {
            entry: entry(id, "1.0.0", "full", remaining),
            remaining,
        };
        let wanted = vec![fetch("a", 500), fetch("b", 600), fetch("c", 100)];
        let choice = within_allowance(wanted.clone(), Some(700));
        let fetched: Vec<_> = choice.fetch.iter().map(|f| f.entry.id.as_str()).collect();
        assert_eq!(fetched, vec!["a", "c"]);
        let b = PackVersion {
            id: "b".into(),
            version: "1.0.0".into(),
        };
        assert_eq!(choice.deferred, vec![b]);
        assert_eq!(within_allowance(wanted.clone(), None).fetch.len(), 3);
        assert_eq!(within_allowance(wanted, Some(0)).deferred.len(), 3);
    }
}
