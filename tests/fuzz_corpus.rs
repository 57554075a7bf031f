//! Runs the committed fuzz corpus (`fuzz/corpus/<target>/`) through the same
//! code as the fuzz targets, under plain `cargo test` on stable Rust, plus a
//! seeded batch of mutated valid bundles. No input may panic; every damaged
//! bundle must be refused with a typed error.
//!
//! Corpus files named `valid-*` must be accepted; every other hand-made seed
//! (and anything libFuzzer adds) only has to be handled without a panic.

#[path = "../fuzz/fixed_keys.rs"]
mod fixed_keys;

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::PathBuf;

use mvds::bundle::{self, BundleError, Contact, Identity, Opened};
use mvds::wire::{GroupId, Limits, Message, MessageId, Metadata, Payload};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

fn corpus_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target)
}

/// Every file of a target's corpus, sorted by name.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = fs::read_dir(corpus_dir(target))
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

struct Keys {
    me: Identity,
    sender: ed25519_dalek::VerifyingKey,
}

impl Keys {
    fn new() -> Keys {
        Keys {
            me: fixed_keys::recipient(),
            sender: fixed_keys::sender().verifying_key(),
        }
    }

    /// What the `bundle_open` target does.
    fn open(&self, bytes: &[u8]) -> Result<Opened, BundleError> {
        let _ = bundle::inspect_header(bytes);
        let opened = bundle::open(bytes, &self.me, |k| *k == self.sender)?;
        assert_eq!(opened.sender, self.sender);
        Ok(opened)
    }
}

/// What the `payload_decode` target does.
fn decode_payload(bytes: &[u8]) -> Option<Payload> {
    let limits = Limits::default();
    let payload = Payload::decode(bytes, &limits).ok()?;
    assert_eq!(
        Payload::decode(&payload.encode(), &limits).unwrap(),
        payload
    );
    Some(payload)
}

#[test]
fn payload_decode_corpus() {
    let files = corpus("payload_decode");
    assert!(files.len() >= 10, "{} files", files.len());
    for (name, bytes) in files {
        let decoded = decode_payload(&bytes);
        if name.starts_with("valid-") {
            assert!(decoded.is_some(), "{name} does not decode");
        }
    }
}

#[test]
fn bundle_open_corpus() {
    let keys = Keys::new();
    let files = corpus("bundle_open");
    let valid = files
        .iter()
        .filter(|(n, _)| n.starts_with("valid-"))
        .count();
    assert!(valid >= 5, "{valid} valid seeds");
    let mut named = 0;
    for (name, bytes) in files {
        let result = keys.open(&bytes);
        if name.starts_with("valid-") {
            let opened = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(decode_payload(&opened.payload).is_some(), "{name}");
            continue;
        }
        // The hand-made bad seeds fail for their own reason.
        let expected: Option<fn(&BundleError) -> bool> = match name.as_str() {
            "unknown-sender" => Some(|e| matches!(e, BundleError::UnknownSender { .. })),
            "other-recipient" => Some(|e| matches!(e, BundleError::NotForUs)),
            "future-version" => Some(|e| {
                matches!(
                    e,
                    BundleError::UnsupportedVersion {
                        found: 2,
                        supported: 1
                    }
                )
            }),
            // Cut inside the encrypted stream: age cannot tell a cut there
            // from a modification.
            "truncated" => Some(|e| matches!(e, BundleError::Truncated | BundleError::Tampered)),
            "not-a-bundle" => Some(|e| matches!(e, BundleError::NotABundle(_))),
            _ => None,
        };
        if let Some(expected) = expected {
            let e = result.err().unwrap_or_else(|| panic!("{name} opened"));
            assert!(expected(&e), "{name}: {e:?}");
            named += 1;
        }
    }
    assert_eq!(named, 5);
}

#[test]
fn bundle_inner_corpus() {
    let keys = Keys::new();
    let files = corpus("bundle_inner");
    let valid = files
        .iter()
        .filter(|(n, _)| n.starts_with("valid-"))
        .count();
    assert!(valid >= 5, "{valid} valid seeds");
    for (name, inner) in files {
        // What the `bundle_inner` target does.
        let bundle = fixed_keys::wrap_plaintext(&zstd::bulk::compress(&inner, 1).unwrap());
        let result = keys.open(&bundle);
        if name.starts_with("valid-") {
            result.unwrap_or_else(|e| panic!("{name}: {e}"));
        } else if name.starts_with("bad-") {
            assert!(result.is_err(), "{name} opened");
        }
    }
}

#[test]
fn contact_parse_corpus() {
    let files = corpus("contact_parse");
    assert!(files.len() >= 5, "{} files", files.len());
    let sender = fixed_keys::sender();
    for (name, bytes) in files {
        // What the `contact_parse` target does.
        let parsed = std::str::from_utf8(&bytes)
            .ok()
            .and_then(|text| text.parse::<Contact>().ok());
        if let Some(contact) = &parsed {
            assert_eq!(contact.to_string().parse::<Contact>().as_ref(), Ok(contact));
            bundle::seal(b"x", &sender, contact).unwrap();
        }
        assert_eq!(parsed.is_some(), name.starts_with("valid-"), "{name}");
    }
}

/// A random mutation of `seeds[i]`, which may splice in another seed.
fn mutate(rng: &mut StdRng, seeds: &[Vec<u8>], i: usize) -> (&'static str, Vec<u8>) {
    let mut b = seeds[i].clone();
    let at = |rng: &mut StdRng, len: usize| rng.random_range(0..len.max(1));
    match rng.random_range(0..7) {
        0 => {
            for _ in 0..rng.random_range(1..4) {
                let i = at(rng, b.len());
                b[i] ^= 1 << rng.random_range(0..8);
            }
            ("bit flips", b)
        }
        1 => {
            b.truncate(at(rng, b.len()));
            ("truncation", b)
        }
        2 => {
            let other = &seeds[at(rng, seeds.len())];
            let cut = at(rng, b.len().min(other.len()));
            b.truncate(cut);
            b.extend_from_slice(&other[cut..]);
            ("splice", b)
        }
        3 => {
            let i = at(rng, b.len() + 1);
            b.insert(i.min(b.len()), rng.random());
            ("insertion", b)
        }
        4 => {
            let start = at(rng, b.len());
            let end = (start + rng.random_range(1..64)).min(b.len());
            b.drain(start..end);
            ("deletion", b)
        }
        5 => {
            let start = at(rng, b.len());
            let end = (start + rng.random_range(1..32)).min(b.len());
            for byte in &mut b[start..end] {
                *byte = rng.random();
            }
            ("overwrite", b)
        }
        _ => {
            let start = at(rng, b.len());
            let end = (start + rng.random_range(1..128)).min(b.len());
            let chunk = b[start..end].to_vec();
            let to = at(rng, b.len());
            b.splice(to..to, chunk);
            ("duplication", b)
        }
    }
}

#[test]
fn mutated_bundles_are_refused() {
    let keys = Keys::new();
    let seeds: Vec<Vec<u8>> = corpus("bundle_open")
        .into_iter()
        .filter(|(name, _)| name.starts_with("valid-"))
        .map(|(_, bytes)| bytes)
        .collect();
    let originals: Vec<Vec<u8>> = seeds
        .iter()
        .map(|s| keys.open(s).unwrap().payload)
        .collect();
    let mut rng = StdRng::seed_from_u64(0x6d76_6473);
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..2000 {
        let i = rng.random_range(0..seeds.len());
        let (kind, mutated) = mutate(&mut rng, &seeds, i);
        let result = keys.open(&mutated);
        // A mutation may be a no-op, or a splice may rebuild a whole seed:
        // then the output must be exactly that seed's.
        if let Some(same) = seeds.iter().position(|s| *s == mutated) {
            assert_eq!(result.unwrap().payload, originals[same], "{kind}");
            *outcomes.entry("unchanged".into()).or_default() += 1;
            continue;
        }
        match result {
            Ok(_) => panic!("a {kind} of seed {i} opened"),
            Err(e) => {
                let variant = format!("{e:?}");
                let variant = variant.split(['(', ' ']).next().unwrap().to_string();
                *outcomes.entry(variant).or_default() += 1;
            }
        }
    }
    println!("{outcomes:?}");
    // The batch exercises more than one way to fail.
    assert!(outcomes.len() >= 3, "{outcomes:?}");
}

/// Rewrites the hand-made seeds of the committed corpus. Bundles are
/// re-encrypted with fresh randomness, so run it only to change the seeds:
/// `cargo test --test fuzz_corpus -- --ignored regenerate_corpus`.
#[test]
#[ignore = "writes fuzz/corpus/"]
fn regenerate_corpus() {
    let id = |b: u8| MessageId([b; 32]);
    let message = |body: &[u8], parents: Vec<MessageId>, ephemeral: bool| Message {
        group_id: GroupId(b"group".to_vec()),
        timestamp: 1_700_000_000,
        body: body.to_vec(),
        metadata: Some(Metadata { parents, ephemeral }),
    };
    let mut payloads: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), Payload::default().encode()),
        (
            "acks".into(),
            Payload {
                acks: vec![id(1), id(2)],
                ..Payload::default()
            }
            .encode(),
        ),
        (
            "offers-requests".into(),
            Payload {
                offers: vec![id(3)],
                requests: vec![id(4), id(5)],
                ..Payload::default()
            }
            .encode(),
        ),
        (
            "messages".into(),
            Payload {
                acks: vec![id(6)],
                messages: vec![
                    message(b"hello", vec![], false),
                    message(b"reply", vec![id(7), id(8)], false),
                    message(b"typing", vec![], true),
                ],
                ..Payload::default()
            }
            .encode(),
        ),
    ];
    let vectors = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/wire.json");
    let json: serde_json::Value = serde_json::from_slice(&fs::read(vectors).unwrap()).unwrap();
    for (n, p) in json["payloads"].as_array().unwrap().iter().enumerate() {
        let hex = p["encoded_payload"].as_str().unwrap();
        payloads.push((format!("wire-vector-{n}"), hex::decode(hex).unwrap()));
    }

    let write = |target: &str, name: &str, bytes: &[u8]| {
        fs::write(corpus_dir(target).join(name), bytes).unwrap();
    };
    let me = fixed_keys::recipient();
    let from = fixed_keys::sender();
    let age_identity = fixed_keys::recipient_age_identity();
    for (name, payload) in &payloads {
        write("payload_decode", &format!("valid-{name}"), payload);
        let sealed = bundle::seal(payload, &from, &me.contact()).unwrap();
        write("bundle_open", &format!("valid-{name}"), &sealed);
        // The inner content, as the bundle_inner target takes it.
        let decryptor = age::Decryptor::new(&sealed[bundle::HEADER_LEN..]).unwrap();
        let mut plaintext = Vec::new();
        decryptor
            .decrypt(std::iter::once(&age_identity as &dyn age::Identity))
            .unwrap()
            .read_to_end(&mut plaintext)
            .unwrap();
        let inner = zstd::decode_all(plaintext.as_slice()).unwrap();
        write("bundle_inner", &format!("valid-{name}"), &inner);
        if name == "messages" {
            let mut forged = inner.clone();
            let last = forged.len() - 1;
            forged[last] ^= 1; // the signature is the last field
            write("bundle_inner", "bad-signature", &forged);
        }
    }

    write(
        "payload_decode",
        "bad-id-length",
        &[0xca, 0xb8, 0x02, 0x01, 0x00],
    );
    write("payload_decode", "group-start", &[0x0b]);
    write("payload_decode", "endless-varint", &[0xff; 11]);

    let stranger = Identity::from_secret_bytes([0x55; 32], [0x66; 32]);
    let message = &payloads[3].1;
    let from_stranger = bundle::seal(message, &stranger, &me.contact()).unwrap();
    write("bundle_open", "unknown-sender", &from_stranger);
    let to_stranger = bundle::seal(message, &from, &stranger.contact()).unwrap();
    write("bundle_open", "other-recipient", &to_stranger);
    let mut future = bundle::seal(message, &from, &me.contact()).unwrap();
    future[bundle::HEADER_LEN - 1] = 2;
    write("bundle_open", "future-version", &future);
    let whole = bundle::seal(message, &from, &me.contact()).unwrap();
    write("bundle_open", "truncated", &whole[..whole.len() / 2]);
    write("bundle_open", "not-a-bundle", b"age-encryption.org/v1\n");

    let contact = me.contact().to_string();
    write("contact_parse", "valid-recipient", contact.as_bytes());
    write(
        "contact_parse",
        "valid-sender",
        from.contact().to_string().as_bytes(),
    );
    write(
        "contact_parse",
        "valid-with-newline",
        format!("{contact}\n").as_bytes(),
    );
    let mut typo = contact.clone().into_bytes();
    typo[40] = if typo[40] == b'q' { b'p' } else { b'q' };
    write("contact_parse", "typo", &typo);
    write("contact_parse", "cut", &contact.as_bytes()[..60]);
    // Valid checksum, all-zero (low-order) X25519 key.
    let mut data = vec![1u8];
    data.extend_from_slice(me.verifying_key().as_bytes());
    data.extend_from_slice(&[0; 32]);
    let hrp = bech32::Hrp::parse_unchecked("mvds");
    let low = bech32::encode::<bech32::Bech32>(hrp, &data).unwrap();
    write("contact_parse", "low-order-x25519", low.as_bytes());
}
