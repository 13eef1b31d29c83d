//! The enrolment link of a code: the hub's public address, the code, and the keys of the
//! publishers whose packs are offered to the code's group, so a phone that scans it trusts
//! them, joins, and installs the group's packs at its first sync (`protocol::JoinLink`).

use skillpack_core::keys::PublicKey;
use skillpack_core::protocol::{JoinLink, MAX_JOIN_PUBLISHERS};

use crate::error::HubError;
use crate::storage::HubDb;

/// The link for `code` of `group` at the hub whose public address is `hub_url`: the group's
/// publishers are those of the packs its catalog offers now (at most
/// [`MAX_JOIN_PUBLISHERS`]).
pub async fn join_link(
    db: &HubDb,
    hub_url: &str,
    group: &str,
    code: &str,
) -> Result<JoinLink, HubError> {
    let mut publishers: Vec<PublicKey> = Vec::new();
    for entry in db.catalog(group.to_owned()).await? {
        let key = PublicKey::parse(&entry.publisher)
            .map_err(|_| HubError::Damaged(format!("pack {}'s publisher", entry.id)))?;
        if !publishers.contains(&key) && publishers.len() < MAX_JOIN_PUBLISHERS {
            publishers.push(key);
        }
    }
    Ok(JoinLink {
        hub: hub_url.trim_end_matches('/').to_owned(),
        code: code.to_owned(),
        publishers,
    })
}
