//! Fixed keys for fuzzing. The fuzz targets (`fuzz/fuzz_targets/`) and the
//! corpus test (`tests/fuzz_corpus.rs`) both include this file, so the
//! committed corpus of valid bundles, sealed with these keys, opens under
//! both. Public constants: never use these keys for anything real.

use std::io::Write;

use bech32::{Bech32, Hrp};
use mvds::bundle::{FORMAT_VERSION, Identity, MAGIC};

const RECIPIENT_ED25519: [u8; 32] = [0x11; 32];
const RECIPIENT_X25519: [u8; 32] = [0x22; 32];
const SENDER_ED25519: [u8; 32] = [0x33; 32];
const SENDER_X25519: [u8; 32] = [0x44; 32];

/// The node the fuzzed bundles are addressed to.
pub fn recipient() -> Identity {
    Identity::from_secret_bytes(RECIPIENT_ED25519, RECIPIENT_X25519)
}

/// The one sender the recipient knows.
pub fn sender() -> Identity {
    Identity::from_secret_bytes(SENDER_ED25519, SENDER_X25519)
}

/// The recipient's X25519 key as an age identity, to look inside bundles.
pub fn recipient_age_identity() -> age::x25519::Identity {
    let hrp = Hrp::parse_unchecked("age-secret-key-");
    bech32::encode_upper::<Bech32>(hrp, &RECIPIENT_X25519)
        .expect("32 bytes fit")
        .parse()
        .expect("a valid age identity")
}

/// A bundle to the recipient whose age plaintext is `plaintext`, exactly:
/// magic, version, then a real age encryption of it.
pub fn wrap_plaintext(plaintext: &[u8]) -> Vec<u8> {
    let recipient = recipient_age_identity().to_public();
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&FORMAT_VERSION.to_be_bytes());
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .expect("one recipient");
    let mut writer = encryptor.wrap_output(out).expect("writing to memory");
    writer.write_all(plaintext).expect("writing to memory");
    writer.finish().expect("writing to memory")
}
