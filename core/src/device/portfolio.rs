//! The worker's own view of what they hold: every kept credential grouped by issuer, each
//! with its kind (learning, milestone, work record, client review), trust, revocation and,
//! for an issuer known by its `did:web`, since when its document is kept; the milestones of
//! the installed pathways with their progress ("1 of 2"); and which credentials a presentation
//! can carry now. The words are the shells' to translate; this gives the facts.

use chrono::Utc;
use serde_json::Value;

use super::Device;
use crate::credential::milestone::{progress, MILESTONE_TAG};
use crate::credential::work_record::{achievement_type, CLIENT_REVIEW, WORK_RECORD};
use crate::store::{HeldCredential, ModuleState, RevocationState};
use crate::Result;

/// What kind of record a credential is, as the portfolio groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
pub enum CredentialKind {
    /// For a module passed.
    Learning,
    /// For a pathway's parts passed.
    Milestone,
    /// A platform's record of work done through it.
    WorkRecord,
    /// A client's review, passed on by a platform.
    ClientReview,
}

/// A credential as the portfolio shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct PortfolioEntry {
    /// The credential's id.
    pub id: String,
    /// What it is for.
    pub achievement: String,
    /// Its kind.
    pub kind: CredentialKind,
    /// Valid from (RFC 3339).
    pub valid_from: String,
    /// Whether it is revoked, as its issuer's signed list last said.
    pub revoked: bool,
    /// When its revocation was last checked (RFC 3339), if ever.
    pub revocation_checked_at: Option<String>,
    /// Whether a presentation can carry it now (the learner's, and not revoked).
    pub presentable: bool,
}

/// The credentials of one issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct IssuerCredentials {
    /// The issuer's id (`did:key`, `did:web`, an address).
    pub issuer: String,
    /// Its name, as its credentials give it.
    pub issuer_name: String,
    /// Whether the phone trusts it, and why not when it does not.
    pub trusted: bool,
    /// For an issuer known by its document (a `did:web`): when the phone read it (RFC 3339);
    /// its credentials verify offline against that copy.
    pub document_read_at: Option<String>,
    /// Its credentials, newest first.
    pub credentials: Vec<PortfolioEntry>,
}

/// How far the learner is towards an installed pathway's milestone.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct MilestoneProgress {
    /// The pathway's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Parts required.
    pub required: u32,
    /// Each part, in the pathway's order, with whether it is passed.
    pub parts: Vec<PartProgress>,
    /// Parts passed.
    pub passed: u32,
    /// The milestone credential, once held.
    pub credential: Option<String>,
}

/// One part of a pathway.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct PartProgress {
    /// The module's id.
    pub module_id: String,
    /// Its title, when the module is installed.
    pub title: Option<String>,
    /// Passed on this phone, or held as a credential.
    pub passed: bool,
}

/// The worker's portfolio.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct Portfolio {
    /// Every kept credential, grouped by issuer (trusted issuers first).
    pub issuers: Vec<IssuerCredentials>,
    /// The installed pathways, with progress.
    pub milestones: Vec<MilestoneProgress>,
}

impl Device {
    /// The learner's portfolio, now.
    pub fn portfolio(&self) -> Result<Portfolio> {
        let held = self.store.credentials()?;
        let mut issuers: Vec<IssuerCredentials> = Vec::new();
        for credential in &held {
            let body = self.store.credential(&credential.id)?;
            let entry = entry(credential, &body);
            match issuers.iter_mut().find(|i| i.issuer == credential.issuer) {
                Some(group) => group.credentials.push(entry),
                None => issuers.push(IssuerCredentials {
                    issuer: credential.issuer.clone(),
                    issuer_name: credential.issuer_name.clone(),
                    trusted: credential.trusted_issuer,
                    document_read_at: self.store.issuer_document_read_at(&credential.issuer)?,
                    credentials: vec![entry],
                }),
            }
        }
        issuers.sort_by_key(|i| !i.trusted);
        let catalog = self.store.catalog(Utc::now())?;
        let mut milestones = Vec::new();
        for pathway_entry in catalog.iter().filter(|e| e.lessons == 0) {
            let module = self.store.module(&pathway_entry.id)?;
            let Some(pathway) = &module.pathway else {
                continue;
            };
            let done: Vec<&str> = held
                .iter()
                .filter(|c| !matches!(c.revocation, RevocationState::Revoked { .. }))
                .filter_map(|c| c.module_id.as_deref())
                .chain(
                    catalog
                        .iter()
                        .filter(|e| e.state == ModuleState::Passed)
                        .map(|e| e.id.as_str()),
                )
                .collect();
            let (passed, _) = progress(pathway, &done);
            milestones.push(MilestoneProgress {
                id: module.id.clone(),
                title: module.title.clone(),
                required: pathway.required,
                parts: pathway
                    .parts
                    .iter()
                    .map(|part| PartProgress {
                        module_id: part.clone(),
                        title: catalog
                            .iter()
                            .find(|e| e.id == *part)
                            .map(|e| e.title.clone()),
                        passed: passed.contains(&part.as_str()),
                    })
                    .collect(),
                passed: passed.len() as u32,
                credential: held
                    .iter()
                    .find(|c| c.module_id.as_deref() == Some(module.id.as_str()))
                    .map(|c| c.id.clone()),
            });
        }
        Ok(Portfolio {
            issuers,
            milestones,
        })
    }
}

/// How the portfolio shows `held`, whose body is `body`.
fn entry(held: &HeldCredential, body: &Value) -> PortfolioEntry {
    let tagged = body
        .pointer("/credentialSubject/achievement/tag")
        .and_then(Value::as_array)
        .is_some_and(|tags| tags.iter().any(|t| t == MILESTONE_TAG));
    let kind = match achievement_type(body) {
        Some(WORK_RECORD) => CredentialKind::WorkRecord,
        Some(CLIENT_REVIEW) => CredentialKind::ClientReview,
        _ if tagged => CredentialKind::Milestone,
        _ => CredentialKind::Learning,
    };
    let (revoked, checked_at) = match &held.revocation {
        RevocationState::Revoked { seen_at, .. } => (true, Some(seen_at.clone())),
        RevocationState::NotRevoked { checked_at } => (false, Some(checked_at.clone())),
        RevocationState::Unknown => (false, None),
    };
    PortfolioEntry {
        id: held.id.clone(),
        achievement: held.achievement.clone(),
        kind,
        valid_from: held.valid_from.clone(),
        revoked,
        revocation_checked_at: checked_at,
        presentable: !revoked,
    }
}
