//! Decodes arbitrary bytes as an MVDS payload with the default limits: must
//! never panic, and whatever decodes must re-encode to a payload that decodes
//! to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mvds::wire::{Limits, Payload};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(payload) = Payload::decode(data, &limits) {
        let again =
            Payload::decode(&payload.encode(), &limits).expect("re-encoded payload decodes");
        assert_eq!(again, payload);
    }
});
