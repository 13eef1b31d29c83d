//! Inflating one zstd frame to the exact size a checked manifest or header states, with or
//! without a prepared dictionary: the reader's chunks and manifest and the tree's pieces all
//! come through here, so a frame that inflates past or short of its size is refused in one
//! place.

use zstd::bulk::Decompressor;
use zstd::dict::DecoderDictionary;

/// Inflates a zstd frame that must come to exactly `size` bytes (already bounded by limits).
pub(super) fn inflate(
    stored: &[u8],
    size: u64,
    dictionary: Option<&DecoderDictionary<'static>>,
) -> Result<Vec<u8>, String> {
    let capacity = usize::try_from(size).map_err(|_| "too large for this device".to_owned())?;
    let mut decompressor = match dictionary {
        Some(d) => Decompressor::with_prepared_dictionary(d),
        None => Decompressor::new(),
    }
    .map_err(|e| e.to_string())?;
    let bytes = decompressor
        .decompress(stored, capacity)
        .map_err(|e| e.to_string())?;
    if bytes.len() != capacity {
        return Err(format!(
            "inflates to {} bytes, the manifest says {capacity}",
            bytes.len()
        ));
    }
    Ok(bytes)
}
