//! `skillpack device portfolio`: the worker's own view of what they hold, as the phones show
//! it: credentials grouped by issuer (kind, trust, revocation, since when an issuer's document
//! is kept), the milestones of the installed pathways with progress, and what a presentation
//! can carry.

use std::path::Path;
use std::process::ExitCode;

use serde_json::json;
use skillpack_core::device::{CredentialKind, Device, Portfolio};

use super::super::{print_json, CommandResult};

/// Prints the portfolio of the device in `store`.
pub fn run(store: &Path, json: bool) -> CommandResult {
    let portfolio = Device::open(store)?.portfolio()?;
    if json {
        print_json(&as_json(&portfolio))?;
    } else {
        print(&portfolio);
    }
    Ok(ExitCode::SUCCESS)
}

fn kind_name(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::Learning => "learning",
        CredentialKind::Milestone => "milestone",
        CredentialKind::WorkRecord => "work-record",
        CredentialKind::ClientReview => "client-review",
    }
}

fn print(portfolio: &Portfolio) {
    if portfolio.issuers.is_empty() && portfolio.milestones.is_empty() {
        outln!("no credentials yet");
    }
    for group in &portfolio.issuers {
        let trust = if group.trusted {
            "trusted"
        } else {
            "not known to this device"
        };
        outln!("{} ({}), {trust}", group.issuer_name, group.issuer);
        if let Some(at) = &group.document_read_at {
            outln!("  its document kept since {at}: its credentials verify offline");
        }
        for c in &group.credentials {
            let state = if c.revoked {
                "REVOKED".to_owned()
            } else {
                match &c.revocation_checked_at {
                    Some(at) => format!("not revoked (checked {at})"),
                    None => "revocation not checked yet".to_owned(),
                }
            };
            outln!(
                "  - [{}] {} ({}), {state}",
                kind_name(c.kind),
                c.achievement,
                c.id
            );
        }
    }
    for m in &portfolio.milestones {
        let done = if m.credential.is_some() {
            "earned".to_owned()
        } else {
            format!("{} of {}", m.passed.min(m.required), m.required)
        };
        outln!("milestone {} ({}): {done}", m.title, m.id);
        for part in &m.parts {
            outln!(
                "  [{}] {}",
                if part.passed { "x" } else { " " },
                part.title.as_deref().unwrap_or(&part.module_id)
            );
        }
    }
    let presentable = portfolio
        .issuers
        .iter()
        .flat_map(|g| &g.credentials)
        .filter(|c| c.presentable)
        .count();
    outln!("{presentable} credential(s) can go into a presentation (device presentation make)");
}

fn as_json(portfolio: &Portfolio) -> serde_json::Value {
    json!({
        "issuers": portfolio.issuers.iter().map(|g| json!({
            "issuer": g.issuer,
            "issuerName": g.issuer_name,
            "trusted": g.trusted,
            "documentReadAt": g.document_read_at,
            "credentials": g.credentials.iter().map(|c| json!({
                "id": c.id,
                "achievement": c.achievement,
                "kind": kind_name(c.kind),
                "validFrom": c.valid_from,
                "revoked": c.revoked,
                "revocationCheckedAt": c.revocation_checked_at,
                "presentable": c.presentable,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "milestones": portfolio.milestones.iter().map(|m| json!({
            "id": m.id,
            "title": m.title,
            "required": m.required,
            "passed": m.passed,
            "credential": m.credential,
            "parts": m.parts.iter().map(|p| json!({
                "module": p.module_id, "title": p.title, "passed": p.passed
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}
