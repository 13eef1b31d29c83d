//! Protocol versions between devices, trainers' tools and the hub. Each is a named constant
//! whose doc says when it was added and what changed; a changed wire type is a new version.

/// Version 1 (2026-11-22): nonces, signed requests (RFC 9421 profile with Ed25519 and a
/// hub-issued nonce), pack publishing, catalog, pack and chunk downloads, device
/// registration with enrolment codes, and pushing signed result records.
pub const PROTOCOL_V1: u32 = 1;

/// The version this code speaks.
pub const PROTOCOL_VERSION: u32 = PROTOCOL_V1;

/// Path prefix of every versioned endpoint.
pub const API_PREFIX: &str = "/v1";
