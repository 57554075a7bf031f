//! The hostile bundle matrix (issue 5): whatever arrives on the stick, `mvds
//! import` answers with one clear line, a non-zero exit code, and leaves the
//! store exactly as it was (a replay is the one no-op that exits 0).
//!
//! Every case runs through the real `mvds` binary against real node
//! directories. The exhaustive sweeps (every truncation, every bit flip) run
//! in-process through the code path `mvds import` uses (`bundle::open`, then
//! `Payload::decode`); a seeded sample of them also runs through the binary,
//! which must agree with the library on the error and its exit code.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use mvds::bundle::{self, BundleError, Contact, Identity};
use mvds::wire::{Limits, Payload, pb};
use prost::Message as _;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use sha2::{Digest, Sha256};

use common::{Node, World, connect, group};

const REJECTED: i32 = 5;
const NOT_FOR_US: i32 = 6;
/// Seed of every random choice below; change it to explore other cases.
const SEED: u64 = 0x5eed_0005;
/// How many of an exhaustive sweep's cases also run through the binary.
const BINARY_SAMPLE: usize = 50;

/// The signed content of a bundle (`proto/bundle.proto`, documented in
/// docs/bundle-format.md), mirrored here so a test can take a real bundle
/// apart and put an altered one together.
#[derive(Clone, PartialEq, prost::Message)]
struct Inner {
    #[prost(bytes = "vec", tag = "1")]
    sender: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    recipient: Vec<u8>,
    #[prost(bytes = "vec", tag = "3")]
    recipient_x25519: Vec<u8>,
    #[prost(bytes = "vec", tag = "4")]
    payload: Vec<u8>,
    #[prost(bytes = "vec", tag = "5")]
    signature: Vec<u8>,
}

/// alice, bob and carol; alice and bob share a group, alice sent "hello",
/// and a valid bundle from alice to bob is on disk (`bytes` is its content).
/// carol is a peer of both, but not in the group.
struct Setup {
    w: World,
    a: Node,
    b: Node,
    c: Node,
    bundle: PathBuf,
    bytes: Vec<u8>,
}

fn setup() -> Setup {
    let w = World::new();
    let (a, b, c) = w.trio();
    connect(&a, &b);
    connect(&a, &c);
    connect(&b, &c);
    group("chat", &a, &[&b], &[(&a, &b)]);
    a.send("chat", "hello");
    let bundle = w.path("good.mvds");
    a.export_to(&b, &bundle);
    let bytes = std::fs::read(&bundle).unwrap();
    Setup {
        w,
        a,
        b,
        c,
        bundle,
        bytes,
    }
}

impl Setup {
    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.w.path(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// bob's contact, as alice stored it.
    fn bob(&self) -> Contact {
        self.b.contact().parse().unwrap()
    }
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// What `mvds import` does with a bundle before touching the store: open it
/// (decrypt, decompress, check signature, recipient and sender), then decode
/// the payload with the wire limits.
fn library_import(bytes: &[u8], me: &Identity, known: &[VerifyingKey]) -> Result<Payload, String> {
    let opened = bundle::open(bytes, me, |k| known.contains(k)).map_err(|e| match e {
        // Keep the classification: it decides the exit code.
        BundleError::NotForUs => format!("NOT_FOR_US {e}"),
        e => e.to_string(),
    })?;
    Payload::decode(&opened.payload, &Limits::default()).map_err(|e| e.to_string())
}

/// Runs `mvds import FILE` on `node` for bytes the library refused with
/// `why`, and checks that the binary agrees: the exit code the library's
/// error maps to, the same message on one line, and the store unchanged
/// (compared with `before`, a dump taken once for the whole batch).
fn binary_agrees(s: &Setup, node: &Node, bytes: &[u8], why: &str, before: &[String]) {
    let file = s.write("case.mvds", bytes);
    let (code, what) = match why.strip_prefix("NOT_FOR_US ") {
        Some(what) => (NOT_FOR_US, what),
        None => (REJECTED, why),
    };
    let err = node.fails(&["import", arg(&file)], code);
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines[0].starts_with("mvds: "), "{err}");
    assert!(lines[0].contains(what), "expected '{what}' in: {err}");
    assert!(lines.len() <= 2, "more than an error and a hint: {err}");
    assert!(
        lines.get(1).is_none_or(|h| h.starts_with("hint: ")),
        "{err}"
    );
    assert_eq!(node.dump(), before, "the store changed");
}

/// `n` distinct indices below `len`, chosen with `rng`, always including the
/// first and last.
fn sample(rng: &mut StdRng, len: usize, n: usize) -> Vec<usize> {
    let mut picked = vec![0, len - 1];
    while picked.len() < n.min(len) {
        let i = rng.random_range(0..len);
        if !picked.contains(&i) {
            picked.push(i);
        }
    }
    picked
}

#[test]
fn truncated_at_every_byte_offset() {
    let s = setup();
    let me = s.b.identity();
    let known = [s.a.identity().verifying_key()];
    // The control: the whole file is accepted by the same path.
    let payload = library_import(&s.bytes, &me, &known).expect("the valid bundle opens");
    assert_eq!(payload.messages.len(), 1);

    let mut why = Vec::new();
    for cut in 0..s.bytes.len() {
        match library_import(&s.bytes[..cut], &me, &known) {
            Ok(_) => panic!("a bundle cut at {cut} of {} was accepted", s.bytes.len()),
            Err(e) => why.push(e),
        }
    }
    let mut rng = StdRng::seed_from_u64(SEED);
    let before = s.b.dump();
    for cut in sample(&mut rng, s.bytes.len(), BINARY_SAMPLE) {
        binary_agrees(&s, &s.b, &s.bytes[..cut], &why[cut], &before);
    }
    println!(
        "truncation: {} cuts refused in-process, {BINARY_SAMPLE} through mvds import: {:?}",
        s.bytes.len(),
        tally(&why)
    );
}

#[test]
fn every_single_bit_flipped() {
    let s = setup();
    let me = s.b.identity();
    let known = [s.a.identity().verifying_key()];
    let mut why = Vec::new();
    for bit in 0..s.bytes.len() * 8 {
        let mut bytes = s.bytes.clone();
        bytes[bit / 8] ^= 1 << (bit % 8);
        match library_import(&bytes, &me, &known) {
            Ok(_) => panic!("a bundle with bit {bit} flipped was accepted"),
            Err(e) => why.push(e),
        }
    }
    let mut rng = StdRng::seed_from_u64(SEED + 1);
    let before = s.b.dump();
    for bit in sample(&mut rng, why.len(), BINARY_SAMPLE) {
        let mut bytes = s.bytes.clone();
        bytes[bit / 8] ^= 1 << (bit % 8);
        binary_agrees(&s, &s.b, &bytes, &why[bit], &before);
    }
    println!(
        "bit flips: {} flips refused in-process, {BINARY_SAMPLE} through mvds import: {:?}",
        why.len(),
        tally(&why)
    );
}

/// How many times each error was given.
fn tally(errors: &[String]) -> std::collections::BTreeMap<&str, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for e in errors {
        *counts.entry(e.as_str()).or_default() += 1;
    }
    counts
}

#[test]
fn empty_and_random_garbage() {
    let s = setup();
    let file = s.write("empty.mvds", b"");
    s.b.refused(&["import", arg(&file)], REJECTED, "empty");
    let mut rng = StdRng::seed_from_u64(SEED + 2);
    for len in [1, 9, 10, 64, 1000, 64 << 10, 1 << 20] {
        let garbage: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        let file = s.write("garbage.mvds", &garbage);
        s.b.refused(&["import", arg(&file)], REJECTED, "not an mvds bundle");
        // The same garbage behind a valid magic and version: refused by age.
        let mut bytes = s.bytes[..bundle::HEADER_LEN].to_vec();
        bytes.extend_from_slice(&garbage);
        let file = s.write("header-garbage.mvds", &bytes);
        s.b.refused(&["import", arg(&file)], REJECTED, "bundle");
        // Garbage behind a valid age header: refused by age's STREAM.
        let age_end = s.bytes.len() - 1;
        let header_end = find(&s.bytes, b"\n---").unwrap() + 4;
        let header_end = header_end + find(&s.bytes[header_end..], b"\n").unwrap() + 1;
        assert!(header_end < age_end);
        let mut bytes = s.bytes[..header_end].to_vec();
        bytes.extend_from_slice(&garbage);
        let file = s.write("age-garbage.mvds", &bytes);
        s.b.refused(&["import", arg(&file)], REJECTED, "bundle");
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn a_bundle_for_another_node() {
    let s = setup();
    s.a.ok(&["group", "share", "chat", "carol"]);
    let file = s.w.path("for-carol.mvds");
    s.a.export_to(&s.c, &file);
    let err = s.b.refused(
        &["import", arg(&file)],
        NOT_FOR_US,
        "not addressed to this node",
    );
    assert!(err.contains("hint: "), "{err}");
}

#[test]
fn a_bundle_from_an_unknown_key() {
    let s = setup();
    let stranger = s.w.node("stranger", "batch");
    stranger.ok(&["peer", "add", "bob", &s.b.contact()]);
    stranger.ok(&["group", "create", "spam"]);
    stranger.ok(&["group", "share", "spam", "bob"]);
    stranger.send("spam", "let me in");
    let file = s.w.path("stranger.mvds");
    stranger.export_to(&s.b, &file);
    let fp = stranger.identity().contact().fingerprint();
    let err =
        s.b.refused(&["import", arg(&file)], REJECTED, "unknown sender");
    assert!(
        err.contains(&fp),
        "the fingerprint {fp} is not shown: {err}"
    );
}

/// Takes a bundle apart with the recipient's age key (as only the recipient
/// can): the signed content inside it.
fn unseal(bytes: &[u8], recipient: &age::x25519::Identity) -> Inner {
    let age_file = &bytes[bundle::HEADER_LEN..];
    let decryptor = age::Decryptor::new(age_file).unwrap();
    let mut plaintext = Vec::new();
    decryptor
        .decrypt(std::iter::once(recipient as &dyn age::Identity))
        .unwrap()
        .read_to_end(&mut plaintext)
        .unwrap();
    Inner::decode(zstd::decode_all(plaintext.as_slice()).unwrap().as_slice()).unwrap()
}

/// Puts signed content back into a bundle encrypted to `to`, without
/// signing anything: magic, version, then a standard age file.
fn reseal(inner: &Inner, to: &age::x25519::Recipient) -> Vec<u8> {
    let plaintext = zstd::encode_all(inner.encode_to_vec().as_slice(), 3).unwrap();
    encrypt(&plaintext, to)
}

fn encrypt(plaintext: &[u8], to: &age::x25519::Recipient) -> Vec<u8> {
    let mut out = bundle::MAGIC.to_vec();
    out.extend_from_slice(&bundle::FORMAT_VERSION.to_be_bytes());
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(to as &dyn age::Recipient)).unwrap();
    let mut w = encryptor.wrap_output(out).unwrap();
    w.write_all(plaintext).unwrap();
    w.finish().unwrap()
}

/// The message a bundle signature covers (docs/bundle-format.md).
fn signed_message(inner: &Inner) -> Vec<u8> {
    let mut m = b"mvds bundle signature\0".to_vec();
    m.extend_from_slice(&bundle::FORMAT_VERSION.to_be_bytes());
    m.extend_from_slice(&inner.sender);
    m.extend_from_slice(&inner.recipient);
    m.extend_from_slice(&inner.recipient_x25519);
    m.extend_from_slice(&Sha256::digest(&inner.payload));
    m
}

/// alice's payload to bob with the message body changed: same length, same
/// structure, a valid payload in itself.
fn altered_payload(payload: &[u8]) -> Vec<u8> {
    let mut p = Payload::decode(payload, &Limits::default()).unwrap();
    p.messages[0].body = b"HELLO".to_vec();
    p.encode()
}

#[test]
fn signed_by_a_peer_but_altered_and_re_encrypted() {
    let s = setup();
    let (_, bob_age) = s.b.secret_keys();
    let to_bob = bob_age.to_public();
    let original = unseal(&s.bytes, &bob_age);
    let mallory = SigningKey::from_bytes(&[7; 32]);
    let carol_key = s.c.identity().verifying_key().to_bytes().to_vec();

    // Control: the content re-encrypted unchanged is a valid bundle (a new
    // file, so it is applied), which shows the construction itself is sound.
    let control = s.write("control.mvds", &reseal(&original, &to_bob));

    // The payload changed, alice's signature kept.
    let mut kept = original.clone();
    kept.payload = altered_payload(&original.payload);
    // The payload changed and signed by another key, still naming alice.
    let mut resigned = kept.clone();
    resigned.signature = mallory.sign(&signed_message(&resigned)).to_bytes().to_vec();
    // Attributed to carol, a known peer, with alice's signature.
    let mut reattributed = original.clone();
    reattributed.sender = carol_key;
    // Signed properly by a key bob does not know.
    let mut unknown = kept.clone();
    unknown.sender = mallory.verifying_key().to_bytes().to_vec();
    unknown.signature = mallory.sign(&signed_message(&unknown)).to_bytes().to_vec();
    // The recipient named in the signed content changed to carol.
    let mut readdressed = original.clone();
    readdressed.recipient = s.c.identity().verifying_key().to_bytes().to_vec();

    for (name, inner, code, what) in [
        ("kept", &kept, REJECTED, "signature does not verify"),
        ("resigned", &resigned, REJECTED, "signature does not verify"),
        (
            "reattributed",
            &reattributed,
            REJECTED,
            "signature does not verify",
        ),
        ("unknown", &unknown, REJECTED, "unknown sender"),
        (
            "readdressed",
            &readdressed,
            REJECTED,
            "signature does not verify",
        ),
    ] {
        let file = s.write(&format!("{name}.mvds"), &reseal(inner, &to_bob));
        s.b.refused(&["import", arg(&file)], code, what);
    }

    // A bundle alice signed for carol, re-encrypted to bob by carol: bob is
    // not the recipient alice signed for.
    s.a.ok(&["group", "share", "chat", "carol"]);
    let for_carol = s.w.path("for-carol.mvds");
    s.a.export_to(&s.c, &for_carol);
    let (_, carol_age) = s.c.secret_keys();
    let inner = unseal(&std::fs::read(&for_carol).unwrap(), &carol_age);
    let file = s.write("forwarded.mvds", &reseal(&inner, &to_bob));
    s.b.refused(
        &["import", arg(&file)],
        NOT_FOR_US,
        "not addressed to this node",
    );

    s.b.import(&control);
    assert_eq!(s.b.log("chat"), ["hello"]);
}

#[test]
fn a_replayed_bundle_is_a_no_op() {
    let s = setup();
    s.b.import(&s.bundle);
    // More traffic, then the old file again, alone and within a folder.
    s.b.send("chat", "reply");
    common::carry(&s.w, &s.b, &s.a);
    let before = s.b.dump();
    let out = s.b.import(&s.bundle);
    assert!(out.contains("already imported"), "{out}");
    assert_eq!(s.b.dump(), before);
    let stick = s.w.folder("stick");
    std::fs::copy(&s.bundle, stick.join("old.mvds")).unwrap();
    let r: common::Imported = s.b.json(&["import", "--dir", arg(&stick)]);
    assert_eq!((r.imported, r.already_imported), (0, 1));
    assert_eq!(s.b.dump(), before);
    assert_eq!(s.b.log("chat"), ["hello", "reply"]);
}

#[test]
fn a_future_or_unknown_format_version() {
    let s = setup();
    for version in [0u16, 2, 99, u16::MAX] {
        let mut bytes = s.bytes.clone();
        bytes[8..10].copy_from_slice(&version.to_be_bytes());
        let file = s.write(&format!("v{version}.mvds"), &bytes);
        let err = s.b.refused(
            &["import", arg(&file)],
            REJECTED,
            &format!("version {version} is not supported"),
        );
        // Only a newer version advises an upgrade; version 0 is damage.
        let hint = if version > 1 { "upgrade" } else { "damaged" };
        assert!(err.contains(hint), "{err}");
    }
}

/// A real bundle from `from` to `to` whose payload is `len` zero bytes,
/// properly signed, zstd-compressed and encrypted, built without ever
/// holding the payload: the zstd stream is many identical frames of 1 MiB
/// of zeros (a zstd stream may hold many frames).
fn zero_bundle(
    len: usize,
    from: &SigningKey,
    to: &Contact,
    to_age: &age::x25519::Recipient,
) -> Vec<u8> {
    const MIB: usize = 1 << 20;
    assert_eq!(len % MIB, 0);
    let zeros = vec![0u8; MIB];
    let mut hasher = Sha256::new();
    for _ in 0..len / MIB {
        hasher.update(&zeros);
    }
    let mut inner = Inner {
        sender: from.verifying_key().to_bytes().to_vec(),
        recipient: to.verifying_key().to_bytes().to_vec(),
        recipient_x25519: to.x25519_bytes().to_vec(),
        ..Inner::default()
    };
    let mut message = signed_message(&inner);
    message.truncate(message.len() - 32);
    message.extend_from_slice(&hasher.finalize());
    let signature = from.sign(&message).to_bytes().to_vec();

    // Fields 1-3, the payload's key and length, the zeros, then field 5.
    let mut head = inner.encode_to_vec();
    prost::encoding::encode_key(4, prost::encoding::WireType::LengthDelimited, &mut head);
    prost::encoding::encode_varint(len as u64, &mut head);
    inner = Inner {
        signature,
        ..Inner::default()
    };
    let tail = inner.encode_to_vec();
    let zero_frame = zstd::encode_all(zeros.as_slice(), 1).unwrap();
    let mut plaintext = zstd::encode_all(head.as_slice(), 1).unwrap();
    for _ in 0..len / MIB {
        plaintext.extend_from_slice(&zero_frame);
    }
    plaintext.extend_from_slice(&zstd::encode_all(tail.as_slice(), 1).unwrap());
    encrypt(&plaintext, to_age)
}

/// Runs `mvds ARGS` under `/usr/bin/time` and returns (exit code, stderr,
/// peak RSS in KiB, elapsed seconds). `None` where GNU time is missing.
fn measured(node: &Node, args: &[&str]) -> Option<(Option<i32>, String, u64, f64)> {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        return None;
    }
    let report = node.dir.with_extension("time");
    let out = std::process::Command::new(time)
        .args([
            "-f",
            "%M %e",
            "-o",
            arg(&report),
            env!("CARGO_BIN_EXE_mvds"),
        ])
        .arg("--store")
        .arg(&node.dir)
        .args(args)
        .env_remove("MVDS_HOME")
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&report).unwrap();
    let last = text.lines().last().unwrap();
    let (rss, secs) = last.split_once(' ').unwrap();
    Some((
        out.status.code(),
        String::from_utf8(out.stderr).unwrap(),
        rss.parse().unwrap(),
        secs.parse().unwrap(),
    ))
}

#[test]
fn a_zstd_bomb_is_refused_in_bounded_memory() {
    const GIB: usize = 1 << 30;
    let s = setup();
    let (alice_key, _) = s.a.secret_keys();
    let (_, bob_age) = s.b.secret_keys();
    let bomb = zero_bundle(GIB, &alice_key, &s.bob(), &bob_age.to_public());
    assert!(bomb.len() < 1 << 20, "the bomb is {} bytes", bomb.len());
    let file = s.write("bomb.mvds", &bomb);
    s.b.refused(&["import", arg(&file)], REJECTED, "larger than the limit");

    // Control: the same construction with a small payload passes the bundle
    // layer (and is refused only as an MVDS payload, since zeros are not one).
    let small = s.write(
        "zeros.mvds",
        &zero_bundle(1 << 20, &alice_key, &s.bob(), &bob_age.to_public()),
    );
    s.b.refused(
        &["import", arg(&small)],
        REJECTED,
        "the payload is malformed",
    );

    // The worst a stranger who knows bob's contact can do: content just
    // under the cap, which bob decompresses and parses before the signature
    // check refuses it (age does not authenticate the sender).
    let mallory = SigningKey::from_bytes(&[7; 32]);
    let largest = s.write(
        "largest.mvds",
        &zero_bundle(
            bundle::DEFAULT_MAX_PAYLOAD_BYTES,
            &mallory,
            &s.bob(),
            &bob_age.to_public(),
        ),
    );

    let before = s.b.dump();
    for (name, file, what, bound_mib) in [
        (
            "zstd bomb (1 GiB of zeros)",
            &file,
            "larger than the limit",
            256,
        ),
        (
            "64 MiB of zeros from a stranger",
            &largest,
            "unknown sender",
            // Two copies of the content and the process: 135 MiB measured;
            // three copies (prost decoding from a slice) measured 199 MiB.
            192,
        ),
    ] {
        let Some((code, err, rss_kib, secs)) = measured(&s.b, &["import", arg(file)]) else {
            println!("{name}: /usr/bin/time is missing, peak RSS not measured");
            continue;
        };
        assert_eq!(code, Some(REJECTED), "{err}");
        assert!(err.contains(what), "{err}");
        println!(
            "{name}, a {} byte file: refused, peak RSS {} MiB, {secs:.2} s",
            std::fs::metadata(file).unwrap().len(),
            rss_kib / 1024
        );
        // Memory is not wall time: a generous bound that still catches a
        // decoder that inflates the gigabyte or copies the content freely.
        assert!(rss_kib < bound_mib << 10, "{name}: peak RSS {rss_kib} KiB");
    }
    assert_eq!(s.b.dump(), before);
}

/// An encoded payload with one ACK, OFFER or REQUEST id of `len` bytes.
fn with_id(field: &str, len: usize) -> Vec<u8> {
    let id = vec![0xab; len];
    let mut p = pb::Payload::default();
    match field {
        "acks" => p.acks.push(id),
        "offers" => p.offers.push(id),
        "requests" => p.requests.push(id),
        _ => unreachable!(),
    }
    p.encode_to_vec()
}

/// An encoded payload with one message, shaped by `f`.
fn with_message(f: impl FnOnce(&mut pb::Message)) -> Vec<u8> {
    let mut m = pb::Message {
        group_id: vec![1; 32],
        timestamp: 1_700_000_000,
        body: b"x".to_vec(),
        metadata: Some(pb::Metadata::default()),
    };
    f(&mut m);
    pb::Payload {
        messages: vec![m],
        ..pb::Payload::default()
    }
    .encode_to_vec()
}

/// Payloads beyond the limits or with ids of the wrong length, each with
/// what the error must say. Small enough to seal and send through a bundle.
fn bad_payloads() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let limits = Limits::default();
    vec![
        ("ack-31", with_id("acks", 31), "`acks` is 31 bytes"),
        ("ack-0", with_id("acks", 0), "`acks` is 0 bytes"),
        ("offer-33", with_id("offers", 33), "`offers` is 33 bytes"),
        (
            "request-64",
            with_id("requests", 64),
            "`requests` is 64 bytes",
        ),
        (
            "parent-31",
            with_message(|m| m.metadata.as_mut().unwrap().parents = vec![vec![2; 32], vec![3; 31]]),
            "`parents` is 31 bytes",
        ),
        (
            "parents",
            with_message(|m| {
                m.metadata.as_mut().unwrap().parents = vec![vec![2; 32]; limits.max_parents + 1]
            }),
            "parents, more than the limit",
        ),
        (
            "group-id",
            with_message(|m| m.group_id = vec![1; limits.max_group_id_bytes + 1]),
            "group id is 1025 bytes",
        ),
        (
            "truncated",
            with_id("acks", 32)[..20].to_vec(),
            "malformed protobuf",
        ),
        (
            "group",
            vec![0x0b, 0x0c],
            "malformed protobuf: protobuf groups are not allowed",
        ),
    ]
}

#[test]
fn raw_payloads_beyond_the_limits_or_with_bad_ids() {
    let s = setup();
    let limits = Limits::default();
    let mut cases = bad_payloads();
    // The large ones, too costly to seal in a debug build.
    cases.push((
        "records",
        pb::Payload {
            acks: vec![vec![9; 32]; limits.max_records + 1],
            ..pb::Payload::default()
        }
        .encode_to_vec(),
        "more than 1048576 records",
    ));
    cases.push((
        "body",
        with_message(|m| m.body = vec![0; limits.max_body_bytes + 1]),
        "body is 16777217 bytes",
    ));
    for (name, bytes, what) in &cases {
        let file = s.write(&format!("{name}.pb"), bytes);
        s.b.refused(
            &["import", "--raw", "--from", "alice", arg(&file)],
            REJECTED,
            what,
        );
    }
    // Control: at the limits exactly, and with good ids, it is accepted.
    let fine = with_message(|m| {
        m.metadata.as_mut().unwrap().parents = vec![vec![2; 32]; limits.max_parents];
        m.group_id = vec![1; limits.max_group_id_bytes];
    });
    let file = s.write("fine.pb", &fine);
    s.b.ok(&["import", "--raw", "--from", "alice", arg(&file)]);
}

#[test]
fn sealed_payloads_beyond_the_limits_or_with_bad_ids() {
    // Signed by a real peer: the signature is fine, the payload is not.
    let s = setup();
    let alice = s.a.identity();
    for (name, bytes, what) in bad_payloads() {
        let file = s.write(
            &format!("{name}.mvds"),
            &bundle::seal(&bytes, &alice, &s.bob()).unwrap(),
        );
        let err = s.b.refused(&["import", arg(&file)], REJECTED, what);
        assert!(err.contains("the payload is malformed"), "{err}");
    }
}

#[test]
fn a_stick_full_of_damaged_bundles_and_one_good_one() {
    // `import --dir` skips what is damaged (exit 5) and applies the rest:
    // only the good bundle changes the store.
    let s = setup();
    let stick = s.w.folder("stick");
    let mut rng = StdRng::seed_from_u64(SEED + 3);
    let n = 40;
    for i in 0..n {
        let mut bytes = s.bytes.clone();
        if i % 2 == 0 {
            bytes.truncate(rng.random_range(0..bytes.len()));
        } else {
            let bit = rng.random_range(0..bytes.len() * 8);
            bytes[bit / 8] ^= 1 << (bit % 8);
        }
        std::fs::write(stick.join(format!("bad{i:02}.mvds")), bytes).unwrap();
    }
    std::fs::copy(&s.bundle, stick.join("good.mvds")).unwrap();
    let snapshot: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&s.b.dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
        .collect();
    let out = s.b.output(&["import", "--dir", arg(&stick), "--json"]);
    assert_eq!(out.status.code(), Some(REJECTED));
    let r: common::Imported = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r.imported, 1);
    assert_eq!(r.rejected + r.not_for_us, n);
    let good = r.bundles.iter().find(|b| b.status == "imported").unwrap();
    assert!(good.source.ends_with("good.mvds"), "{}", good.source);
    let from_the_stick = s.b.dump();

    // The same store as importing the good bundle alone into the node as it
    // was before.
    for e in std::fs::read_dir(&s.b.dir).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    for (path, bytes) in &snapshot {
        std::fs::write(path, bytes).unwrap();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = s.b.dir.join("identity.key");
        std::fs::set_permissions(key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    s.b.import(&s.bundle);
    assert_eq!(s.b.dump(), from_the_stick);
    assert_eq!(s.b.log("chat"), ["hello"]);
}

#[test]
fn hostile_input_on_stdin() {
    let s = setup();
    let before = s.b.dump();
    let truncated = s.bytes[..s.bytes.len() / 2].to_vec();
    let mut flipped = s.bytes.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x80;
    for (input, what) in [
        (Vec::new(), "empty"),
        (b"garbage".to_vec(), "not an mvds bundle"),
        (truncated, "bundle"),
        (flipped, "bundle"),
    ] {
        let out =
            s.b.cmd()
                .args(["import", "-"])
                .write_stdin(input)
                .output()
                .unwrap();
        assert_eq!(out.status.code(), Some(REJECTED));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.starts_with("mvds: ") && err.contains(what), "{err}");
        assert!(err.lines().count() <= 2, "{err}");
        assert_eq!(s.b.dump(), before);
    }
}
