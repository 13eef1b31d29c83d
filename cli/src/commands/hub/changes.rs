//! The operator's commands that change what the hub holds of its people, each audited: a
//! trainer's label for a learner, a new identity linked to the old one, more attempts
//! granted, a one-time sign-in link to the web pages, the provider's issuer key and a
//! credential revoked.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use skillpack_core::keys::file::{read_public, read_secret};
use skillpack_core::keys::PublicKey;
use skillpack_core::protocol::GroupName;
use skillpack_hub::issuer::{attach_endorsement, set_up_endorsed_issuer, set_up_issuer};
use skillpack_hub::storage::{
    CredentialRevocation, DeviceRetirement, LearnerLabel, LearnerLink, Retired, Scope,
};

use super::operate;
use crate::commands::CommandResult;

/// `skillpack hub label`: a trainer's label for a learner, in one of their groups or all,
/// audited.
pub(super) fn label(
    db: String,
    learner: String,
    name: String,
    by: String,
    group: Option<String>,
) -> CommandResult {
    PublicKey::parse(&learner).with_context(|| format!("{learner} is not a learner's did:key"))?;
    let label = if name.trim().is_empty() {
        None
    } else {
        Some(skillpack_core::name::display_name(&name)?)
    };
    let shown = label.clone();
    let scope = match group {
        Some(group) => Scope::Groups(vec![GroupName::parse(&group)?.into_inner()]),
        None => Scope::Everything,
    };
    let row = LearnerLabel {
        learner: learner.clone(),
        label,
        by,
        scope,
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

/// `skillpack hub work-records`: a platform's records for its workers, issued with its issuer
/// key on this hub; every record is checked before any is issued.
pub(super) fn work_records(
    db: &str,
    publisher: &str,
    records: &Path,
    reviews: Option<&Path>,
) -> CommandResult {
    use crate::commands::work_records::{attach_reviews, read_records};
    use skillpack_hub::work_records::{issue_work_records, WorkRecordsIssued};
    let platform = read_publisher(publisher)?;
    let mut read = read_records(records)?;
    if let Some(reviews) = reviews {
        attach_reviews(&mut read, reviews)?;
    }
    for (n, record) in read.iter().enumerate() {
        record
            .check()
            .with_context(|| format!("{}: record {}", records.display(), n + 1))?;
    }
    let outcome = operate(db, |hub| async move {
        issue_work_records(&hub, platform, &read).await
    })?;
    match outcome {
        WorkRecordsIssued::NoIssuer => bail!(
            "{publisher} has no endorsed issuer on this hub: set one up with `skillpack hub \
             issuer` first"
        ),
        WorkRecordsIssued::Issued { issued, held } => outln!(
            "issued {issued} credential(s){}; workers' devices take them at their next sync",
            if held > 0 {
                format!(" ({held} held already)")
            } else {
                String::new()
            }
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// `skillpack hub retire-device`: retires a lost device, audited.
pub(super) fn retire_device(db: &str, device: &str, reason: String, by: String) -> CommandResult {
    let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
    if reason.is_empty() || by.trim().is_empty() {
        bail!("say why the device is retired (--reason) and who retires it (--by): the audit trail keeps both");
    }
    if reason.chars().count() > 200 {
        bail!("the reason is one line of at most 200 characters");
    }
    let key = if device.starts_with("did:key:") {
        PublicKey::parse(device).with_context(|| format!("{device} is not a device's did:key"))?
    } else {
        skillpack_core::hex::decode::<32>(device)
            .and_then(|bytes| PublicKey::from_bytes(&bytes).ok())
            .with_context(|| {
                format!("{device} is neither a did:key nor a device key in hex (`hub learners`)")
            })?
    };
    let retirement = DeviceRetirement {
        device: key,
        reason,
        by,
    };
    match operate(db, |hub| async move { hub.retire_device(retirement).await })? {
        Retired::Now(learner) => outln!(
            "retired {} ({}), a device of {learner}: nothing more is taken from it",
            key.to_did_key(),
            key.fingerprint()
        ),
        Retired::Already => outln!("{} was already retired", key.to_did_key()),
        Retired::Unknown => bail!(
            "this hub knows no device {} (see `skillpack hub learners`)",
            key.to_did_key()
        ),
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

/// What `skillpack hub issuer` was given.
pub(super) struct IssuerArgs {
    /// The provider's publisher key (a NAME.pub file or a did:key).
    pub publisher: Option<String>,
    /// The provider's secret key, to endorse at once.
    pub key: Option<PathBuf>,
    /// The issuer.toml and the hub's URL, to set up or update the issuer.
    pub profile: Option<(PathBuf, String)>,
    /// An endorsement to give the hub.
    pub endorsement: Option<PathBuf>,
}

/// The audit trail's name for changes made here.
const ISSUER_ACTOR: &str = "skillpack hub issuer";

/// `skillpack hub issuer`: sets up the provider's issuer (endorsed at once with --key), takes
/// the trainer's endorsement (--endorsement), and prints the issuer's state and what to do
/// next.
pub(super) fn issuer(db: &str, args: IssuerArgs) -> CommandResult {
    if args.publisher.is_none() && args.key.is_none() && args.endorsement.is_none() {
        bail!(
            "give --publisher (or --key) with --issuer and --hub-url to set up an issuer, or \
             --endorsement with the trainer's endorsement"
        );
    }
    let mut shown = None;
    if let Some(key) = &args.key {
        let (profile, hub_url) = profile_and_url(args.profile.as_ref())?;
        let secret = read_secret(key).with_context(|| format!("reading {}", key.display()))?;
        let publisher = secret.public_key();
        let row = operate(db, |hub| async move {
            if !hub.is_publisher(secret.public_key()).await? {
                return Ok(None);
            }
            set_up_endorsed_issuer(&hub, &secret, profile, &hub_url)
                .await
                .map(Some)
        })?;
        if row.is_none() {
            bail!("the key is not a registered publisher: `skillpack hub add-publisher` first");
        }
        outln!("endorsed with the publisher's key given (--key), on this computer");
        shown = Some(publisher);
    } else if let Some(publisher) = &args.publisher {
        let publisher = read_publisher(publisher)?;
        if let Some(profile) = &args.profile {
            let (profile, hub_url) = profile_and_url(Some(profile))?;
            let row = operate(db, |hub| async move {
                if !hub.is_publisher(publisher).await? {
                    return Ok(None);
                }
                set_up_issuer(&hub, publisher, profile, &hub_url, ISSUER_ACTOR)
                    .await
                    .map(Some)
            })?;
            if row.is_none() {
                bail!(
                    "{} is not a registered publisher: `skillpack hub add-publisher` first",
                    publisher.fingerprint()
                );
            }
        }
        shown = Some(publisher);
    }
    if let Some(file) = &args.endorsement {
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let endorsement = skillpack_core::credential::json::parse(&bytes)
            .with_context(|| format!("reading {}", file.display()))?;
        let taken = operate(db, |hub| async move {
            attach_endorsement(&hub, &endorsement, chrono::Utc::now(), ISSUER_ACTOR).await
        })?;
        let (row, checked) = match taken {
            Ok(taken) => taken,
            Err(refused) => bail!("{refused}"),
        };
        let profile: skillpack_core::credential::Issuer = serde_json::from_str(&row.profile)?;
        if let Some(named) = checked.provider.as_deref().filter(|n| *n != profile.name) {
            outln!(
                "note: the endorsement names the provider {named:?}, and issuer.toml {:?}; \
                 credentials show issuer.toml's name, and verifiers the endorsement's",
                profile.name
            );
        }
        outln!(
            "took the endorsement by publisher {}: credentials issued from now on carry it",
            checked.publisher.fingerprint()
        );
        shown = Some(checked.publisher);
    }
    if let Some(publisher) = shown {
        print_issuer_state(db, publisher)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The issuer's description and the hub's URL, checked.
fn profile_and_url(
    given: Option<&(PathBuf, String)>,
) -> anyhow::Result<(skillpack_core::credential::Issuer, String)> {
    let Some((file, hub_url)) = given else {
        bail!("give --issuer (issuer.toml) and --hub-url to set up an issuer");
    };
    let profile = crate::commands::credential::read_issuer_file(file)?;
    // The status list is published under it: a verifier reads it only over https.
    if !skillpack_core::credential::status::is_readable_status_url(hub_url) {
        bail!(
            "the hub's URL starts with https:// (verifiers read revocation lists only over \
             https; plain http only on this computer's loopback, for trying it out)"
        );
    }
    Ok((profile, hub_url.clone()))
}

/// A publisher key from a NAME.pub file or a did:key.
fn read_publisher(given: &str) -> anyhow::Result<PublicKey> {
    if given.starts_with("did:key:") {
        PublicKey::parse(given).with_context(|| format!("{given} is not an Ed25519 did:key"))
    } else {
        read_public(Path::new(given)).with_context(|| format!("reading {given}"))
    }
}

/// Prints the publisher's issuer on this hub: its key, its status list, its endorsement and,
/// while it has none, the commands that give it one.
fn print_issuer_state(db: &str, publisher: PublicKey) -> anyhow::Result<()> {
    let Some(row) = operate(db, |hub| async move { hub.issuer_of(publisher).await })? else {
        bail!(
            "publisher {} has no issuer on this hub: give --publisher, --issuer and --hub-url",
            publisher.fingerprint()
        );
    };
    let issuer_key = skillpack_core::keys::SecretKey::from_seed(&row.seed).public_key();
    let state = match (&row.endorsement_credential, &row.endorsement) {
        (Some(_), _) => "endorsed: credentials carry the endorsement",
        (None, Some(_)) => {
            "endorsed in the own format only: it issues, but its credentials carry no \
             endorsement, so verifiers elsewhere cannot tell it speaks for the provider"
        }
        (None, None) => "not endorsed yet: it issues nothing until it is",
    };
    outln!(
        "issuer {} for publisher {}: {state}",
        row.id,
        row.publisher.fingerprint()
    );
    outln!(
        "  issuer key:  {}   (fingerprint {})",
        issuer_key.to_did_key(),
        issuer_key.fingerprint()
    );
    outln!("  status list: {}", row.status_list);
    if row.endorsement_credential.is_none() {
        outln!("The trainer signs, on their own computer:");
        outln!(
            "  skillpack issuer endorse --key NAME.key --issuer {} --name \"PROVIDER\" -o endorsement.json",
            issuer_key.to_did_key()
        );
        outln!("then, here: skillpack hub issuer --endorsement endorsement.json");
    }
    Ok(())
}
