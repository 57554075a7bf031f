use super::*;

fn alice() -> Identity {
    Identity::from_secret_bytes([1; 32], [2; 32])
}

fn bob() -> Identity {
    Identity::from_secret_bytes([3; 32], [4; 32])
}

fn carol() -> Identity {
    Identity::from_secret_bytes([5; 32], [6; 32])
}

fn anyone(_: &VerifyingKey) -> bool {
    true
}

/// A payload that compresses somewhat, like real MVDS payloads.
fn sample_payload(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i % 251) as u8 ^ (i / 997) as u8)
        .collect()
}

/// Builds a bundle around arbitrary inner bytes (already protobuf or not),
/// with the real magic, zstd and age layers, so a test can reach past
/// decryption with content `seal` would never write.
fn wrap_inner(inner: &[u8], to: &Contact) -> Vec<u8> {
    wrap_plaintext(&zstd::encode_all(inner, ZSTD_LEVEL).unwrap(), to)
}

/// Builds a bundle whose age plaintext is `plaintext` as given (no zstd).
fn wrap_plaintext(plaintext: &[u8], to: &Contact) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_be_bytes());
    let encryptor =
        age::Encryptor::with_recipients(iter::once(to.recipient() as &dyn age::Recipient)).unwrap();
    let mut w = encryptor.wrap_output(out).unwrap();
    w.write_all(plaintext).unwrap();
    w.finish().unwrap()
}

/// A correctly signed inner message, to be altered by a test.
fn signed_inner(payload: &[u8], from: &Identity, to: &Contact) -> pb::Inner {
    let message = signed_message(
        FORMAT_VERSION,
        from.verifying_key().as_bytes(),
        to.verifying_key().as_bytes(),
        to.x25519_bytes(),
        payload,
    );
    pb::Inner {
        sender: from.verifying_key().to_bytes().to_vec(),
        recipient: to.verifying_key().to_bytes().to_vec(),
        recipient_x25519: to.x25519_bytes().to_vec(),
        payload: payload.to_vec(),
        signature: from.signing_key().sign(&message).to_bytes().to_vec(),
    }
}

#[test]
fn round_trip() {
    for len in [0, 1, 1000, 200_000] {
        let payload = sample_payload(len);
        let bundle = seal(&payload, &alice(), &bob().contact()).unwrap();
        assert_eq!(&bundle[..HEADER_LEN], b"MVDSBNDL\x00\x01");
        let opened = open(bundle.as_slice(), &bob(), |k| *k == alice().verifying_key()).unwrap();
        assert_eq!(opened.payload, payload);
        assert_eq!(opened.sender, alice().verifying_key());
    }
}

#[test]
fn seal_to_writes_the_same_format() {
    let payload = sample_payload(5000);
    let out = seal_to(&payload, &alice(), &bob().contact(), Vec::new()).unwrap();
    let opened = open(out.as_slice(), &bob(), anyone).unwrap();
    assert_eq!(opened.payload, payload);
}

#[test]
fn wrong_recipient_is_not_for_us() {
    let bundle = seal(b"hello", &alice(), &bob().contact()).unwrap();
    assert!(matches!(
        open(bundle.as_slice(), &carol(), anyone),
        Err(BundleError::NotForUs)
    ));
}

#[test]
fn bundle_signed_for_another_and_reencrypted_to_us_is_refused() {
    // Carol received a bundle from Alice and forwards its signed content to
    // Bob under a fresh encryption: the signature names Carol as recipient.
    let inner = signed_inner(b"for carol", &alice(), &carol().contact()).encode_to_vec();
    let forwarded = wrap_inner(&inner, &bob().contact());
    assert!(matches!(
        open(forwarded.as_slice(), &bob(), anyone),
        Err(BundleError::NotForUs)
    ));
    // The same content wrapped for Carol opens: the helper is faithful.
    let direct = wrap_inner(&inner, &carol().contact());
    assert_eq!(
        open(direct.as_slice(), &carol(), anyone).unwrap().payload,
        b"for carol"
    );
}

#[test]
fn unknown_sender_is_refused_with_its_fingerprint() {
    let bundle = seal(b"hello", &carol(), &bob().contact()).unwrap();
    match open(bundle.as_slice(), &bob(), |k| *k == alice().verifying_key()) {
        Err(BundleError::UnknownSender { fingerprint: fp }) => {
            assert_eq!(fp, carol().contact().fingerprint())
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn forged_and_mismatched_signatures_are_refused() {
    let to = bob().contact();
    let good = signed_inner(b"payload", &alice(), &to);

    let mut flipped = good.clone();
    flipped.signature[10] ^= 1;
    // Payload changed after signing.
    let mut altered = good.clone();
    altered.payload = b"payloaD".to_vec();
    // Claims to come from Carol with Alice's signature.
    let mut impostor = good.clone();
    impostor.sender = carol().verifying_key().to_bytes().to_vec();
    // Signed for Bob's Ed25519 key but another X25519 key.
    let mut other_x = good.clone();
    other_x.recipient_x25519 = carol().contact().x25519_bytes().to_vec();
    for inner in [flipped, altered, impostor, other_x] {
        let bundle = wrap_inner(&inner.encode_to_vec(), &to);
        assert!(matches!(
            open(bundle.as_slice(), &bob(), anyone),
            Err(BundleError::BadSignature)
        ));
    }
}

#[test]
fn malformed_inner_content_is_corrupt() {
    let to = bob().contact();
    let mut short_key = signed_inner(b"p", &alice(), &to);
    short_key.sender.pop();
    let mut long_sig = signed_inner(b"p", &alice(), &to);
    long_sig.signature.push(0);
    // A correctly signed content with an extra field the signature does not
    // cover, or a field given twice (protobuf keeps the last one).
    let mut extra = signed_inner(b"p", &alice(), &to).encode_to_vec();
    extra.extend_from_slice(&[0x30, 0x01]); // field 6, varint 1
    let mut twice = signed_inner(b"p", &alice(), &to).encode_to_vec();
    let mut first_payload = Vec::new();
    prost::encoding::bytes::encode(4, &b"q".to_vec(), &mut first_payload);
    twice.splice(0..0, first_payload);
    let cases = [
        (extra, "the signed content has unexpected fields"),
        (twice, "the signed content has unexpected fields"),
        (short_key.encode_to_vec(), "the sender key is not 32 bytes"),
        (long_sig.encode_to_vec(), "the signature is not 64 bytes"),
        (Vec::new(), "the sender key is not 32 bytes"),
        (vec![0xff; 20], "the signed content is not valid protobuf"),
    ];
    for (inner, reason) in cases {
        let bundle = wrap_inner(&inner, &to);
        match open(bundle.as_slice(), &bob(), anyone) {
            Err(BundleError::Corrupt(r)) => assert_eq!(r, reason),
            other => panic!("{reason}: {other:?}"),
        }
    }
    // Encrypted correctly, but not zstd inside.
    let not_zstd = wrap_plaintext(b"plain text, not zstd", &to);
    assert!(matches!(
        open(not_zstd.as_slice(), &bob(), anyone),
        Err(BundleError::Corrupt("the compressed content is malformed"))
    ));
    // A zstd frame cut short inside a complete age stream.
    let frame = zstd::encode_all(&sample_payload(10_000)[..], 1).unwrap();
    let cut = wrap_plaintext(&frame[..frame.len() / 2], &to);
    assert!(matches!(
        open(cut.as_slice(), &bob(), anyone),
        Err(BundleError::Corrupt("the compressed content is malformed"))
    ));
}

#[test]
fn every_truncation_fails() {
    let bundle = seal(&sample_payload(100), &alice(), &bob().contact()).unwrap();
    assert!(matches!(
        open(&bundle[..0], &bob(), anyone),
        Err(BundleError::NotABundle("the input is empty"))
    ));
    let mut truncated = 0;
    for cut in 1..bundle.len() {
        match open(&bundle[..cut], &bob(), anyone) {
            Err(BundleError::Truncated) => truncated += 1,
            // A cut inside an encrypted chunk fails its authentication, and
            // age cannot tell a cut from a modification there.
            Err(BundleError::Tampered) => {}
            other => panic!("cut at {cut} of {}: {other:?}", bundle.len()),
        }
    }
    // Everything up to the end of the age header reads as truncated.
    assert!(truncated > 200, "{truncated} of {}", bundle.len());
}

#[test]
fn cut_at_a_chunk_boundary_is_truncated() {
    // Incompressible, so the age stream has several 64 KiB chunks.
    let mut x = 1u64;
    let payload: Vec<u8> = (0..200_000)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 56) as u8
        })
        .collect();
    let bundle = seal(&payload, &alice(), &bob().contact()).unwrap();
    // The age header ends with the line "--- <mac>\n"; a 16-byte nonce follows.
    let mac_line = bundle.windows(4).position(|w| w == b"\n---").unwrap() + 1;
    let header_end = mac_line + bundle[mac_line..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let stream_start = header_end + 16;
    for chunks in 0..3 {
        let cut = stream_start + chunks * (64 * 1024 + 16);
        assert!(cut < bundle.len());
        let e = open(&bundle[..cut], &bob(), anyone);
        assert!(matches!(e, Err(BundleError::Truncated)), "{chunks}: {e:?}");
    }
}

#[test]
fn appended_bytes_fail() {
    let mut bundle = seal(b"hello", &alice(), &bob().contact()).unwrap();
    bundle.push(0);
    assert!(matches!(
        open(bundle.as_slice(), &bob(), anyone),
        Err(BundleError::Tampered)
    ));
}

#[test]
fn bit_flips_fail() {
    let bundle = seal(&sample_payload(64), &alice(), &bob().contact()).unwrap();
    for i in 0..bundle.len() {
        for bit in [0, 7] {
            let mut damaged = bundle.clone();
            damaged[i] ^= 1 << bit;
            let result = open(damaged.as_slice(), &bob(), anyone);
            assert!(result.is_err(), "flip of bit {bit} of byte {i} opened");
        }
    }
}

#[test]
fn future_version_bad_magic_and_empty_input() {
    let mut bundle = seal(b"hello", &alice(), &bob().contact()).unwrap();
    bundle[9] = 2;
    match open(bundle.as_slice(), &bob(), anyone) {
        Err(e @ BundleError::UnsupportedVersion { .. }) => {
            assert!(matches!(
                e,
                BundleError::UnsupportedVersion {
                    found: 2,
                    supported: 1
                }
            ));
            assert!(e.hint().contains("upgrade mvds"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        inspect_header(&bundle),
        Err(BundleError::UnsupportedVersion { found: 2, .. })
    ));
    bundle[0] = b'X';
    assert!(matches!(
        open(bundle.as_slice(), &bob(), anyone),
        Err(BundleError::NotABundle("wrong magic bytes"))
    ));
    assert!(matches!(
        open(&b""[..], &bob(), anyone),
        Err(BundleError::NotABundle("the input is empty"))
    ));
    assert!(matches!(
        open(&b"age-encryption.org/v1\n"[..], &bob(), anyone),
        Err(BundleError::NotABundle(_))
    ));
    // Magic and version, then garbage.
    let mut garbage = b"MVDSBNDL\x00\x01".to_vec();
    garbage.extend_from_slice(&[0x55; 100]);
    assert!(matches!(
        open(garbage.as_slice(), &bob(), anyone),
        Err(BundleError::Corrupt(_))
    ));
}

#[test]
fn inspect_reads_header_without_keys() {
    let bundle = seal(&sample_payload(1000), &alice(), &bob().contact()).unwrap();
    assert_eq!(
        inspect_header(&bundle).unwrap(),
        Header {
            version: FORMAT_VERSION,
            len: bundle.len() as u64
        }
    );
    assert!(matches!(
        inspect_header(b""),
        Err(BundleError::NotABundle(_))
    ));
    assert!(matches!(
        inspect_header(b"MVDSBN"),
        Err(BundleError::Truncated)
    ));
    assert!(matches!(
        inspect_header(b"MVDSBNDL\x00\x01not age"),
        Err(BundleError::Corrupt(_))
    ));
}

#[test]
fn payload_limits_apply_on_both_sides() {
    let too_big = vec![0u8; DEFAULT_MAX_PAYLOAD_BYTES + 1];
    assert!(matches!(
        seal(&too_big, &alice(), &bob().contact()),
        Err(BundleError::TooLarge { limit }) if limit == DEFAULT_MAX_PAYLOAD_BYTES
    ));
    let bundle = seal(&sample_payload(10_000), &alice(), &bob().contact()).unwrap();
    assert!(matches!(
        open_with_limit(bundle.as_slice(), &bob(), anyone, 9_999),
        Err(BundleError::TooLarge { limit: 9_999 })
    ));
    assert!(open_with_limit(bundle.as_slice(), &bob(), anyone, 10_000).is_ok());
    // No overflow at the top of the range.
    assert!(open_with_limit(bundle.as_slice(), &bob(), anyone, usize::MAX).is_ok());
}

#[test]
fn decompression_bomb_is_refused_at_the_cap() {
    // A real, properly signed and encrypted bundle whose payload is 1 GiB of
    // zeros: only the size cap can stop it. The zstd stream is 1024 identical
    // frames of 1 MiB of zeros each (a zstd stream may hold many frames), so
    // the test compresses 1 MiB once and never holds the gigabyte.
    const GIB: usize = 1 << 30;
    const MIB: usize = 1 << 20;
    let from = alice();
    let to = bob().contact();
    let zeros = vec![0u8; MIB];
    let mut hasher = Sha256::new();
    for _ in 0..GIB / MIB {
        hasher.update(&zeros);
    }
    let mut message = Vec::new();
    message.extend_from_slice(SIGNATURE_CONTEXT);
    message.extend_from_slice(&FORMAT_VERSION.to_be_bytes());
    message.extend_from_slice(from.verifying_key().as_bytes());
    message.extend_from_slice(to.verifying_key().as_bytes());
    message.extend_from_slice(to.x25519_bytes());
    message.extend_from_slice(&hasher.finalize());
    let signature = from.signing_key().sign(&message);

    // The Inner message field by field with prost's encoders: the keys, the
    // payload's key and length, the payload, then the signature.
    let mut head = pb::Inner {
        sender: from.verifying_key().to_bytes().to_vec(),
        recipient: to.verifying_key().to_bytes().to_vec(),
        recipient_x25519: to.x25519_bytes().to_vec(),
        ..Default::default()
    }
    .encode_to_vec();
    prost::encoding::encode_key(4, prost::encoding::WireType::LengthDelimited, &mut head);
    prost::encoding::encode_varint(GIB as u64, &mut head);
    let tail = pb::Inner {
        signature: signature.to_bytes().to_vec(),
        ..Default::default()
    }
    .encode_to_vec();
    let zero_frame = zstd::encode_all(zeros.as_slice(), 1).unwrap();

    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_be_bytes());
    let encryptor =
        age::Encryptor::with_recipients(iter::once(to.recipient() as &dyn age::Recipient)).unwrap();
    let mut w = encryptor.wrap_output(out).unwrap();
    w.write_all(&zstd::encode_all(head.as_slice(), 1).unwrap())
        .unwrap();
    for _ in 0..GIB / MIB {
        w.write_all(&zero_frame).unwrap();
    }
    w.write_all(&zstd::encode_all(tail.as_slice(), 1).unwrap())
        .unwrap();
    let bomb = w.finish().unwrap();
    assert!(bomb.len() < MIB, "the bomb is {} bytes", bomb.len());

    assert!(matches!(
        open(bomb.as_slice(), &bob(), anyone),
        Err(BundleError::TooLarge { limit }) if limit == DEFAULT_MAX_PAYLOAD_BYTES
    ));
    // The same construction with a small payload opens: the bomb is refused
    // for its size only, not for a flaw in how it was built.
    let small = 3 * MIB;
    let mut hasher = Sha256::new();
    hasher.update(vec![0u8; small]);
    message.truncate(message.len() - 32);
    message.extend_from_slice(&hasher.finalize());
    let mut head = pb::Inner {
        sender: from.verifying_key().to_bytes().to_vec(),
        recipient: to.verifying_key().to_bytes().to_vec(),
        recipient_x25519: to.x25519_bytes().to_vec(),
        ..Default::default()
    }
    .encode_to_vec();
    prost::encoding::encode_key(4, prost::encoding::WireType::LengthDelimited, &mut head);
    prost::encoding::encode_varint(small as u64, &mut head);
    let tail = pb::Inner {
        signature: from.signing_key().sign(&message).to_bytes().to_vec(),
        ..Default::default()
    }
    .encode_to_vec();
    let encryptor =
        age::Encryptor::with_recipients(iter::once(to.recipient() as &dyn age::Recipient)).unwrap();
    let mut w = encryptor.wrap_output(b"MVDSBNDL\x00\x01".to_vec()).unwrap();
    w.write_all(&zstd::encode_all(head.as_slice(), 1).unwrap())
        .unwrap();
    for _ in 0..small / MIB {
        w.write_all(&zero_frame).unwrap();
    }
    w.write_all(&zstd::encode_all(tail.as_slice(), 1).unwrap())
        .unwrap();
    let fine = w.finish().unwrap();
    assert_eq!(
        open(fine.as_slice(), &bob(), anyone).unwrap().payload,
        vec![0u8; small]
    );
}

#[test]
fn oversized_age_headers_are_refused() {
    let mut long_line = b"MVDSBNDL\x00\x01age-encryption.org/v1\n-> X25519 ".to_vec();
    long_line.extend(std::iter::repeat_n(b'A', 1 << 20));
    let mut many_lines = b"MVDSBNDL\x00\x01age-encryption.org/v1\n".to_vec();
    for _ in 0..100_000 {
        many_lines.extend_from_slice(b"-> a\n");
    }
    for bytes in [long_line, many_lines] {
        assert!(matches!(
            open(bytes.as_slice(), &bob(), anyone),
            Err(BundleError::Corrupt("the age header is too large"))
        ));
        assert!(matches!(
            inspect_header(&bytes),
            Err(BundleError::Corrupt("the age header is too large"))
        ));
    }
}

#[test]
fn zstd_frames_with_large_windows_are_refused() {
    // Bounded decoder memory: a frame asking for a 16 MiB window is refused
    // even though its content is tiny.
    let inner = signed_inner(b"p", &alice(), &bob().contact()).encode_to_vec();
    let mut z = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
    z.window_log(ZSTD_WINDOW_LOG_MAX + 1).unwrap();
    z.include_contentsize(false).unwrap();
    z.write_all(&inner).unwrap();
    let frame = z.finish().unwrap();
    let bundle = wrap_plaintext(&frame, &bob().contact());
    assert!(matches!(
        open(bundle.as_slice(), &bob(), anyone),
        Err(BundleError::Corrupt("the compressed content is malformed"))
    ));
    // The same content in an ordinary frame opens.
    let bundle = wrap_inner(&inner, &bob().contact());
    assert_eq!(
        open(bundle.as_slice(), &bob(), anyone).unwrap().payload,
        b"p"
    );
}

#[test]
fn any_contact_that_parses_can_be_sealed_to() {
    // age panics encrypting to a low-order X25519 key; Contact must never
    // hold one. Arbitrary X25519 keys, including all low-order u < 64:
    let ed = alice().verifying_key();
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut keys: Vec<[u8; 32]> = (0u8..64)
        .map(|u| {
            let mut k = [0u8; 32];
            k[0] = u;
            k
        })
        .collect();
    keys.extend((0..64).map(|_| {
        let mut k = [0u8; 32];
        for b in &mut k {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        k
    }));
    let mut refused = 0;
    for key in keys {
        match Contact::from_keys(ed, key) {
            Ok(to) => {
                let bundle = seal(b"x", &alice(), &to).unwrap();
                assert!(matches!(
                    open(bundle.as_slice(), &bob(), anyone),
                    Err(BundleError::NotForUs)
                ));
            }
            Err(e) => {
                assert_eq!(e, ContactError::BadKey("X25519"));
                refused += 1;
            }
        }
    }
    // u = 0 and u = 1 are the low-order points below 64.
    assert_eq!(refused, 2);
}

/// Hands out `good` bytes, then fails like a dying disk.
struct FailingReader<'a> {
    good: &'a [u8],
}

impl Read for FailingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.good.is_empty() {
            return Err(io::Error::other("disk on fire"));
        }
        self.good.read(buf)
    }
}

#[test]
fn read_errors_are_io_errors_not_verdicts_on_the_bundle() {
    let bundle = seal(&sample_payload(200_000), &alice(), &bob().contact()).unwrap();
    // In the clear header, in the age header, in the encrypted stream.
    for good in [4, 40, bundle.len() / 2, bundle.len() - 1] {
        let input = FailingReader {
            good: &bundle[..good],
        };
        let result = open(input, &bob(), anyone);
        assert!(
            matches!(&result, Err(BundleError::Io(e)) if e.to_string() == "disk on fire"),
            "{good}: {result:?}"
        );
    }
}

#[test]
fn errors_are_one_line_with_a_hint() {
    let errors = [
        BundleError::NotABundle("wrong magic bytes"),
        BundleError::UnsupportedVersion {
            found: 2,
            supported: 1,
        },
        BundleError::Truncated,
        BundleError::NotForUs,
        BundleError::UnknownSender {
            fingerprint: "0011223344556677".into(),
        },
        BundleError::BadSignature,
        BundleError::Tampered,
        BundleError::TooLarge { limit: 5 },
        BundleError::Corrupt("x"),
        BundleError::Io(io::Error::other("disk on fire")),
    ];
    for e in errors {
        let msg = e.to_string();
        assert!(!msg.is_empty() && !msg.contains('\n'), "{msg:?}");
        assert!(!e.hint().is_empty() && !e.hint().contains('\n'));
    }
}

/// Prints throughput figures; run with
/// `cargo test --release --lib bundle::tests::throughput -- --ignored --nocapture`.
#[test]
#[ignore = "benchmark: prints figures"]
fn throughput() {
    // Incompressible bytes (xorshift64) are the worst case for zstd and age.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let random: Vec<u8> = (0..15 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let to = bob().contact();
    for (name, payload) in [
        ("compressible", sample_payload(15 << 20)),
        ("random", random),
    ] {
        let start = std::time::Instant::now();
        let bundle = seal(&payload, &alice(), &to).unwrap();
        let sealed = start.elapsed();
        let start = std::time::Instant::now();
        let opened = open(bundle.as_slice(), &bob(), anyone).unwrap();
        let opened_in = start.elapsed();
        assert_eq!(opened.payload, payload);
        println!(
            "15 MiB {name} payload -> {} byte bundle: seal {sealed:?}, open {opened_in:?}",
            bundle.len()
        );
    }
}
