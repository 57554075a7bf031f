//! The shared wire vectors (../shared/vectors), byte for byte, both ways.
//!
//! `wire.json` comes from the production Go implementation and `metadata.json`
//! from Google's protobuf runtime (README there). For every vector the inputs
//! must encode to exactly the bytes, the bytes must decode to exactly the
//! inputs, and the ids must match. A missing or changed file fails the test:
//! the JSON is parsed with `deny_unknown_fields`, so a field this test does not
//! check cannot slip through, and the number of vectors checked is compared
//! with the number in the files.

use std::path::PathBuf;

use mvds::wire::{GroupId, Limits, Message, MessageId, Metadata, Payload};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireFile {
    messages: Vec<MessageVector>,
    payloads: Vec<PayloadVector>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MetadataFile {
    messages_with_metadata: Vec<MessageVector>,
    payload_with_metadata: PayloadVector,
}

/// A message vector; `parents` and `ephemeral` exist only in metadata.json.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageVector {
    group_id: String,
    timestamp: i64,
    body: String,
    parents: Option<Vec<String>>,
    ephemeral: Option<bool>,
    id: String,
    encoded_message: String,
}

/// A payload vector; `messages` are indexes into the file's message list.
/// metadata.json leaves out the empty lists.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PayloadVector {
    #[serde(default)]
    acks: Vec<String>,
    #[serde(default)]
    offers: Vec<String>,
    #[serde(default)]
    requests: Vec<String>,
    #[serde(default)]
    messages: Vec<usize>,
    encoded_payload: String,
}

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors")
}

/// Reads and parses a vector file; a missing or malformed file fails the test.
fn load<T: for<'de> Deserialize<'de>>(name: &str) -> T {
    let path = vectors_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()))
}

fn unhex(s: &str) -> Vec<u8> {
    assert_eq!(s, s.to_lowercase(), "vectors are lowercase hex: {s}");
    hex::decode(s).unwrap_or_else(|e| panic!("bad hex {s:?}: {e}"))
}

fn id(s: &str) -> MessageId {
    let id = MessageId::from_hex(s).unwrap_or_else(|| panic!("bad id {s:?}"));
    assert_eq!(id.to_string(), s, "id hex round trip");
    id
}

/// The domain message a vector describes. wire.json messages carry no
/// metadata field at all; metadata.json messages always do.
fn message(v: &MessageVector) -> Message {
    let metadata = match (&v.parents, v.ephemeral) {
        (None, None) => None,
        (Some(parents), Some(ephemeral)) => Some(Metadata {
            parents: parents.iter().map(|p| id(p)).collect(),
            ephemeral,
        }),
        _ => panic!("vector {} has only half of its metadata", v.id),
    };
    Message {
        group_id: GroupId(unhex(&v.group_id)),
        timestamp: v.timestamp,
        body: unhex(&v.body),
        metadata,
    }
}

/// Checks one message vector both ways.
fn check_message(v: &MessageVector) {
    let m = message(v);
    let bytes = unhex(&v.encoded_message);
    assert_eq!(m.id(), id(&v.id), "id of {}", v.id);
    assert_eq!(
        hex::encode(m.encode()),
        v.encoded_message,
        "encoding of {}",
        v.id
    );
    let decoded = Message::decode(&bytes, &Limits::default())
        .unwrap_or_else(|e| panic!("decoding {}: {e}", v.id));
    assert_eq!(decoded, m, "decoding of {}", v.id);
    assert_eq!(decoded.id(), m.id());
}

/// Checks one payload vector both ways; `messages` index into `pool`.
fn check_payload(v: &PayloadVector, pool: &[MessageVector]) {
    let p = Payload {
        acks: v.acks.iter().map(|s| id(s)).collect(),
        offers: v.offers.iter().map(|s| id(s)).collect(),
        requests: v.requests.iter().map(|s| id(s)).collect(),
        messages: v.messages.iter().map(|&i| message(&pool[i])).collect(),
    };
    let bytes = unhex(&v.encoded_payload);
    assert_eq!(
        hex::encode(p.encode()),
        v.encoded_payload,
        "payload encoding"
    );
    let decoded = Payload::decode(&bytes, &Limits::default())
        .unwrap_or_else(|e| panic!("decoding payload {}: {e}", v.encoded_payload));
    assert_eq!(decoded, p, "payload decoding");
    let ids: Vec<MessageId> = decoded.messages.iter().map(Message::id).collect();
    let expected: Vec<MessageId> = v.messages.iter().map(|&i| id(&pool[i].id)).collect();
    assert_eq!(ids, expected, "ids of the payload's messages");
}

#[test]
fn all_wire_and_metadata_vectors_pass_both_ways() {
    let wire: WireFile = load("wire.json");
    let meta: MetadataFile = load("metadata.json");
    let in_files =
        wire.messages.len() + wire.payloads.len() + meta.messages_with_metadata.len() + 1; // payload_with_metadata
    let mut checked = 0;

    for v in &wire.messages {
        assert!(v.parents.is_none() && v.ephemeral.is_none());
        check_message(v);
        checked += 1;
    }
    for v in &wire.payloads {
        check_payload(v, &wire.messages);
        checked += 1;
    }
    for v in &meta.messages_with_metadata {
        assert!(v.parents.is_some() && v.ephemeral.is_some());
        check_message(v);
        checked += 1;
    }
    check_payload(&meta.payload_with_metadata, &meta.messages_with_metadata);
    checked += 1;

    assert_eq!(checked, in_files, "every vector is checked");
    // The files as published hold 7 + 6 Go vectors and 4 + 1 metadata vectors;
    // fewer means a truncated copy.
    assert_eq!(
        (
            wire.messages.len(),
            wire.payloads.len(),
            meta.messages_with_metadata.len()
        ),
        (7, 6, 4)
    );

    // The edge cases README.md points at are among what was checked.
    let all = || wire.messages.iter().chain(&meta.messages_with_metadata);
    assert!(all().any(|v| v.group_id.len() == 2 * 5), "5-byte group id");
    assert!(all().any(|v| v.timestamp < 0), "negative timestamp");
    assert!(all().any(|v| v.timestamp == i64::MAX), "int64 max");
    assert!(all().any(|v| v.ephemeral == Some(true)), "ephemeral");
    assert!(
        all().any(|v| v.parents.as_ref().is_some_and(|p| p.len() > 1)),
        "several parents"
    );
    assert!(
        wire.payloads.iter().any(|p| p.encoded_payload.is_empty()),
        "empty payload"
    );
}

/// Metadata is not hashed: each metadata vector's id equals the id of the
/// same message without metadata, and the one parent they name is a Go vector.
#[test]
fn metadata_vectors_link_to_go_vectors() {
    let wire: WireFile = load("wire.json");
    let meta: MetadataFile = load("metadata.json");
    let go_ids: Vec<MessageId> = wire.messages.iter().map(|v| id(&v.id)).collect();
    for v in &meta.messages_with_metadata {
        let mut m = message(v);
        let with = m.id();
        m.metadata = None;
        assert_eq!(m.id(), with);
        for p in v.parents.iter().flatten() {
            assert!(go_ids.contains(&id(p)), "parent {p} is a Go vector");
        }
    }
}
