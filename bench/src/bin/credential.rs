//! What a credential costs to issue and to verify: `eddsa-rdfc-2022` (JSON-LD expansion and
//! RDF canonicalisation, what Open Badges 3.0 asks for) and `eddsa-jcs-2022` (canonical JSON),
//! beside one Ed25519 signature and its check as the baseline of the same run, and the size
//! of its QR payload. `cargo run --release -p skillpack-bench --bin credential`.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[path = "../timing.rs"]
mod timing;

use std::time::Duration;

use skillpack_core::credential::{
    self, add_proof, check_proof, did_key_method, qr, Award, Contexts, Cryptosuite, Issuer,
    ProofOptions, RecordRef,
};
use skillpack_core::keys::SecretKey;
use skillpack_core::module::compile;
use skillpack_core::testing::module_files;
use timing::median;

fn main() {
    let contexts = Contexts::bundled();
    let key = SecretKey::from_seed(&[5; 32]);
    let module = compile(&module_files("bike-check")).module.unwrap().module;
    let issuer = Issuer {
        name: "Salama Riders Trust".into(),
        url: Some("https://salama-riders.example".into()),
        country_code: "KE".into(),
        country: "Kenya".into(),
        region: None,
    };
    let awarded = chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap();
    let award = Award {
        id: "urn:uuid:0b7f9c1e-3d4a-4f3e-9c1d-2a6b8e5f7d10".into(),
        module: &module,
        learner: SecretKey::from_seed(&[3; 32]).public_key().to_did_key(),
        learner_name: None,
        score_percent: 88,
        record: Some(RecordRef {
            id: "01936f4e-2c1a-7b3d-9e8f-0a1b2c3d4e5f".into(),
            hash: skillpack_core::hash::ContentHash::of(b"record"),
        }),
        awarded,
        first_awarded: None,
        valid_until: None,
        status: None,
        assessment: vec![credential::AssessmentType::AutomatedQuiz],
    };
    let now = awarded + chrono::Duration::days(1);
    let trusted = [key.public_key()];
    let rdfc = credential::issue(&issuer, &key, &award, None, contexts).unwrap();
    let unsigned = credential::unsigned_credential(&issuer, &key.public_key(), &award);
    let public = key.public_key();
    let jcs_options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaJcs2022,
        created: credential::timestamp(&awarded),
        verification_method: public.to_verification_method(),
    };
    let jcs = add_proof(&unsigned, &key, &jcs_options, contexts).unwrap();
    let runs = 51;
    let message = [7u8; 64];
    let signature = key.sign(&message);
    let sign = median(runs * 4, || {
        std::hint::black_box(key.sign(&message));
    });
    let check = median(runs * 4, || {
        public.verify(&message, &signature).unwrap();
    });
    let issue_rdfc = median(runs, || {
        std::hint::black_box(credential::issue(&issuer, &key, &award, None, contexts).unwrap());
    });
    let verify_rdfc = median(runs, || {
        credential::verify(&rdfc, &trusted, now, credential::CLOCK_TOLERANCE, contexts).unwrap();
    });
    // The same award from a hub's issuer key, carrying the provider's endorsement (ADR 0006):
    // a second, small RDFC verification and a larger outer document.
    let hub_key = SecretKey::from_seed(&[12; 32]);
    let endorsement = credential::endorse(
        &key,
        &hub_key.public_key(),
        Some("Salama Riders Trust"),
        [5; 16],
        awarded,
        contexts,
    )
    .unwrap();
    let endorsed =
        credential::issue(&issuer, &hub_key, &award, Some(&endorsement), contexts).unwrap();
    let verify_endorsed = median(runs, || {
        let verified = credential::verify(
            &endorsed,
            &trusted,
            now,
            credential::CLOCK_TOLERANCE,
            contexts,
        )
        .unwrap();
        assert!(verified.trusted_issuer);
    });
    let issue_jcs = median(runs, || {
        std::hint::black_box(add_proof(&unsigned, &key, &jcs_options, contexts).unwrap());
    });
    let verify_jcs = median(runs, || {
        check_proof(&jcs, contexts, &did_key_method).unwrap();
    });
    // What the inline ELM context costs: the same example credential signed in the current
    // form and in the old form (placeholder context, bundled), in the same run.
    let rdfc_options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        created: credential::timestamp(&awarded),
        verification_method: public.to_verification_method(),
    };
    let example = |text: &str| {
        let mut value: serde_json::Value = serde_json::from_str(text).unwrap();
        value["issuer"]["id"] = public.to_did_key().into();
        value
    };
    let current_form = example(include_str!(
        "../../../core/src/credential/examples/microcredential-named-ects.json"
    ));
    let old_form = example(include_str!(
        "../../../core/src/credential/examples/old-form-named-ects.json"
    ));
    let sign_current = median(runs, || {
        std::hint::black_box(add_proof(&current_form, &key, &rdfc_options, contexts).unwrap());
    });
    let sign_old = median(runs, || {
        std::hint::black_box(add_proof(&old_form, &key, &rdfc_options, contexts).unwrap());
    });
    // Two alike results with seven alike alignments each: past the budget.
    let poison = skillpack_core::testing::poisoned(&current_form, 7);
    let refuse_poison = median(11, || {
        let refused = credential::rdfc::canonical_nquads(&poison, contexts);
        assert!(matches!(
            refused,
            Err(credential::CredentialError::TooCostly { .. })
        ));
    });
    // A worker's presentation of three credentials (two awards and the endorsed one), signed
    // with the learner key over a client's challenge, then checked as a client's phone does.
    let learner = SecretKey::from_seed(&[3; 32]);
    let second = credential::issue(
        &issuer,
        &key,
        &Award {
            id: "urn:uuid:0b7f9c1e-3d4a-4f3e-9c1d-2a6b8e5f7d11".into(),
            ..award.clone()
        },
        None,
        contexts,
    )
    .unwrap();
    let shown = [rdfc.clone(), second.clone(), endorsed.clone()];
    let asked = credential::PresentationRequest {
        challenge: Some("5f0c2b7e9a1d4c3b8e6f0a2d4b6c8e1f"),
        domain: None,
    };
    let present = median(runs, || {
        std::hint::black_box(credential::present(&learner, &shown, asked, now, contexts).unwrap());
    });
    let presentation = credential::present(&learner, &shown, asked, now, contexts).unwrap();
    let check_presentation = median(runs, || {
        credential::verify_presentation(
            &presentation,
            asked,
            &trusted,
            now,
            credential::CLOCK_TOLERANCE,
            contexts,
            &[],
        )
        .unwrap();
    });
    let four = [rdfc.clone(), second.clone(), endorsed.clone(), jcs.clone()];
    let summary = credential::presentation::summary::summarise(
        &learner,
        &four,
        "5f0c2b7e9a1d4c3b8e6f0a2d4b6c8e1f",
        None,
        now,
    )
    .unwrap();
    let json = skillpack_core::canonical::to_canonical_json(&rdfc).unwrap();
    let payload = qr::to_payload(&rdfc).unwrap();
    let ratio = |d: Duration, base: Duration| d.as_secs_f64() / base.as_secs_f64();
    println!("## Credentials\n");
    println!("| what | median | against one Ed25519 signature or check of the same run |");
    println!("|---|---|---|");
    println!("| one Ed25519 signature / check (baseline) | {sign:.1?} / {check:.1?} | 1 |");
    for (what, took, base) in [
        ("issue a credential, eddsa-rdfc-2022", issue_rdfc, sign),
        (
            "verify it, eddsa-rdfc-2022 (proof, issuer, dates)",
            verify_rdfc,
            check,
        ),
        (
            "verify a hub's credential with the provider's endorsement inside",
            verify_endorsed,
            check,
        ),
        (
            "sign the example, current form (ELM inline context)",
            sign_current,
            sign,
        ),
        (
            "sign the example, old form (placeholder context)",
            sign_old,
            sign,
        ),
        (
            "refuse a poison credential: canonicalisation to the end of its work budget",
            refuse_poison,
            check,
        ),
        ("issue, eddsa-jcs-2022", issue_jcs, sign),
        ("verify its proof, eddsa-jcs-2022", verify_jcs, check),
        (
            "a worker's presentation of three credentials: sign",
            present,
            sign,
        ),
        (
            "check it as a client's phone (the presenter's proof and each credential)",
            check_presentation,
            check,
        ),
    ] {
        println!("| {what} | {took:.2?} | {:.0} |", ratio(took, base));
    }
    println!(
        "\nThe credential: {} bytes of canonical JSON; its QR payload {} characters ({}).",
        json.len(),
        payload.len(),
        qr_versions(&payload)
    );
    println!(
        "A presentation's summary for one QR code, four credentials: {} characters ({}).",
        summary.len(),
        qr_versions(&summary)
    );
    // The demo's credential as the hub issued it (ELM inline context, evidence, status), in the
    // first QR format (written by the zstd tool, core's fixture) and in the current one.
    let demo: serde_json::Value = serde_json::from_str(include_str!(
        "../../../core/src/credential/examples/sp1-credential.json"
    ))
    .unwrap();
    let sp1 = include_str!("../../../core/src/credential/examples/sp1-payload.txt").trim();
    let current = qr::to_payload(&demo).unwrap();
    println!(
        "The demo's credential: {} bytes of canonical JSON; SP1 {} characters ({}); now {} \
         characters ({}).",
        skillpack_core::canonical::to_canonical_json(&demo)
            .unwrap()
            .len(),
        sp1.len(),
        qr_versions(sp1),
        current.len(),
        qr_versions(&current)
    );
    let endorsed_payload = qr::to_payload(&endorsed).unwrap();
    println!(
        "An award from a hub's key with the provider's endorsement inside: {} bytes of \
         canonical JSON; its QR payload {} characters ({}).",
        skillpack_core::canonical::to_canonical_json(&endorsed)
            .unwrap()
            .len(),
        endorsed_payload.len(),
        qr_versions(&endorsed_payload)
    );
}

/// The smallest QR version that holds `payload` at error correction M and at Q.
fn qr_versions(payload: &str) -> String {
    use qrcode::{EcLevel, QrCode};
    let version = |level| match QrCode::with_error_correction_level(payload, level) {
        Ok(code) => match code.version() {
            qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v.to_string(),
        },
        Err(_) => "none".into(),
    };
    format!(
        "version {} at M, {} at Q",
        version(EcLevel::M),
        version(EcLevel::Q)
    )
}
