//! Lowercase hex, the one text form of hashes and signatures in manifests, records and
//! attestations.

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hex of `bytes`.
pub fn encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// Exactly `N` bytes from `2 * N` hex digits (either case); `None` for anything else.
pub fn decode<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
        *byte = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Some(out)
}

fn digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
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
        assert_eq!(super::decode::<2>("AbCd"), Some([0xab, 0xcd]));
        assert_eq!(super::decode::<1>("g0"), None);
        let all: Vec<u8> = (0..=255).collect();
        let text = super::encode(&all);
        assert_eq!(super::decode::<256>(&text).map(|b| b.to_vec()), Some(all));
    }
}
