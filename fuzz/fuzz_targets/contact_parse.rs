//! Parses arbitrary text as a contact string (`mvds peer add NAME CONTACT`):
//! must never panic; a contact that parses prints back to a string that
//! parses to the same contact, and can be sealed to (age panics when asked to
//! encrypt to a low-order X25519 key, so such keys must never parse).
#![no_main]

// Shared with tests/fuzz_corpus.rs; not every target uses every helper.
#[allow(dead_code)]
#[path = "../fixed_keys.rs"]
mod fixed_keys;

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use mvds::bundle::{self, Contact, Identity};

static SENDER: LazyLock<Identity> = LazyLock::new(fixed_keys::sender);

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(contact) = text.parse::<Contact>() {
        let again: Contact = contact
            .to_string()
            .parse()
            .expect("a printed contact parses");
        assert_eq!(again, contact);
        bundle::seal(b"x", &SENDER, &contact).expect("sealing to a parsed contact");
    }
});
