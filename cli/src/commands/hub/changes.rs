//! The operator's commands that change what the hub holds of its people, each audited: a
//! trainer's label for a learner, a new identity linked to the old one, more attempts
//! granted, a one-time sign-in link to the web pages, the provider's issuer key and a
//! credential revoked.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context};
use skillpack_core::keys::file::read_secret;
use skillpack_core::keys::PublicKey;
use skillpack_core::protocol::GroupName;
use skillpack_hub::issue::set_up_issuer as set_up_issuer_on;
use skillpack_hub::storage::{CredentialRevocation, LearnerLabel, LearnerLink, Scope};

use super::operate;
use crate::commands::CommandResult;

/// `skillpack hub label`: a trainer's label for a learner, audited.
pub(super) fn label(db: String, learner: String, name: String, by: String) -> CommandResult {
    PublicKey::parse(&learner).with_context(|| format!("{learner} is not a learner's did:key"))?;
    let label = if name.trim().is_empty() {
        None
    } else {
        Some(skillpack_core::name::display_name(&name)?)
    };
    let shown = label.clone();
    let row = LearnerLabel {
        learner: learner.clone(),
        label,
        by,
    };
    if !operate(&db, |hub| async move { hub.label_learner(row).await })? {
        bail!("no device of {learner} is registered at this hub");
    }
    match shown {
        Some(name) => outln!("{learner} is shown as {name}"),
        None => outln!("{learner}'s label removed"),
    }
    Ok(ExitCode::SUCCESS)
}

/// `skillpack hub signin`: a one-time sign-in link to the web pages.
pub(super) fn sign_in(
    db: String,
    hub_url: String,
    name: String,
    group: Vec<GroupName>,
) -> CommandResult {
    let label = skillpack_core::name::display_name(&name)?;
    let grant = skillpack_hub::storage::WebGrant {
        operator: group.is_empty(),
        groups: group.iter().map(|g| g.as_str().to_owned()).collect(),
        label,
    };
    let token = operate(&db, |hub| async move {
        hub.create_web_link(grant, skillpack_hub::web::LINK_TTL)
            .await
    })?;
    outln!("{}/web/signin/{token}", hub_url.trim_end_matches('/'));
    Ok(ExitCode::SUCCESS)
}

/// `skillpack hub link`: a learner's new identity counted as the one they had, audited.
pub(super) fn link(
    db: String,
    learner: String,
    to: String,
    by: String,
    reason: String,
) -> CommandResult {
    for did in [&learner, &to] {
        PublicKey::parse(did).with_context(|| format!("{did} is not a learner's did:key"))?;
    }
    if by.trim().is_empty() || reason.trim().is_empty() {
        bail!("say who links them (--by) and why (--reason): the audit trail keeps both");
    }
    let link = LearnerLink {
        learner: learner.clone(),
        person: to,
        by,
        reason,
    };
    match operate(&db, |hub| async move { hub.link_learner(link).await })? {
        Ok(person) => {
            outln!("{learner} is now counted as the same person as {person}");
            Ok(ExitCode::SUCCESS)
        }
        Err(refusal) => {
            eprintln!("refused: {refusal}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `skillpack hub revoke`: a credential revoked, with the reason.
pub(super) fn revoke(db: String, id: String, reason: String, by: String) -> CommandResult {
    if reason.trim().is_empty() || by.trim().is_empty() {
        bail!("say why the credential is revoked (--reason) and who revokes it (--by): the audit trail keeps both");
    }
    let revocation = CredentialRevocation {
        id: id.clone(),
        reason,
        by,
    };
    let revoked = operate(
        &db,
        |hub| async move { hub.revoke_credential(revocation).await },
    )?;
    match revoked {
        Some(true) => {
            outln!("revoked {id}: verifiers that check online now see it revoked")
        }
        Some(false) => outln!("{id} was already revoked"),
        None => {
            bail!("this hub issued no credential {id} (see `skillpack hub credentials`)")
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `skillpack hub grant`.
pub(super) fn grant(
    db: &str,
    learner: String,
    module_id: String,
    attempts: u32,
    granted_by: String,
    key: Option<&Path>,
) -> CommandResult {
    PublicKey::parse(&learner).with_context(|| format!("{learner} is not a learner's did:key"))?;
    let key = key
        .map(|k| read_secret(k).with_context(|| format!("reading {}", k.display())))
        .transpose()?;
    let request = skillpack_hub::grant::GrantRequest {
        learner: learner.clone(),
        module_id,
        attempts,
        granted_by,
    };
    let made = operate(db, |hub| async move {
        skillpack_hub::grant::grant_attempts(&hub, &Scope::Everything, request, key.as_ref()).await
    })?;
    let grant = made?;
    let t = &grant.terms;
    let plural = if t.attempts == 1 { "" } else { "s" };
    outln!(
        "{} more attempt{plural} at {} granted to {learner} by {}; their devices take it at their next sync",
        t.attempts,
        t.module,
        t.granted_by
    );
    Ok(ExitCode::SUCCESS)
}

/// `skillpack hub issuer`: the provider's issuer key, endorsed by the publisher's.
pub(super) fn set_up_issuer(db: &str, key: &Path, issuer: &Path, hub_url: &str) -> CommandResult {
    let publisher = read_secret(key).with_context(|| format!("reading {}", key.display()))?;
    let issuer = crate::commands::credential::read_issuer_file(issuer)?;
    // The status list is published under it: a verifier reads it only over https.
    if !skillpack_core::credential::status::is_readable_status_url(hub_url) {
        bail!(
            "the hub's URL starts with https:// (verifiers read revocation lists only over \
             https; plain http only on this computer's loopback, for trying it out)"
        );
    }
    let hub_url = hub_url.to_owned();
    let row = operate(db, |hub| async move {
        if !hub.is_publisher(publisher.public_key()).await? {
            return Ok(None);
        }
        set_up_issuer_on(&hub, &publisher, issuer, &hub_url)
            .await
            .map(Some)
    })?;
    let Some(row) = row else {
        bail!("the key is not a registered publisher: `skillpack hub add-publisher` first");
    };
    let issuer_key = skillpack_core::keys::SecretKey::from_seed(&row.seed).public_key();
    outln!(
        "issuer {} set up: it signs credentials for {} (endorsed by the publisher's key)",
        row.id,
        row.publisher.fingerprint()
    );
    outln!("  issuer key:  {}", issuer_key.to_did_key());
    outln!("  status list: {}", row.status_list);
    Ok(ExitCode::SUCCESS)
}
