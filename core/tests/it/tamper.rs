//! Any single-byte change and any truncation of a pack is detected with an error, never a
//! panic: exhaustively for every byte of a small pack, and by proptest on a larger one.

use proptest::prelude::*;
use skillpack_core::pack::Variant;
use skillpack_core::testing::{module_files, open_and_verify, pack_of, publisher_key, sample_pack};

#[test]
fn the_fixture_pack_verifies() {
    open_and_verify(&sample_pack()).expect("the untouched pack verifies");
}

#[test]
fn flipping_any_single_bit_of_a_pack_is_detected() {
    let pack = pack_of(
        &[module_files("bike-check")],
        Variant::Text,
        &publisher_key(),
    );
    for i in 0..pack.len() {
        for bit in [0x01, 0x80] {
            let mut bad = pack.clone();
            bad[i] ^= bit;
            assert!(
                open_and_verify(&bad).is_err(),
                "byte {i} ^ {bit:#x} went unnoticed"
            );
        }
    }
}

#[test]
fn every_truncation_is_detected() {
    let pack = pack_of(
        &[module_files("bike-check")],
        Variant::Text,
        &publisher_key(),
    );
    for len in 0..pack.len() {
        assert!(
            open_and_verify(&pack[..len]).is_err(),
            "truncated to {len} went unnoticed"
        );
    }
    let mut longer = pack.clone();
    longer.push(0);
    assert!(
        open_and_verify(&longer).is_err(),
        "an appended byte went unnoticed"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_byte_change_is_an_error(index in any::<prop::sample::Index>(), xor in 1u8..=255) {
        let pack = sample_pack();
        let mut bad = pack.clone();
        let at = index.index(bad.len());
        bad[at] ^= xor;
        prop_assert!(open_and_verify(&bad).is_err(), "byte {} ^ {:#x}", at, xor);
    }

    #[test]
    fn any_truncation_is_an_error(index in any::<prop::sample::Index>()) {
        let pack = sample_pack();
        let len = index.index(pack.len());
        prop_assert!(open_and_verify(&pack[..len]).is_err());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = open_and_verify(&bytes);
    }

    #[test]
    fn a_valid_header_with_garbage_after_never_panics(tail in prop::collection::vec(any::<u8>(), 0..2048)) {
        let mut bytes = sample_pack()[..128].to_vec();
        bytes.extend(tail);
        let _ = open_and_verify(&bytes);
    }
}

#[test]
fn changes_anywhere_in_a_dictionary_pack_are_detected() {
    let modules: Vec<_> = (0..4)
        .map(|i| skillpack_core::testing::text_heavy_module(&format!("wordy-{i}"), i))
        .collect();
    let pack = pack_of(&modules, Variant::Text, &publisher_key());
    for i in (0..pack.len()).step_by(5) {
        let mut bad = pack.clone();
        bad[i] ^= 0x20;
        assert!(open_and_verify(&bad).is_err(), "byte {i} went unnoticed");
    }
}
