//! mvds: Minimum Viable Data Synchronization over files.
//!
//! Layers, with arrows pointing one way only (DESIGN.md section 7):
//! [`wire`] (payloads, message ids, bounded decoding) is used by
//! [`engine`] (the sans-IO protocol state machine); the CLI drives both.
//! [`bundle`] is the file format that carries payloads between nodes.

pub mod bundle;
pub mod engine;
pub mod sim;
pub mod store;
pub mod wire;
