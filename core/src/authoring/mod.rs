//! The trainer's side on disk: read module folders (bounded) and build signed packs of the
//! chosen media variant. The pure work happens in `module` and `pack`; this layer adds the
//! file system.

mod build;
mod error;
mod folder;
mod paths;

pub use build::{assemble, build_pack, load_modules, BuildRequest, BuiltPack, LoadedModule};
pub use error::AuthoringError;
pub use folder::{read_module_folder, MAX_FILES, MAX_FILE_BYTES, MAX_FOLDER_BYTES};
pub use paths::compile_for_pack;
