//! Taking records in, whichever way they came: pushed by their device, or carried in a relay
//! bundle by a trainer. The rule is core's (`ledger::admit`: signed by the device, about its
//! learner, verifying); this file runs it off the async threads and hands what passed to
//! storage, which keeps each record once and flags gaps and forks.

use std::sync::OnceLock;

use skillpack_core::keys::PublicKey;
use skillpack_core::ledger::{
    admit, Admitted, DeviceBinding, LedgerError, RelayBundle, SignedRecord,
};
use skillpack_core::protocol::{RecordResult, RecordStatus};

use tokio::sync::Semaphore;

use crate::error::HubError;
use crate::issue::{issue_new_passes, NewPass};
use crate::storage::{DeviceJoin, HubDb, RegisterRefusal, UnissuedPass};

/// [`admit`] on the blocking pool, at most one batch per core at a time. Without the bound, a
/// hundred concurrent pushes verify on a hundred threads that share the cores with the one
/// thread that writes, and the writer, which every push waits for, gets a sliver.
pub async fn check_records_async(
    records: Vec<SignedRecord>,
    device: String,
    learner: String,
) -> Result<Admitted, HubError> {
    static VERIFIERS: OnceLock<Semaphore> = OnceLock::new();
    let verifiers = VERIFIERS.get_or_init(|| {
        Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from))
    });
    let _permit = verifiers
        .acquire()
        .await
        .map_err(|e| HubError::Task(e.to_string()))?;
    Ok(tokio::task::spawn_blocking(move || admit(records, &device, &learner)).await?)
}

/// Admits a device's records and stores those that pass: one result per record, the stored
/// ones (in chain order) first, then the refused ones with their reason as the note. Then
/// issues the credentials the passes stored now earned ([`issue_new_passes`]); a credential
/// that cannot be issued now never fails the records, which are stored.
pub async fn take_records(
    db: &HubDb,
    device: PublicKey,
    learner: String,
    records: Vec<SignedRecord>,
) -> Result<Vec<RecordResult>, HubError> {
    let admitted = check_records_async(records, device.to_did_key(), learner.clone()).await?;
    let passes: Vec<NewPass> = admitted
        .verified
        .iter()
        .filter(|r| r.signed.record.passed)
        .map(|r| NewPass {
            pass: UnissuedPass {
                record_id: r.signed.record.id.clone(),
                hash: r.hash.0,
                body: r.canonical.clone(),
            },
            pack: r.signed.record.pack.hash.0,
            module: r.signed.record.module.clone(),
        })
        .collect();
    let mut results = db.ingest(device, admitted.verified).await?;
    // Those stored now, and those the hub had: a push answered before its credentials were
    // issued (the hub stopped, the client went) comes again as duplicates, and its passes
    // are tried again; one already issued for is covered at once.
    let stored: std::collections::HashSet<&str> = results
        .iter()
        .filter(|r| r.status != RecordStatus::Rejected)
        .map(|r| r.id.as_str())
        .collect();
    let new: Vec<NewPass> = passes
        .into_iter()
        .filter(|p| stored.contains(p.pass.record_id.as_str()))
        .collect();
    issue_new_passes(db, &learner, &new).await;
    results.extend(admitted.refused.into_iter().map(|r| RecordResult {
        id: r.id,
        status: RecordStatus::Rejected,
        note: Some(r.reason.to_string()),
    }));
    Ok(results)
}

/// Why a device was not taken in, online or from a relay bundle. Each has the stable code a
/// client or an operator acts on ([`JoinRefusal::code`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JoinRefusal {
    /// No binding, or one the learner's key did not sign for this device.
    #[error("the learner's key did not bind this device: {0}")]
    BadBinding(String),
    /// A relay bundle's enrolment is not the device's own signed statement.
    #[error("the enrolment is not this device's own: {0}")]
    BadEnrolment(String),
    /// The code does not exist, ran out of uses or expired.
    #[error("the enrolment code is unknown, used up or expired; ask the trainer for a new one")]
    BadCode,
    /// The device is registered for another learner.
    #[error("this device is registered for another learner")]
    OtherLearner,
    /// The hub does not know the device and it brought no enrolment.
    #[error("the hub does not know this device and the bundle carries no enrolment code: enrol the device (`skillpack device enrol`) and export again")]
    UnknownDevice,
    /// The device named is not a key.
    #[error("the device is not a did:key")]
    NotADevice,
    /// A trainer or operator retired the device (lost, or held by someone else).
    #[error("this device was retired ({0}): nothing more is taken from it")]
    Retired(String),
}

impl JoinRefusal {
    /// The stable code of this refusal (as in docs/protocol.md).
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadBinding(_) => "bad_binding",
            Self::BadEnrolment(_) => "bad_enrolment",
            Self::BadCode => "bad_enrolment_code",
            Self::OtherLearner => "other_learner",
            Self::UnknownDevice => "unknown_device",
            Self::NotADevice => "bad_device",
            Self::Retired(_) => "device_retired",
        }
    }
}

impl From<RegisterRefusal> for JoinRefusal {
    fn from(refusal: RegisterRefusal) -> Self {
        match refusal {
            RegisterRefusal::BadCode => Self::BadCode,
            RegisterRefusal::OtherLearner => Self::OtherLearner,
            RegisterRefusal::UnknownDevice => Self::UnknownDevice,
        }
    }
}

/// The stable code of a relay bundle refused on reading ([`RelayBundle::parse`]).
pub fn bundle_refusal_code(error: &LedgerError) -> &'static str {
    match error {
        LedgerError::BindingMismatch(_) | LedgerError::BadBinding => "bad_binding",
        LedgerError::BadEnrolment => "bad_enrolment",
        LedgerError::OtherDevice { .. } => "other_device",
        _ => "bad_bundle",
    }
}

/// Takes `device` in for `learner` once the learner's `binding` of it checks out: the one
/// rule for a device registering online and for one arriving in a relay bundle. A device the
/// hub does not know needs an enrolment `code`. Gives the device's group.
pub async fn join(
    db: &HubDb,
    device: PublicKey,
    learner: String,
    binding: Option<&DeviceBinding>,
    code: Option<String>,
) -> Result<Result<String, JoinRefusal>, HubError> {
    let Some(binding) = binding else {
        return Ok(Err(JoinRefusal::BadBinding(
            "the request carries no binding: update the app".into(),
        )));
    };
    if let Err(e) = binding.check(&device.to_did_key(), &learner) {
        return Ok(Err(JoinRefusal::BadBinding(e.to_string())));
    }
    if let Some(why) = db.device(device).await?.and_then(|known| known.retired) {
        return Ok(Err(JoinRefusal::Retired(why)));
    }
    let binding = serde_json::to_string(binding).map_err(|e| HubError::Encoding(e.to_string()))?;
    let join = DeviceJoin {
        device,
        learner,
        binding,
        code,
    };
    Ok(db.register_device(join).await?.map_err(JoinRefusal::from))
}

/// Imports a bundle a trainer carried. Its device is taken in as a registration would take
/// it (the learner's binding, and the device's signed enrolment when the hub does not know
/// it yet), then each record is checked and stored once. One result per record, or why the
/// bundle was refused as a whole (nothing of it is stored then).
pub async fn import_relay(
    db: &HubDb,
    bundle: RelayBundle,
) -> Result<Result<Vec<RecordResult>, JoinRefusal>, HubError> {
    let Ok(device) = PublicKey::parse(&bundle.device) else {
        return Ok(Err(JoinRefusal::NotADevice));
    };
    let code = match &bundle.enrolment {
        Some(enrolment) => match enrolment.check(&bundle.device, &bundle.learner) {
            Ok(()) => Some(enrolment.code.clone()),
            Err(e) => return Ok(Err(JoinRefusal::BadEnrolment(e.to_string()))),
        },
        None => None,
    };
    let joined = join(
        db,
        device,
        bundle.learner.clone(),
        Some(&bundle.binding),
        code,
    )
    .await?;
    if let Err(refusal) = joined {
        return Ok(Err(refusal));
    }
    // The learner's chosen name, under the one rule for display names; one that breaks it
    // is not kept and refuses nothing.
    if let Some(name) = bundle.name.as_deref() {
        if let Ok(name) = skillpack_core::name::display_name(name) {
            db.set_learner_name(&bundle.learner, Some(name)).await?;
        }
    }
    let results = take_records(db, device, bundle.learner, bundle.records).await?;
    Ok(Ok(results))
}
