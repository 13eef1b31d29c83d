//! The learner's credential, the end of the journey: the hub issued it when it took the
//! passing result, the phone took it at the same sync and verified it. The demo hands it out
//! as a verifier would receive it (a JSON file, and a PNG of its QR code with the credential
//! baked in as Open Badges bakes it), reads both back from the image, verifies them offline
//! as any verifier would, and checks the provider's revocation list while the hub is up.

use std::path::Path;

use anyhow::{bail, Context};
use serde_json::Value;
use skillpack_core::credential::{self, qr};
use skillpack_core::device::Device;
use skillpack_core::sync::RevocationStatus;

use super::{say, Steps};
use crate::commands::credential::{qr_png, read_qr};

/// Writes the learner's credential for `module` to `dir` as `credential.json` and
/// `credential.png`, and checks both as a verifier would.
pub fn hand_out(
    steps: &mut Steps,
    device: &Device,
    module: &str,
    dir: &Path,
) -> anyhow::Result<()> {
    steps.next("The learner's credential: an Open Badges 3.0 credential on the phone");
    let held = device.credentials()?;
    let Some(one) = held.iter().find(|c| c.module_id.as_deref() == Some(module)) else {
        bail!("the phone holds no credential for {module} after the sync");
    };
    say(format!(
        "issued by {} ({}), taken at the sync and verified on the phone",
        one.issuer_name,
        if one.trusted_issuer {
            "an issuer the phone trusts: the trainer's key endorsed it"
        } else {
            "an issuer the phone does not know"
        }
    ));
    let credential = device.credential(&one.id)?;
    say(format!("it states: {}", elements(&credential)));

    let json_path = dir.join("credential.json");
    let text = serde_json::to_string_pretty(&credential)?;
    std::fs::write(&json_path, &text)
        .with_context(|| format!("writing {}", json_path.display()))?;
    let png_path = dir.join("credential.png");
    let (code, version, level) = qr_png(&credential)?;
    let baked = device.credential_baked(&one.id, &code)?;
    std::fs::write(&png_path, &baked).with_context(|| format!("writing {}", png_path.display()))?;
    say(format!(
        "handed out as {} ({} bytes) and as one picture, {}: its QR code (version {version}, \
         error correction {level}, {} characters) with the credential baked in, as Open \
         Badges platforms import it",
        json_path.display(),
        text.len(),
        png_path.display(),
        qr::to_payload(&credential)?.len()
    ));

    let scanned = read_qr(&png_path)?;
    if qr::from_payload(&scanned)? != credential {
        bail!("the QR code read back from the image is not the credential");
    }
    if credential::baked::unbake(&std::fs::read(&png_path)?)? != credential {
        bail!("the credential baked into the image is not the credential");
    }
    let from_file = device.verify_credential(&text, false)?;
    let from_qr = device.verify_credential(&scanned, false)?;
    for check in [&from_file, &from_qr] {
        if let Some(problem) = &check.problem {
            bail!("the credential does not verify: {problem}");
        }
    }
    say(format!(
        "verified offline from the file and from the QR code read back from the PNG: valid, \
         for {}, from {}",
        from_file.learner, from_file.issuer
    ));
    let online = device.verify_credential(&text, true)?;
    match (&online.problem, &online.revocation) {
        (Some(problem), _) => bail!("the credential failed its revocation check: {problem}"),
        (None, RevocationStatus::NotRevoked) => {
            say("the provider's revocation list, read from the hub: not revoked")
        }
        (None, RevocationStatus::NotChecked { why }) => {
            say(format!("revocation not checked: {why}"))
        }
    }
    say(format!(
        "anyone can check it: skillpack credential verify {json} (or {png}, or --qr {png})",
        json = json_path.display(),
        png = png_path.display()
    ));
    Ok(())
}

/// The micro-credential elements the credential states, in a line, in the EU's words (the
/// European Learning Model's codes as the credential's inline context names them).
fn elements(credential: &Value) -> String {
    let achievement = &credential["credentialSubject"]["achievement"];
    let text = |v: &Value| v.as_str().unwrap_or("?").to_owned();
    let list = |v: &Value, field: &str| {
        v.as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|item| text(if field.is_empty() { item } else { &item[field] }))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|| "none".into())
    };
    let outcomes = achievement["criteria"]["narrative"]
        .as_str()
        .map_or(0, |n| n.lines().filter(|l| l.starts_with("- ")).count());
    format!(
        "\"{}\" by {} ({}), volume of learning {}, {} learning outcomes, assessed by {}, \
         mode {}, quality assured: {}",
        text(&achievement["name"]),
        text(&credential["issuer"]["name"]),
        text(&credential["issuer"]["address"]["addressCountry"]),
        text(&achievement["volumeOfLearning"]),
        outcomes,
        list(&achievement["provenBy"], "dcType"),
        list(&achievement["mode"], ""),
        if achievement.get("additionalNote").is_some() {
            "yes"
        } else {
            "no"
        }
    )
}
