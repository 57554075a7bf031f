//! Opens arbitrary bytes as a bundle addressed to a fixed identity from a
//! fixed known sender. The seed corpus holds valid bundles sealed with those
//! keys, so mutations start from files that decrypt. Must never panic, and
//! anything that opens must come from the known sender.
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
    let _ = bundle::inspect_header(data);
    if let Ok(opened) = bundle::open(data, &ME, |k| k.to_bytes() == *SENDER) {
        assert_eq!(opened.sender.to_bytes(), *SENDER);
    }
});
