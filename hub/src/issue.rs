//! Issuing credentials for passing results. When the hub takes a passing record, the
//! provider whose pack holds the module (its publisher) awards the learner an Open Badges 3.0
//! credential, signed with the issuer key the hub holds for that provider, naming the record
//! as its evidence and a bit of the provider's status list for revocation. A provider without
//! an issuer set up (`skillpack hub issuer`) awards nothing yet; its learners' passes get
//! their credentials once it has one. Also here: a learner's credentials as their devices take
//! them, the reasons for those revoked, each provider's status list credential, and the same
//! award issued again to a learner's wallet through an exchange (`crate::exchange`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use skillpack_core::credential::status::{status_list_credential, STATUS_LIST_BITS};
use skillpack_core::credential::{
    self, AssessmentType, Award, Contexts, Issuer, RecordRef, StatusEntry,
};
use skillpack_core::hash::ContentHash;
use skillpack_core::keys::SecretKey;
use skillpack_core::ledger::SignedRecord;
use skillpack_core::module::Module;
use skillpack_core::protocol::{
    CredentialsResponse, IssuedCredential, RevocationNotice, RevocationsResponse,
    MAX_CREDENTIALS_PER_ANSWER, MAX_REVOCATIONS_PER_ANSWER, MAX_REVOCATION_REASON_CHARS,
};

use crate::error::HubError;
use crate::storage::{
    random_bytes, CredentialInsert, ExchangeCompletion, ExchangeRow, HubDb, IssuerRow,
    NewCredential, PackModule, UnissuedPass, WalletCopy,
};

/// Most of one learner's waiting passes one sweep looks at ([`issue_waiting`]).
const SWEEP_BATCH: u32 = 5_000;

/// Draws of a status bit before giving up on a credential (a list of 131,072 bits is
/// nowhere near full: a second draw is already rare).
pub(crate) const STATUS_DRAWS: usize = 8;

/// A pass a push just stored: the row the store keeps, and the pack and module it is for.
#[derive(Debug, Clone)]
pub struct NewPass {
    /// The stored record, as [`HubDb::unissued_passes`] would give it.
    pub pass: UnissuedPass,
    /// The pack the record was taken in.
    pub pack: [u8; 32],
    /// The module it passed.
    pub module: String,
}

/// What became of one pass.
enum Outcome {
    /// A credential was issued for it.
    Issued,
    /// An earlier credential of the same achievement covers it.
    Covered,
    /// Its provider cannot issue yet (no endorsed issuer, or the hub lacks the pack): it
    /// waits for [`issue_waiting`].
    Waiting,
}

/// Issues for the passes one push of `learner`'s just stored, and the milestones they
/// complete; gives how many credentials were issued. A module whose provider cannot issue
/// yet is looked up once per push, not once per pass (a push carries a hundred records of a
/// module or two): its passes wait, and [`issue_waiting`] issues them once it can. Nothing
/// else of the learner's is looked at, so a push costs the same however many passes wait.
pub async fn issue_new_passes(db: &HubDb, learner: &str, passes: &[NewPass]) -> usize {
    let mut modules: Vec<([u8; 32], &str)> = Vec::new();
    let mut waiting: Vec<([u8; 32], &str)> = Vec::new();
    let mut issued = 0;
    for new in passes {
        let module = (new.pack, new.module.as_str());
        if !modules.contains(&module) {
            modules.push(module);
        }
        if waiting.contains(&module) {
            continue;
        }
        match issue_for(db, learner, &new.pass).await {
            Ok(Outcome::Issued) => issued += 1,
            Ok(Outcome::Covered) => {}
            Ok(Outcome::Waiting) => waiting.push(module),
            Err(e) => tracing::warn!(record = %new.pass.record_id, error = %e, "not issued"),
        }
    }
    for (pack, module) in modules {
        issued += milestones_of(db, learner, pack, module).await;
    }
    issued
}

/// Issues what every learner's waiting passes earn now; gives how many credentials were
/// issued. Run when a provider's issuer is endorsed and when a pack is published, the two
/// things a waiting pass waits for.
pub async fn issue_waiting(db: &HubDb) -> Result<usize, HubError> {
    let mut issued = 0;
    for learner in db.learners_with_unissued_passes().await? {
        // One learner's failure is logged; the others are still issued for.
        match issue_pending(db, &learner, SWEEP_BATCH).await {
            Ok(n) => issued += n,
            Err(e) => tracing::warn!(%learner, error = %e, "waiting passes not issued"),
        }
    }
    Ok(issued)
}

/// Issues a credential for each of up to `limit` of `learner`'s passing records that have
/// none, where the module's provider has an issuer, and the milestones they complete; gives
/// how many were issued. A record that cannot be issued for now is left for later.
async fn issue_pending(db: &HubDb, learner: &str, limit: u32) -> Result<usize, HubError> {
    let mut issued = 0;
    for pass in db.unissued_passes(learner, limit).await? {
        match issue_for(db, learner, &pass).await {
            Ok(Outcome::Issued) => {
                issued += 1;
                issued += milestones_after(db, learner, &pass).await;
            }
            // Covered or waiting: a milestone that could not be issued then is tried again.
            Ok(Outcome::Covered | Outcome::Waiting) => {
                issued += milestones_after(db, learner, &pass).await;
            }
            Err(e) => tracing::warn!(record = %pass.record_id, error = %e, "not issued"),
        }
    }
    Ok(issued)
}

/// The milestones the pass `pass` completes, issued (`crate::milestones`); how many. One
/// that cannot be issued now is logged: the pass's own credential stands.
async fn milestones_after(db: &HubDb, learner: &str, pass: &UnissuedPass) -> usize {
    let record = match serde_json::from_str::<SignedRecord>(&pass.body) {
        Ok(signed) => signed.record,
        Err(e) => {
            tracing::warn!(record = %pass.record_id, error = %e, "a stored record does not read");
            return 0;
        }
    };
    milestones_of(db, learner, record.pack.hash.0, &record.module).await
}

/// The milestones a pass of `module` in `pack` completes for `learner`, issued; how many.
async fn milestones_of(db: &HubDb, learner: &str, pack: [u8; 32], module: &str) -> usize {
    match crate::milestones::issue_completed(db, learner, pack, module).await {
        Ok(issued) => issued,
        Err(e) => {
            tracing::warn!(%module, error = %e, "milestone not issued");
            0
        }
    }
}

/// The learner's credential numbered `number`, as issued, if the hub issued it to them.
pub async fn credential_of(
    db: &HubDb,
    learner: &str,
    number: u64,
) -> Result<Option<serde_json::Value>, HubError> {
    let Some(before) = number.checked_sub(1) else {
        return Ok(None);
    };
    let rows = db.credentials_after(learner, before, 1).await?;
    match rows.into_iter().next() {
        Some(row) if row.number == number => {
            Ok(Some(serde_json::from_str(&row.body).map_err(|e| {
                HubError::Damaged(format!("a stored credential: {e}"))
            })?))
        }
        _ => Ok(None),
    }
}

/// The learner's credentials numbered after `after` (as many as one answer carries), with
/// the endorsements of the keys that signed them, for the learner's bound device.
pub async fn credentials_after(
    db: &HubDb,
    learner: &str,
    after: u64,
) -> Result<CredentialsResponse, HubError> {
    let limit = u32::try_from(MAX_CREDENTIALS_PER_ANSWER).unwrap_or(u32::MAX);
    let mut rows = db.credentials_after(learner, after, limit + 1).await?;
    let more = rows.len() > MAX_CREDENTIALS_PER_ANSWER;
    rows.truncate(MAX_CREDENTIALS_PER_ANSWER);
    let damaged = |e: serde_json::Error| HubError::Damaged(format!("a stored credential: {e}"));
    let mut endorsements = Vec::new();
    let mut issuers = Vec::new();
    let mut credentials = Vec::with_capacity(rows.len());
    for row in rows {
        let credential = serde_json::from_str(&row.body).map_err(damaged)?;
        credentials.push(IssuedCredential {
            number: row.number,
            credential,
        });
        if issuers.contains(&row.issuer) {
            continue;
        }
        issuers.push(row.issuer);
        // Older apps learn the issuer key's endorsement here, in the own format; newer ones
        // find it inside each credential.
        if let Some(own_format) = db.issuer(row.issuer).await?.and_then(|i| i.endorsement) {
            endorsements.push(serde_json::from_str(&own_format).map_err(damaged)?);
        }
    }
    Ok(CredentialsResponse {
        credentials,
        endorsements,
        more,
    })
}

/// Issues for one pass: [`Outcome::Issued`], or [`Outcome::Covered`] when the learner
/// already holds the credential for that achievement, or [`Outcome::Waiting`] when its
/// provider has no endorsed issuer or the module is not known.
async fn issue_for(db: &HubDb, learner: &str, pass: &UnissuedPass) -> Result<Outcome, HubError> {
    let Some(terms) = pass_terms(db, pass, None).await? else {
        return Ok(Outcome::Waiting);
    };
    // A learner holds one credential per achievement: a second pass of the module (another
    // attempt, another device) is covered by the first's, which the store decides.
    let issuer_key = SecretKey::from_seed(&terms.issuer.seed).public_key();
    let achievement = credential::achievement_id(&issuer_key, &terms.module);
    for _ in 0..STATUS_DRAWS {
        let status_index = draw_status_index()?;
        let award = terms.award(learner, status_index)?;
        let id = award.id.clone();
        let body = sign_award(&terms.issuer, Arc::clone(&terms.module), award).await?;
        let stored = db
            .add_credential(NewCredential {
                id,
                record_id: Some(pass.record_id.clone()),
                learner: learner.to_owned(),
                issuer: terms.issuer.id,
                status_index,
                body,
                achievement: achievement.clone(),
            })
            .await?;
        match stored {
            CredentialInsert::Stored(_) => return Ok(Outcome::Issued),
            CredentialInsert::RecordTaken | CredentialInsert::AchievementHeld(_) => {
                return Ok(Outcome::Covered)
            }
            CredentialInsert::IndexTaken => {}
        }
    }
    Err(HubError::Encoding(
        "no free bit in the issuer's status list".into(),
    ))
}

/// Issues the credential an exchange hands on again, to the wallet whose DID authenticated:
/// the same achievement, evidence and issuer as the learner's, the wallet's DID as its
/// subject and a status bit of its own; stored as the exchange `id` completes. Gives the
/// credential, or why the exchange could not complete (used, expired, revoked meanwhile).
pub async fn issue_to_wallet(
    db: &HubDb,
    id: &str,
    exchange: &ExchangeRow,
    wallet: &str,
) -> Result<Result<serde_json::Value, ExchangeCompletion>, HubError> {
    let damaged = || HubError::Damaged(format!("credential {}", exchange.credential_id));
    let record = exchange.record_id.as_deref().ok_or_else(damaged)?;
    let pass = db.stored_record(record).await?.ok_or_else(damaged)?;
    let terms = pass_terms(db, &pass, Some(exchange.issuer))
        .await?
        .ok_or_else(damaged)?;
    // The wallet's copy states when the award was first made, as the learner's does.
    let original = credential_of(db, &exchange.learner, exchange.credential)
        .await?
        .ok_or_else(damaged)?;
    let first_awarded = original
        .get("awardedDate")
        .and_then(serde_json::Value::as_str)
        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
        .map(|d| d.with_timezone(&Utc))
        .ok_or_else(damaged)?;
    for _ in 0..STATUS_DRAWS {
        let status_index = draw_status_index()?;
        let mut award = terms.award(wallet, status_index)?;
        award.first_awarded = Some(first_awarded);
        let credential_id = award.id.clone();
        let body = sign_award(&terms.issuer, Arc::clone(&terms.module), award).await?;
        let copy = WalletCopy {
            exchange: id.to_owned(),
            id: credential_id,
            wallet: wallet.to_owned(),
            status_index,
            body: body.clone(),
        };
        match db.complete_exchange(copy).await? {
            ExchangeCompletion::Issued(_) => {
                return serde_json::from_str(&body)
                    .map(Ok)
                    .map_err(|e| HubError::Encoding(e.to_string()))
            }
            ExchangeCompletion::IndexTaken => {}
            refused => return Ok(Err(refused)),
        }
    }
    Err(HubError::Encoding(
        "no free bit in the issuer's status list".into(),
    ))
}

/// What a credential for a pass states, whoever it is for: the module and the issuer, the
/// score, the record as evidence and the types of assessment.
struct PassTerms {
    issuer: IssuerRow,
    module: Arc<Module>,
    score_percent: u32,
    record: RecordRef,
    assessment: Vec<AssessmentType>,
}

/// The terms of a credential for `pass`, signed by issuer number `issuer`, or by the
/// issuer of the module's provider when `None`; `None` when the module is not known or the
/// issuer is not there.
async fn pass_terms(
    db: &HubDb,
    pass: &UnissuedPass,
    issuer: Option<u64>,
) -> Result<Option<PassTerms>, HubError> {
    let signed: SignedRecord =
        serde_json::from_str(&pass.body).map_err(|e| HubError::Damaged(e.to_string()))?;
    let record = signed.record;
    let Some(PackModule { publisher, module }) =
        db.pack_module(record.pack.hash.0, &record.module).await?
    else {
        return Ok(None);
    };
    // A pathway is earned by its parts (`crate::milestones`), never by a record of its own.
    if module.pathway.is_some() {
        return Ok(None);
    }
    let issuer = match issuer {
        Some(id) => db.issuer(id).await?,
        None => db.issuer_of(publisher).await?,
    };
    // An issuer the provider has not endorsed yet issues nothing: the pass waits for it.
    let Some(issuer) = issuer.filter(IssuerRow::is_endorsed) else {
        return Ok(None);
    };
    let mut assessment = vec![AssessmentType::AutomatedQuiz];
    if !record.attestations.is_empty() {
        assessment.push(AssessmentType::PracticalObserved);
    }
    Ok(Some(PassTerms {
        score_percent: record.percent(),
        record: RecordRef {
            id: pass.record_id.clone(),
            hash: ContentHash(pass.hash),
        },
        issuer,
        module: Arc::new(module),
        assessment,
    }))
}

impl PassTerms {
    /// The award to `subject` (a learner's or a wallet's DID) with status bit `status_index`
    /// and a new random id.
    fn award(&self, subject: &str, status_index: u64) -> Result<OwnedAward, HubError> {
        Ok(OwnedAward {
            id: format!("urn:uuid:{}", uuid_v4()?),
            first_awarded: None,
            learner: subject.to_owned(),
            score_percent: self.score_percent,
            record: self.record.clone(),
            status: StatusEntry {
                list: self.issuer.status_list.clone(),
                index: status_index,
            },
            assessment: self.assessment.clone(),
        })
    }
}

/// A random bit of a status list: numbers then say nothing of the order of issue.
pub(crate) fn draw_status_index() -> Result<u64, HubError> {
    Ok(u64::from_le_bytes(random_bytes()?) % STATUS_LIST_BITS)
}

/// What a credential for a pass states besides its module and issuer.
struct OwnedAward {
    id: String,
    /// When the award was first made, for a copy issued again; `None` for a new award.
    first_awarded: Option<chrono::DateTime<Utc>>,
    learner: String,
    score_percent: u32,
    record: RecordRef,
    status: StatusEntry,
    assessment: Vec<AssessmentType>,
}

/// Signs an award now with the issuer's key, off the async threads (canonicalisation takes
/// milliseconds); gives the credential's JSON.
async fn sign_award(
    issuer: &IssuerRow,
    module: Arc<Module>,
    owned: OwnedAward,
) -> Result<String, HubError> {
    let profile = issuer_profile(issuer)?;
    let key = SecretKey::from_seed(&issuer.seed);
    let endorsement = issuer_endorsement(issuer)?;
    let credential = tokio::task::spawn_blocking(move || {
        let award = Award {
            id: owned.id,
            module: &module,
            learner: owned.learner,
            learner_name: None,
            score_percent: owned.score_percent,
            record: Some(owned.record),
            awarded: Utc::now(),
            first_awarded: owned.first_awarded,
            valid_until: None,
            status: Some(owned.status),
            assessment: owned.assessment,
        };
        credential::issue(
            &profile,
            &key,
            &award,
            endorsement.as_ref(),
            Contexts::bundled(),
        )
    })
    .await??;
    serde_json::to_string(&credential).map_err(|e| HubError::Encoding(e.to_string()))
}

/// The learner's revoked credentials with the reasons given, the most recently revoked first,
/// as many as one answer carries, each reason one line of at most
/// [`MAX_REVOCATION_REASON_CHARS`] characters; for the learner's bound device. Words to show
/// only: the device takes a credential as revoked from its issuer's signed list alone.
pub async fn revocations_of(db: &HubDb, learner: &str) -> Result<RevocationsResponse, HubError> {
    let mut revoked: Vec<_> = db
        .issued_credentials(Some(learner))
        .await?
        .into_iter()
        .filter_map(|c| Some((c.revoked_at?, c.number, c.id, c.revoked_why)))
        .collect();
    revoked.sort_unstable_by(|a, b| (&b.0, b.1).cmp(&(&a.0, a.1)));
    revoked.truncate(MAX_REVOCATIONS_PER_ANSWER);
    Ok(RevocationsResponse {
        revocations: revoked
            .into_iter()
            .map(|(revoked_at, _, id, why)| RevocationNotice {
                id,
                reason: skillpack_core::name::visible_text(
                    why.as_deref().unwrap_or(""),
                    MAX_REVOCATION_REASON_CHARS,
                ),
                revoked_at,
            })
            .collect(),
    })
}

/// The provider's endorsement of `issuer`'s key, as credentials embed it, if it has one.
pub(crate) fn issuer_endorsement(
    issuer: &IssuerRow,
) -> Result<Option<serde_json::Value>, HubError> {
    issuer
        .endorsement_credential
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| HubError::Damaged(format!("an issuer's endorsement: {e}")))
}

/// The provider as credentials name it, from the stored profile.
pub(crate) fn issuer_profile(issuer: &IssuerRow) -> Result<Issuer, HubError> {
    serde_json::from_str(&issuer.profile).map_err(|e| HubError::Damaged(e.to_string()))
}

/// A random (version 4) UUID.
pub(crate) fn uuid_v4() -> Result<uuid::Uuid, HubError> {
    Ok(uuid::Builder::from_random_bytes(random_bytes()?).into_uuid())
}

/// Each issuer's signed status list, kept while its revoked bits stay the same: signing one
/// takes milliseconds, and anyone may ask for it.
#[derive(Clone, Default)]
pub struct StatusLists {
    signed: Arc<Mutex<HashMap<u64, SignedList>>>,
}

/// A signed list, the revoked bits it was signed with and when it was signed.
type SignedList = (Vec<u64>, Arc<Vec<u8>>, chrono::DateTime<Utc>);

/// A list is signed again once it is this old, long before its `validUntil`
/// (`STATUS_LIST_LIFETIME`), so what verifiers fetch is always fresh.
const RESIGN_AFTER: chrono::Duration = chrono::Duration::hours(1);

impl StatusLists {
    /// Issuer `id`'s status list credential (JSON), or `None` when there is no such issuer.
    pub async fn get(&self, db: &HubDb, id: u64) -> Result<Option<Arc<Vec<u8>>>, HubError> {
        let Some(issuer) = db.issuer(id).await? else {
            return Ok(None);
        };
        let mut revoked = db.revoked_indexes(id).await?;
        revoked.sort_unstable();
        let now = Utc::now();
        if let Some((bits, body, signed_at)) = self.lock().get(&id) {
            if *bits == revoked && now - *signed_at < RESIGN_AFTER {
                return Ok(Some(Arc::clone(body)));
            }
        }
        let profile = issuer_profile(&issuer)?;
        let key = SecretKey::from_seed(&issuer.seed);
        let url = issuer.status_list.clone();
        let bits = revoked.clone();
        let list = tokio::task::spawn_blocking(move || {
            status_list_credential(&profile, &key, &url, &bits, now, Contexts::bundled())
        })
        .await??;
        let body =
            Arc::new(serde_json::to_vec(&list).map_err(|e| HubError::Encoding(e.to_string()))?);
        self.lock().insert(id, (revoked, Arc::clone(&body), now));
        Ok(Some(body))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, SignedList>> {
        self.signed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
