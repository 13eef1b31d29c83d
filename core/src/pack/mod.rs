//! The signed pack file (`*.skillpack`): one file a trainer hands out by any channel, whose
//! publisher signature (not the channel) is what a device trusts. Content-addressed chunks,
//! each compressed on its own, let a device read one lesson without inflating the rest and
//! fetch only changed chunks on update. The layout is in `docs/pack-format.md`.

mod check;
mod checked;
mod chunking;
mod diff;
mod error;
pub mod format;
mod inflate;
mod manifest;
mod path;
mod reader;
mod stream;
mod tree;
mod writer;

pub use checked::{check_pack, CheckedModule, CheckedPack};
pub use diff::{diff, PackDiff};
pub use error::PackError;
pub use format::{Header, Limits, HEADER_LEN};
pub use manifest::{
    module_json_path, Chunk, Codec, Entry, EntryKind, Manifest, ModuleEntry, PackInfo, Rendition,
    Variant,
};
pub use path::{path_problem, EntryPaths};
pub use reader::{entry_in_chunk, open_chunk, ChunkRange, PackReader, VerifyReport};
pub use stream::PackStream;
pub use tree::{read_part, PartContents, PAGE_PARTS, PART_MODULES};
pub use writer::{BuildOptions, BuildSummary, NewEntry, PackBuilder};
