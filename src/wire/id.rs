//! Message and group identifiers.

use sha2::{Digest, Sha256};
use std::fmt;

use super::DecodeError;

/// A 32-byte message id: SHA-256("MESSAGE_ID" || group_id || timestamp (u64 LE) || body).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageId(pub [u8; 32]);

impl MessageId {
    /// The id as defined by 2/MVDS. The timestamp is hashed as its two's
    /// complement bit pattern (a negative timestamp hashes as a large u64), and
    /// nothing is length-prefixed, exactly as the Go reference does.
    pub fn compute(group_id: &GroupId, timestamp: i64, body: &[u8]) -> Self {
        let mut h = Sha256::new();
        h.update(b"MESSAGE_ID");
        h.update(&group_id.0);
        h.update((timestamp as u64).to_le_bytes());
        h.update(body);
        MessageId(h.finalize().into())
    }

    pub(super) fn from_slice(bytes: &[u8], field: &'static str) -> Result<Self, DecodeError> {
        <[u8; 32]>::try_from(bytes)
            .map(MessageId)
            .map_err(|_| DecodeError::BadIdLength {
                field,
                len: bytes.len(),
            })
    }

    /// Parses 64 hex digits.
    pub fn from_hex(s: &str) -> Option<Self> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).ok()?;
        Some(MessageId(out))
    }

    /// The first 8 hex digits, for people.
    pub fn short(&self) -> String {
        hex::encode(&self.0[..4])
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MessageId({})", self.short())
    }
}

/// A group (data sync context) id: raw bytes of any length (32 in practice;
/// the Go vectors include one of 5).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct GroupId(pub Vec<u8>);

impl fmt::Display for GroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(&self.0))
    }
}

impl fmt::Debug for GroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GroupId({self})")
    }
}
