//! Which media files a module may carry, and their media types. SVG is left out on purpose:
//! it can hold scripts, and PNG or WebP show the same drawings safely on any phone.

use serde::{Deserialize, Serialize};

/// The two kinds of media a lesson can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    /// A picture.
    Image,
    /// A sound clip.
    Audio,
}

/// The kind of a media file, from its extension (case-insensitive); `None` if not media.
pub fn media_kind(path: &str) -> Option<MediaKind> {
    media_type(path).map(|t| {
        if t.starts_with("image/") {
            MediaKind::Image
        } else {
            MediaKind::Audio
        }
    })
}

/// The media type (`image/png`, `audio/mpeg`…) of a media file, from its extension.
pub fn media_type(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "mp3" => "audio/mpeg",
        "ogg" | "oga" => "audio/ogg",
        "opus" => "audio/opus",
        "m4a" => "audio/mp4",
        "aac" => "audio/aac",
        "wav" => "audio/wav",
        _ => return None,
    })
}
