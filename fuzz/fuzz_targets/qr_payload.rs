//! Feeds arbitrary text to a verifier as a scanned QR code's payload: decoded (the prefix,
//! base45, zstd with its dictionary, each within its bound), and what decodes verified as
//! any credential is. Any input must give a result or an error, never a panic, a hang or a
//! huge allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skillpack_core::credential::{self, qr, Contexts, CLOCK_TOLERANCE};

fuzz_target!(|data: &[u8]| {
    let Ok(payload) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(document) = qr::from_payload(payload) else {
        return;
    };
    let now = chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default();
    let _ = credential::verify(&document, &[], now, CLOCK_TOLERANCE, Contexts::bundled());
});
