//! The operator's and the trainer's side of the journey: set up the hub's database (the
//! operator's `hub init`, `hub add-publisher`, `hub enrol`), publish the packs over HTTP (the
//! trainer's `publish`), and read the results as `skillpack hub results` shows them.

use anyhow::{bail, Context};
use skillpack_core::sync::HubClient;
use skillpack_hub::storage::ResultQuery;

use super::assets::Assets;
use super::packs::DemoPack;
use super::{say, Steps};
use crate::commands::hub::result_line;
use crate::commands::hub::{init, operate};
use crate::commands::human_bytes;
use skillpack_hub::issuer::set_up_endorsed_issuer;

/// Makes the hub's database, registers the demo publisher and makes an enrolment code for
/// `group`; gives the code.
pub fn set_up_hub(
    steps: &mut Steps,
    db: &str,
    assets: &Assets,
    group: &str,
) -> anyhow::Result<String> {
    steps.next("An operator sets up a hub, with its database in one file (SQLite)");
    init(db)?;
    let public = assets.public;
    operate(db, |hub| async move {
        hub.add_publisher(public, "demo-publisher".to_owned()).await
    })?;
    say(format!(
        "the trainer's key ({}) may now publish",
        public.fingerprint()
    ));
    let owned = group.to_owned();
    let code = operate(db, |hub| async move {
        hub.create_enrolment(&owned, None, None).await
    })?;
    say(format!(
        "the group \"{group}\" is open; the trainer hands learners its enrolment code {code}"
    ));
    Ok(code)
}

/// Sets up the demo provider's issuer on the hub at `url`: the hub makes and keeps the key
/// that signs its credentials, endorsed by the trainer's publisher key.
pub fn set_up_issuer(
    steps: &mut Steps,
    db: &str,
    assets: &Assets,
    url: &str,
) -> anyhow::Result<()> {
    steps.next("The trainer sets up credentials for the provider (skillpack hub issuer)");
    let issuer = &assets.issuer;
    let profile = issuer.clone();
    let (key, url) = (assets.key.to_seed(), url.to_owned());
    let row = operate(db, |hub| async move {
        let key = skillpack_core::keys::SecretKey::from_seed(&key);
        set_up_endorsed_issuer(&hub, &key, profile, &url).await
    })?;
    say(format!(
        "the hub keeps a key that signs credentials for {} ({}), endorsed by the trainer's key",
        issuer.name, issuer.country
    ));
    say(format!("its revocation list: {}", row.status_list));
    Ok(())
}

/// Uploads every pack to the hub at `url` for `group`, signed with the demo publisher's key.
pub fn publish(
    steps: &mut Steps,
    url: &str,
    assets: &Assets,
    packs: &[DemoPack],
    group: &str,
) -> anyhow::Result<()> {
    steps.next("The trainer publishes the packs to the hub, over the network");
    let client = HubClient::new(url)?;
    let mut sent = 0;
    for pack in packs {
        let bytes = std::fs::read(&pack.path)
            .with_context(|| format!("reading {}", pack.path.display()))?;
        sent += bytes.len() as u64;
        let published = client
            .publish(&assets.key, bytes, group)
            .with_context(|| format!("publishing {}", pack.path.display()))?;
        if !published.created {
            bail!(
                "the hub had {} already: the demo's hub is not new",
                published.id
            );
        }
    }
    say(format!(
        "{} packs uploaded ({}), each signed by the trainer and checked by the hub",
        packs.len(),
        human_bytes(sent)
    ));
    Ok(())
}

/// Shows the results of `group` as `skillpack hub results` prints them, and says in words
/// whether the learner passed `module`; an error when the hub has no result for it.
pub fn show_results(steps: &mut Steps, db: &str, group: &str, module: &str) -> anyhow::Result<()> {
    steps.next("What the trainer sees (skillpack hub results)");
    let owned = group.to_owned();
    let results = operate(db, |hub| async move {
        hub.results(ResultQuery::everything().in_group(Some(owned)))
            .await
    })?;
    for r in &results {
        say(result_line(r));
    }
    let Some(result) = results.iter().find(|r| r.record.record.module == module) else {
        bail!("the hub has no result for {module}");
    };
    let record = &result.record.record;
    say(format!(
        "in words: the learner {} the {module} assessment, on attempt {}",
        if record.passed {
            "passed"
        } else {
            "did not pass"
        },
        record.attempt
    ));
    Ok(())
}
