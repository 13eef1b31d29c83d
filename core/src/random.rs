//! Randomness from the operating system, in one place: attempt seeds, record ids, keys. A
//! phone without a working source of randomness is told so, never given a weak value.

use thiserror::Error;

/// The operating system gave no randomness.
#[derive(Debug, Error)]
#[error("no randomness from the operating system: {0}")]
pub struct RandomError(String);

/// Fills `N` bytes from the operating system's source.
pub fn bytes<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut out = [0u8; N];
    getrandom::getrandom(&mut out).map_err(|e| RandomError(e.to_string()))?;
    Ok(out)
}

/// A seed for an attempt's draw and shuffle.
pub fn seed() -> Result<u64, RandomError> {
    bytes::<8>().map(u64::from_le_bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn two_seeds_differ() {
        let (a, b) = (super::seed().expect("seed"), super::seed().expect("seed"));
        assert_ne!(a, b, "64 random bits repeat about never");
    }
}
