//! The library the phone apps load (`libskillpack_ffi.so`, `.a` for iOS): the core with its
//! `api` facade and nothing else. The bindings are generated from this library's metadata
//! (uniffi library mode), so what the shells see is exactly what was built.

pub use skillpack_core::api;
