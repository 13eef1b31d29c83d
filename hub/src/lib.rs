//! The Skillpack hub: where trainers publish packs and where learners' devices send their
//! signed results when they find a connection. The server lands with the hub work; until
//! then this crate only holds the place in the workspace so the layout is the one the
//! design describes.
#![warn(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]
