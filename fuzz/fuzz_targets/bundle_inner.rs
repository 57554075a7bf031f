//! Fuzzes what lies behind decryption: the input is taken as the bundle's
//! inner content (before zstd), compressed and really encrypted to the fixed
//! identity, then opened. Mutating a sealed bundle directly almost never gets
//! past age's authentication; this target reaches the protobuf, size,
//! signature, recipient and sender checks with arbitrary content.
#![no_main]

// Shared with tests/fuzz_corpus.rs; not every target uses every helper.
#[allow(dead_code)]
#[path = "../fixed_keys.rs"]
mod fixed_keys;

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use mvds::bundle::{self, Identity};

static ME: LazyLock<Identity> = LazyLock::new(fixed_keys::recipient);
static SENDER: LazyLock<[u8; 32]> =
    LazyLock::new(|| fixed_keys::sender().verifying_key().to_bytes());

fuzz_target!(|data: &[u8]| {
    let compressed = zstd::bulk::compress(data, 1).expect("compressing in memory");
    let bundle = fixed_keys::wrap_plaintext(&compressed);
    if let Ok(opened) = bundle::open(bundle.as_slice(), &ME, |k| k.to_bytes() == *SENDER) {
        assert_eq!(opened.sender.to_bytes(), *SENDER);
    }
});
