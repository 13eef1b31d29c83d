//! Feeds arbitrary bytes to a verifier as a credential file: parsed as JSON (each key once,
//! bounded), verified as any verifier would (proof, issuer, dates, canonicalisation under its
//! work budget), and written as a QR payload. Any input must give a result or an error,
//! never a panic, a hang or a huge allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skillpack_core::credential::{self, json, qr, Contexts, CLOCK_TOLERANCE};

fuzz_target!(|data: &[u8]| {
    let Ok(document) = json::parse(data) else {
        return;
    };
    let now = chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default();
    let _ = credential::verify(&document, &[], now, CLOCK_TOLERANCE, Contexts::bundled());
    let _ = qr::to_payload(&document);
});
