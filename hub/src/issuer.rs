//! Setting up a training provider's issuer on the hub without the trainer's secret key
//! (ADR 0006). The operator registers the issuer: the hub makes its issuer key for the provider
//! once, and keeps what credentials say of the provider and where its status list lives. The
//! trainer, on their own computer, endorses that key (`skillpack issuer endorse`); the operator
//! gives the endorsement to the hub, which checks it against its own key before it keeps it.
//! An issuer issues only once endorsed, and embeds the endorsement in every credential after.
//! A hub on the trainer's own computer (the demo) may still be given the publisher key, and
//! signs the same endorsement in process.

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use skillpack_core::credential::{self, CheckedEndorsement, Contexts, Issuer};
use skillpack_core::keys::{PublicKey, SecretKey};

use crate::error::HubError;
use crate::storage::{HubDb, IssuerChange, IssuerRow};

/// How far ahead of the hub's clock an endorsement may be dated and still be taken: a
/// trainer's computer may run a little fast, but a credential is checked on phones whose
/// clocks are often behind.
pub const ENDORSEMENT_CLOCK_TOLERANCE: Duration = Duration::minutes(10);

/// Why the hub would not take an endorsement; each says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndorsementRefusal {
    /// It does not verify on its own.
    #[error("the endorsement does not verify: {0}")]
    NotValid(String),
    /// Its signer is not a publisher registered here.
    #[error("the endorsement is signed by {0}, which is not a registered publisher here: `skillpack hub add-publisher` first")]
    UnknownPublisher(String),
    /// The publisher has no issuer here yet.
    #[error("publisher {0} has no issuer on this hub: `skillpack hub issuer --publisher` first")]
    NoIssuer(String),
    /// It endorses another key than the hub's issuer key for that publisher.
    #[error("this endorsement is for {endorsed}, but this hub's issuer key for publisher {publisher} is {ours}: ask the trainer for one for {ours}")]
    OtherKey {
        /// The key it endorses.
        endorsed: String,
        /// The publisher's fingerprint.
        publisher: String,
        /// The hub's issuer key for that publisher.
        ours: String,
    },
}

/// Registers (or updates) the issuer of the provider whose publisher key is `publisher`: the
/// hub's issuer key for it (made now the first time, kept after), what credentials say of the
/// provider and its status list at `hub_url`; endorsements already held are kept. The
/// publisher must be registered. Audited as `by`.
pub async fn set_up_issuer(
    db: &HubDb,
    publisher: PublicKey,
    profile: Issuer,
    hub_url: &str,
    by: &str,
) -> Result<IssuerRow, HubError> {
    let known = db.issuer_of(publisher).await?;
    let seed = match &known {
        Some(known) => known.seed,
        None => SecretKey::generate()
            .map_err(|e| HubError::Random(e.to_string()))?
            .to_seed(),
    };
    let mut row = IssuerRow {
        id: 0,
        publisher,
        seed,
        profile: serde_json::to_string(&profile).map_err(|e| HubError::Encoding(e.to_string()))?,
        endorsement: known.as_ref().and_then(|k| k.endorsement.clone()),
        endorsement_credential: known.and_then(|k| k.endorsement_credential),
        status_list: String::new(),
    };
    let change = |what: &str| IssuerChange {
        by: by.to_owned(),
        detail: format!("{what} for publisher {}", publisher.fingerprint()),
    };
    // The list is named by the issuer's number, known once the row is stored.
    row.id = db.set_issuer(row.clone(), change("set up issuer")).await?;
    row.status_list = format!(
        "{}{}",
        hub_url.trim_end_matches('/'),
        skillpack_core::protocol::endpoint::status_list(row.id)
    );
    db.set_issuer(row.clone(), change("status list at the hub's URL"))
        .await?;
    Ok(row)
}

/// Sets up the issuer as [`set_up_issuer`] does and endorses its key at once with the
/// publisher's secret key, in both forms (the own format older apps read, and the
/// `EndorsementCredential` credentials carry): for a hub on the trainer's own computer.
pub async fn set_up_endorsed_issuer(
    db: &HubDb,
    publisher: &SecretKey,
    profile: Issuer,
    hub_url: &str,
) -> Result<IssuerRow, HubError> {
    const BY: &str = "skillpack hub issuer --key";
    let name = profile.name.clone();
    let row = set_up_issuer(db, publisher.public_key(), profile, hub_url, BY).await?;
    let issuer_key = SecretKey::from_seed(&row.seed).public_key();
    let own_format = credential::IssuerEndorsement::sign(publisher, &issuer_key)?;
    let signed = credential::endorse(
        publisher,
        &issuer_key,
        Some(&name),
        skillpack_core::random::bytes().map_err(|e| HubError::Random(e.to_string()))?,
        Utc::now(),
        Contexts::bundled(),
    )?;
    let row = IssuerRow {
        endorsement: Some(
            serde_json::to_string(&own_format).map_err(|e| HubError::Encoding(e.to_string()))?,
        ),
        ..row
    };
    db.set_issuer(
        row,
        IssuerChange {
            by: BY.into(),
            detail: "endorsed in the own format with the publisher's key".into(),
        },
    )
    .await?;
    match attach_endorsement(db, &signed, Utc::now(), BY).await? {
        Ok((row, _)) => Ok(row),
        Err(refused) => Err(HubError::Damaged(format!(
            "the endorsement just signed: {refused}"
        ))),
    }
}

/// Takes the provider's endorsement of the hub's issuer key (an `EndorsementCredential`, as
/// `skillpack issuer endorse` writes it), once it verifies on its own at `now`, is signed by
/// a registered publisher with an issuer here, and endorses that issuer's key; kept as
/// received, and embedded in every credential issued after. Audited as `by`.
pub async fn attach_endorsement(
    db: &HubDb,
    endorsement: &Value,
    now: DateTime<Utc>,
    by: &str,
) -> Result<Result<(IssuerRow, CheckedEndorsement), EndorsementRefusal>, HubError> {
    let checked = match credential::check_endorsement(
        endorsement,
        now,
        ENDORSEMENT_CLOCK_TOLERANCE,
        Contexts::bundled(),
    ) {
        Ok(checked) => checked,
        Err(e) => return Ok(Err(EndorsementRefusal::NotValid(e.to_string()))),
    };
    let publisher = checked.publisher;
    if !db.is_publisher(publisher).await? {
        return Ok(Err(EndorsementRefusal::UnknownPublisher(
            publisher.to_did_key(),
        )));
    }
    let Some(mut row) = db.issuer_of(publisher).await? else {
        return Ok(Err(EndorsementRefusal::NoIssuer(
            publisher.fingerprint().to_string(),
        )));
    };
    let ours = SecretKey::from_seed(&row.seed).public_key();
    if checked.issuer != ours {
        return Ok(Err(EndorsementRefusal::OtherKey {
            endorsed: checked.issuer.to_did_key(),
            publisher: publisher.fingerprint().to_string(),
            ours: ours.to_did_key(),
        }));
    }
    row.endorsement_credential =
        Some(serde_json::to_string(endorsement).map_err(|e| HubError::Encoding(e.to_string()))?);
    let detail = format!(
        "endorsement credential {} signed {} by publisher {}",
        endorsement.get("id").and_then(Value::as_str).unwrap_or("?"),
        credential::timestamp(&checked.valid_from),
        publisher.fingerprint()
    );
    db.set_issuer(
        row.clone(),
        IssuerChange {
            by: by.to_owned(),
            detail,
        },
    )
    .await?;
    // The passes that waited for this issuer are earned now. The endorsement is stored
    // whatever becomes of them: a pass not issued now waits for the next sweep.
    match crate::issue::issue_waiting(db).await {
        Ok(issued) => {
            tracing::info!(publisher = %publisher.fingerprint(), issued, "issuer endorsed")
        }
        Err(e) => {
            tracing::warn!(publisher = %publisher.fingerprint(), error = %e, "waiting passes not issued")
        }
    }
    Ok(Ok((row, checked)))
}
