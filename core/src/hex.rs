//! Lowercase hex, the one text form of hashes and signatures in manifests, records and
//! attestations.

/// Lowercase hex of `bytes`.
pub fn encode(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Exactly `N` bytes from `2 * N` hex digits (either case); `None` for anything else.
pub fn decode<const N: usize>(text: &str) -> Option<[u8; N]> {
    // Digits only: `from_str_radix` alone would also take a sign (`+1`).
    if text.len() != 2 * N || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips_and_refuses_junk() {
        assert_eq!(super::encode(&[0, 171, 255]), "00abff");
        assert_eq!(super::decode::<3>("00abff"), Some([0, 171, 255]));
        assert_eq!(super::decode::<3>("00abf"), None);
        assert_eq!(super::decode::<2>("zzzz"), None);
        assert_eq!(super::decode::<2>("+1ab"), None);
        assert_eq!(super::decode::<1>("é"), None);
    }
}
