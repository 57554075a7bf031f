//! Decoding limits and the pre-scan that enforces them before prost allocates.
//!
//! prost's decoder allocates in proportion to its input, but with a large
//! constant: an empty `bytes` entry costs 3-4 input bytes and a 24-byte `Vec`.
//! The pre-scan walks the wire once with prost's own primitives, counts the
//! records and checks every id length, so a hostile payload is refused before
//! any of that allocation happens.

use prost::encoding::{WireType, decode_key, decode_varint};

/// Hard limits on what a decoded payload may contain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Encoded payload size.
    pub max_payload_bytes: usize,
    /// ACK + OFFER + REQUEST + MESSAGE records in one payload.
    pub max_records: usize,
    /// Parents named by one message.
    pub max_parents: usize,
    pub max_group_id_bytes: usize,
    pub max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_payload_bytes: 64 << 20,
            max_records: 1 << 20,
            max_parents: 1024,
            max_group_id_bytes: 1024,
            max_body_bytes: 16 << 20,
        }
    }
}

/// Why a payload or message could not be decoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    #[error("payload is {len} bytes, more than the limit of {max}")]
    TooLarge { len: usize, max: usize },
    #[error("payload holds more than {max} records")]
    TooManyRecords { max: usize },
    #[error("a message names {count} parents, more than the limit of {max}")]
    TooManyParents { count: usize, max: usize },
    #[error("an id in `{field}` is {len} bytes; message ids are 32 bytes")]
    BadIdLength { field: &'static str, len: usize },
    #[error("a group id is {len} bytes, more than the limit of {max}")]
    GroupIdTooLong { len: usize, max: usize },
    #[error("a message body is {len} bytes, more than the limit of {max}")]
    BodyTooLarge { len: usize, max: usize },
    #[error("malformed protobuf: {0}")]
    Protobuf(prost::DecodeError),
    #[error("malformed protobuf: {0}")]
    Malformed(&'static str),
}

const ACKS: u32 = 5001;
const OFFERS: u32 = 5002;
const REQUESTS: u32 = 5003;
const MESSAGES: u32 = 5004;
const MESSAGE_METADATA: u32 = 6004;
const METADATA_PARENTS: u32 = 1;

/// Calls `visit(tag, wire_type, value)` for every field in `buf`, where `value`
/// is the field's bytes for length-delimited fields and empty otherwise.
fn scan_fields(
    mut buf: &[u8],
    mut visit: impl FnMut(u32, WireType, &[u8]) -> Result<(), DecodeError>,
) -> Result<(), DecodeError> {
    while !buf.is_empty() {
        let (tag, wire_type) = decode_key(&mut buf).map_err(DecodeError::Protobuf)?;
        let skip = match wire_type {
            WireType::Varint => {
                decode_varint(&mut buf).map_err(DecodeError::Protobuf)?;
                0
            }
            WireType::SixtyFourBit => 8,
            WireType::ThirtyTwoBit => 4,
            WireType::LengthDelimited => {
                let len = decode_varint(&mut buf).map_err(DecodeError::Protobuf)?;
                usize::try_from(len).unwrap_or(usize::MAX)
            }
            // Groups are not part of proto3 and never used by MVDS.
            WireType::StartGroup | WireType::EndGroup => {
                return Err(DecodeError::Malformed("protobuf groups are not allowed"));
            }
        };
        if skip > buf.len() {
            return Err(DecodeError::Malformed(
                "a field runs past the end of the input",
            ));
        }
        let (value, rest) = buf.split_at(skip);
        let value = if wire_type == WireType::LengthDelimited {
            value
        } else {
            &[]
        };
        visit(tag, wire_type, value)?;
        buf = rest;
    }
    Ok(())
}

fn check_id(field: &'static str, wire_type: WireType, value: &[u8]) -> Result<(), DecodeError> {
    if wire_type == WireType::LengthDelimited && value.len() != 32 {
        return Err(DecodeError::BadIdLength {
            field,
            len: value.len(),
        });
    }
    Ok(())
}

fn prescan_message(buf: &[u8], limits: &Limits) -> Result<(), DecodeError> {
    scan_fields(buf, |tag, wt, value| {
        if tag == MESSAGE_METADATA && wt == WireType::LengthDelimited {
            let mut parents = 0usize;
            scan_fields(value, |tag, wt, value| {
                if tag == METADATA_PARENTS {
                    check_id("parents", wt, value)?;
                    parents += 1;
                    if parents > limits.max_parents {
                        return Err(DecodeError::TooManyParents {
                            count: parents,
                            max: limits.max_parents,
                        });
                    }
                }
                Ok(())
            })?;
        }
        Ok(())
    })
}

pub(super) fn prescan_payload(buf: &[u8], limits: &Limits) -> Result<(), DecodeError> {
    if buf.len() > limits.max_payload_bytes {
        return Err(DecodeError::TooLarge {
            len: buf.len(),
            max: limits.max_payload_bytes,
        });
    }
    let mut records = 0usize;
    scan_fields(buf, |tag, wt, value| {
        match tag {
            ACKS => check_id("acks", wt, value)?,
            OFFERS => check_id("offers", wt, value)?,
            REQUESTS => check_id("requests", wt, value)?,
            MESSAGES => prescan_message(value, limits)?,
            _ => return Ok(()),
        }
        records += 1;
        if records > limits.max_records {
            return Err(DecodeError::TooManyRecords {
                max: limits.max_records,
            });
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Payload;

    #[test]
    fn oversized_payload_is_refused_before_parsing() {
        let limits = Limits {
            max_payload_bytes: 8,
            ..Limits::default()
        };
        assert!(matches!(
            Payload::decode(&[0u8; 9], &limits),
            Err(DecodeError::TooLarge { len: 9, max: 8 })
        ));
    }

    #[test]
    fn record_count_is_capped() {
        let p = Payload {
            acks: vec![crate::wire::MessageId([0; 32]); 3],
            ..Payload::default()
        };
        let limits = Limits {
            max_records: 2,
            ..Limits::default()
        };
        assert!(matches!(
            Payload::decode(&p.encode(), &limits),
            Err(DecodeError::TooManyRecords { max: 2 })
        ));
    }

    #[test]
    fn empty_ids_are_rejected_not_allocated() {
        // 5001 as a length-delimited key is 0xca 0xb8 0x02; then length 0.
        let bytes: Vec<u8> = [0xca, 0xb8, 0x02, 0x00].repeat(1000);
        assert!(matches!(
            Payload::decode(&bytes, &Limits::default()),
            Err(DecodeError::BadIdLength {
                field: "acks",
                len: 0
            })
        ));
    }

    #[test]
    fn truncated_and_garbage_inputs_are_errors() {
        let p = Payload {
            offers: vec![crate::wire::MessageId([5; 32])],
            ..Payload::default()
        }
        .encode();
        for cut in 1..p.len() {
            assert!(Payload::decode(&p[..cut], &Limits::default()).is_err());
        }
        // A group start (wire type 3) is refused.
        assert!(Payload::decode(&[0x0b], &Limits::default()).is_err());
        // A varint that never ends.
        assert!(Payload::decode(&[0xff; 11], &Limits::default()).is_err());
    }

    #[test]
    fn unknown_fields_are_ignored() {
        // Field 7 varint 1: an extension we do not know.
        let p = Payload::decode(&[0x38, 0x01], &Limits::default()).unwrap();
        assert!(p.is_empty());
    }
}
