//! A node's keys: the secret [`Identity`] (kept in an owner-only key file) and
//! the public [`Contact`] that other nodes add as a peer.
//!
//! An identity is two keys from audited crates: Ed25519 (ed25519-dalek) signs
//! bundles, X25519 (age) decrypts them. They are independent keys, not one key
//! converted to the other curve.

use std::fmt;
use std::fs;
use std::io::{Read, Write};
use std::path::Path;
use std::str::FromStr;

use age::secrecy::ExposeSecret;
use bech32::primitives::decode::{CheckedHrpstring, CheckedHrpstringError};
use bech32::{Bech32, Hrp};
use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::error::{ContactError, KeyFileError};

/// The first line of a key file; the version is in the name.
const KEY_FILE_HEADER: &str = "mvds-identity-v1";
const KEY_FILE_COMMENT: &str = "# mvds node identity: secret keys. Whoever holds this file can read this node's bundles and sign as it.";
/// A key file is a few hundred bytes; anything much larger is not one.
const MAX_KEY_FILE_BYTES: u64 = 4096;

/// Human-readable part of a contact string: contacts read `mvds1…`.
const CONTACT_HRP: &str = "mvds";
/// First data byte of a contact: the contact format version.
const CONTACT_VERSION: u8 = 1;

/// A node's secret keys.
#[derive(Clone)]
pub struct Identity {
    signing: SigningKey,
    age: age::x25519::Identity,
}

impl Identity {
    /// A fresh identity from the operating system's randomness (through
    /// `rand`'s thread-local CSPRNG, which is seeded from it).
    pub fn generate() -> Identity {
        let mut seed = [0u8; 32];
        let mut x25519 = [0u8; 32];
        rand::fill(&mut seed);
        rand::fill(&mut x25519);
        Identity::from_secret_bytes(seed, x25519)
    }

    /// The identity with these secret keys: an Ed25519 seed and an X25519
    /// secret scalar. For tests, simulations and fuzzing with fixed keys.
    pub fn from_secret_bytes(ed25519_seed: [u8; 32], x25519_secret: [u8; 32]) -> Identity {
        let hrp = Hrp::parse_unchecked("age-secret-key-");
        let text = bech32::encode_upper::<Bech32>(hrp, &x25519_secret)
            .expect("32 bytes always fit in a bech32 string");
        let age = text
            .parse::<age::x25519::Identity>()
            .expect("a bech32 age secret key of 32 bytes always parses");
        Identity {
            signing: SigningKey::from_bytes(&ed25519_seed),
            age,
        }
    }

    /// The public half, to give to other nodes.
    pub fn contact(&self) -> Contact {
        let recipient = self.age.to_public();
        Contact {
            signing: self.signing.verifying_key(),
            x25519: recipient_bytes(&recipient),
            recipient,
        }
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    pub(super) fn signing_key(&self) -> &SigningKey {
        &self.signing
    }

    pub(super) fn age_identity(&self) -> &age::x25519::Identity {
        &self.age
    }

    /// Writes the key file at `path`, readable by its owner only (mode 0600
    /// from the moment it exists). Refuses to overwrite an existing file: a
    /// lost secret key cannot be recovered.
    pub fn save(&self, path: &Path) -> Result<(), KeyFileError> {
        let io_err = |source| KeyFileError::Io {
            path: path.to_path_buf(),
            source,
        };
        let text = format!(
            "{KEY_FILE_COMMENT}\n{KEY_FILE_HEADER}\ned25519-seed {}\n{}\n",
            hex::encode(self.signing.to_bytes()),
            self.age.to_string().expose_secret()
        );
        // Written in full to a private temporary name, then linked into place:
        // link(2) fails if the target exists, so the key never overwrites one
        // and never appears half-written.
        let tmp = super::fsutil::temp_path(path);
        let result = (|| {
            let mut file = super::fsutil::create_private(&tmp)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            fs::hard_link(&tmp, path)
        })();
        let _ = fs::remove_file(&tmp);
        match result {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(KeyFileError::Exists {
                    path: path.to_path_buf(),
                });
            }
            other => other.map_err(io_err)?,
        }
        super::fsutil::sync_parent(path).map_err(io_err)
    }

    /// Reads the key file at `path`; refuses one that others can read.
    pub fn load(path: &Path) -> Result<Identity, KeyFileError> {
        let io_err = |source| KeyFileError::Io {
            path: path.to_path_buf(),
            source,
        };
        let corrupt = |reason| KeyFileError::Corrupt {
            path: path.to_path_buf(),
            reason,
        };
        let file = fs::File::open(path).map_err(io_err)?;
        let meta = file.metadata().map_err(io_err)?;
        if !meta.is_file() {
            return Err(corrupt("not a regular file"));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o7777;
            if mode & 0o077 != 0 {
                return Err(KeyFileError::TooOpen {
                    path: path.to_path_buf(),
                    mode,
                });
            }
        }
        let mut bytes = Vec::new();
        file.take(MAX_KEY_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(io_err)?;
        if bytes.len() as u64 > MAX_KEY_FILE_BYTES {
            return Err(corrupt("too large to be a key file"));
        }
        let text = std::str::from_utf8(&bytes).map_err(|_| corrupt("not UTF-8 text"))?;
        parse_key_file(text).map_err(corrupt)
    }
}

impl fmt::Debug for Identity {
    // Never print secrets, not even in a debug log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Identity({})", fingerprint(&self.verifying_key()))
    }
}

fn parse_key_file(text: &str) -> Result<Identity, &'static str> {
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    if lines.next() != Some(KEY_FILE_HEADER) {
        return Err("missing the `mvds-identity-v1` line");
    }
    let seed = lines
        .next()
        .and_then(|l| l.strip_prefix("ed25519-seed "))
        .ok_or("missing the `ed25519-seed` line")?;
    let seed: [u8; 32] = hex::decode(seed)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or("the ed25519 seed is not 64 hex digits")?;
    let age = lines
        .next()
        .ok_or("missing the AGE-SECRET-KEY line")?
        .parse::<age::x25519::Identity>()
        .map_err(|_| "the AGE-SECRET-KEY line is invalid")?;
    if lines.next().is_some() {
        return Err("unexpected lines after the keys");
    }
    Ok(Identity {
        signing: SigningKey::from_bytes(&seed),
        age,
    })
}

/// The public half of a node's identity: what a peer needs to send it bundles
/// and to check bundles it signed.
#[derive(Clone)]
pub struct Contact {
    signing: VerifyingKey,
    /// The raw X25519 public key, as bound by bundle signatures.
    x25519: [u8; 32],
    recipient: age::x25519::Recipient,
}

impl Contact {
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.signing
    }

    /// The X25519 public key (the age recipient), raw.
    pub fn x25519_bytes(&self) -> &[u8; 32] {
        &self.x25519
    }

    pub(super) fn recipient(&self) -> &age::x25519::Recipient {
        &self.recipient
    }

    /// A short fingerprint for people to compare: see [`fingerprint`].
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.signing)
    }

    /// The contact from its two raw public keys. Refuses keys of small order:
    /// no one holds their secret, and age panics when asked to encrypt to a
    /// low-order X25519 key (the shared secret would be zero).
    pub fn from_keys(signing: VerifyingKey, x25519: [u8; 32]) -> Result<Contact, ContactError> {
        if signing.is_weak() {
            return Err(ContactError::BadKey("Ed25519"));
        }
        // Any clamped scalar times a low-order point is the identity, so one
        // fixed scalar tells them apart (age's own check, done before it panics).
        let probe = x25519_dalek::StaticSecret::from([0x42; 32]);
        if !probe
            .diffie_hellman(&x25519_dalek::PublicKey::from(x25519))
            .was_contributory()
        {
            return Err(ContactError::BadKey("X25519"));
        }
        let hrp = Hrp::parse_unchecked("age");
        let text = bech32::encode_lower::<Bech32>(hrp, &x25519)
            .expect("32 bytes always fit in a bech32 string");
        let recipient = text
            .parse::<age::x25519::Recipient>()
            .expect("a bech32 age recipient of 32 bytes always parses");
        Ok(Contact {
            signing,
            x25519,
            recipient,
        })
    }
}

impl PartialEq for Contact {
    fn eq(&self, other: &Contact) -> bool {
        self.signing == other.signing && self.x25519 == other.x25519
    }
}

impl Eq for Contact {}

impl fmt::Debug for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Contact({self})")
    }
}

/// The one-line text form: bech32 (BIP 173, with its checksum against typos)
/// of `version (1) || Ed25519 key (32) || X25519 key (32)` under the
/// human-readable part `mvds`, so it reads `mvds1…`.
impl fmt::Display for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut data = Vec::with_capacity(65);
        data.push(CONTACT_VERSION);
        data.extend_from_slice(self.signing.as_bytes());
        data.extend_from_slice(&self.x25519);
        let hrp = Hrp::parse_unchecked(CONTACT_HRP);
        bech32::encode_lower_to_fmt::<Bech32, _>(f, hrp, &data).map_err(|_| fmt::Error)
    }
}

impl FromStr for Contact {
    type Err = ContactError;

    /// Parses strictly: surrounding whitespace is ignored, nothing else is.
    fn from_str(s: &str) -> Result<Contact, ContactError> {
        let s = s.trim();
        if !s.to_ascii_lowercase().starts_with("mvds1") {
            return Err(ContactError::WrongPrefix);
        }
        let checked = CheckedHrpstring::new::<Bech32>(s).map_err(|e| match e {
            CheckedHrpstringError::Checksum(_) => ContactError::Checksum,
            _ => ContactError::Malformed("not a valid bech32 string"),
        })?;
        if checked.hrp() != Hrp::parse_unchecked(CONTACT_HRP) {
            return Err(ContactError::WrongPrefix);
        }
        let data: Vec<u8> = checked.byte_iter().collect();
        let (&version, keys) = data
            .split_first()
            .ok_or(ContactError::Malformed("no data"))?;
        if version != CONTACT_VERSION {
            return Err(ContactError::UnsupportedVersion(version));
        }
        let keys: &[u8; 64] = keys
            .try_into()
            .map_err(|_| ContactError::Malformed("wrong length"))?;
        let (ed, x) = keys.split_at(32);
        let signing = VerifyingKey::from_bytes(ed.try_into().expect("split at 32"))
            .map_err(|_| ContactError::BadKey("Ed25519"))?;
        Contact::from_keys(signing, x.try_into().expect("split at 32"))
    }
}

/// A short fingerprint of a node for people to compare out of band: the first
/// 8 bytes of SHA-256 of its Ed25519 public key, as 16 hex digits.
pub fn fingerprint(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

/// The raw 32 bytes of an age X25519 recipient (its bech32 payload).
fn recipient_bytes(recipient: &age::x25519::Recipient) -> [u8; 32] {
    let text = recipient.to_string();
    let checked = CheckedHrpstring::new::<Bech32>(&text).expect("age writes valid bech32");
    let bytes: Vec<u8> = checked.byte_iter().collect();
    bytes
        .try_into()
        .expect("an age X25519 recipient holds 32 bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed() -> Identity {
        Identity::from_secret_bytes([1; 32], [2; 32])
    }

    #[test]
    fn contact_round_trips_through_text() {
        let contact = fixed().contact();
        let text = contact.to_string();
        assert!(text.starts_with("mvds1"), "{text}");
        assert_eq!(text.len(), 115);
        assert_eq!(text.parse::<Contact>().unwrap(), contact);
        // Whitespace around a pasted line is fine; upper case is valid bech32.
        assert_eq!(format!("  {text}\n").parse::<Contact>().unwrap(), contact);
        assert_eq!(text.to_uppercase().parse::<Contact>().unwrap(), contact);
        let generated = Identity::generate().contact();
        assert_eq!(generated.to_string().parse::<Contact>().unwrap(), generated);
        assert_ne!(generated, contact);
    }

    #[test]
    fn contact_parse_errors_are_specific() {
        let text = fixed().contact().to_string();
        assert_eq!("".parse::<Contact>(), Err(ContactError::WrongPrefix));
        assert_eq!(
            "age1qqqq".parse::<Contact>(),
            Err(ContactError::WrongPrefix)
        );
        // One character changed: the checksum catches it.
        let mut typo = text.clone().into_bytes();
        let i = typo.len() / 2;
        typo[i] = if typo[i] == b'q' { b'p' } else { b'q' };
        assert_eq!(
            String::from_utf8(typo).unwrap().parse::<Contact>(),
            Err(ContactError::Checksum)
        );
        // Cut short.
        assert_eq!(
            text[..text.len() - 1].parse::<Contact>(),
            Err(ContactError::Checksum)
        );
        // Mixed case is not bech32.
        let mixed = format!("MVDS1{}", &text[5..]);
        assert!(matches!(
            mixed.parse::<Contact>(),
            Err(ContactError::Malformed(_))
        ));
        let hrp = Hrp::parse_unchecked(CONTACT_HRP);
        // A future contact version.
        let mut data = vec![2u8];
        data.extend_from_slice(&[0; 64]);
        let v2 = bech32::encode::<Bech32>(hrp, &data).unwrap();
        assert_eq!(
            v2.parse::<Contact>(),
            Err(ContactError::UnsupportedVersion(2))
        );
        // Right version, wrong length.
        let short = bech32::encode::<Bech32>(hrp, &[1u8; 33]).unwrap();
        assert_eq!(
            short.parse::<Contact>(),
            Err(ContactError::Malformed("wrong length"))
        );
        // An Ed25519 key of small order (the identity point) is refused.
        let mut data = vec![1u8];
        let mut identity_point = [0u8; 32];
        identity_point[0] = 1;
        data.extend_from_slice(&identity_point);
        data.extend_from_slice(&[9; 32]);
        let weak = bech32::encode::<Bech32>(hrp, &data).unwrap();
        assert_eq!(
            weak.parse::<Contact>(),
            Err(ContactError::BadKey("Ed25519"))
        );
        // X25519 keys of small order (here u = 0 and u = 1) are refused:
        // age would panic encrypting to them.
        let ed = fixed().verifying_key();
        for low in [[0u8; 32], {
            let mut one = [0u8; 32];
            one[0] = 1;
            one
        }] {
            assert_eq!(
                Contact::from_keys(ed, low),
                Err(ContactError::BadKey("X25519"))
            );
            let mut data = vec![1u8];
            data.extend_from_slice(ed.as_bytes());
            data.extend_from_slice(&low);
            let text = bech32::encode::<Bech32>(hrp, &data).unwrap();
            assert_eq!(text.parse::<Contact>(), Err(ContactError::BadKey("X25519")));
        }
        // Another bech32 string with a valid checksum but another prefix.
        let other = bech32::encode::<Bech32>(Hrp::parse_unchecked("mvdsx"), &[1]).unwrap();
        assert_eq!(other.parse::<Contact>(), Err(ContactError::WrongPrefix));
    }

    #[test]
    fn fingerprint_is_short_hex_and_stable() {
        let fp = fixed().contact().fingerprint();
        assert_eq!(fp.len(), 16);
        assert_eq!(
            fp,
            hex::encode(&Sha256::digest(fixed().verifying_key().as_bytes())[..8])
        );
        assert_ne!(fp, Identity::generate().contact().fingerprint());
    }

    #[test]
    fn key_file_round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("identity.key");
        let id = Identity::generate();
        id.save(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let loaded = Identity::load(&path).unwrap();
        assert_eq!(loaded.contact(), id.contact());
        assert_eq!(loaded.signing.to_bytes(), id.signing.to_bytes());
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        // Never overwritten.
        assert!(matches!(
            Identity::generate().save(&path),
            Err(KeyFileError::Exists { .. })
        ));
        assert_eq!(Identity::load(&path).unwrap().contact(), id.contact());
    }

    #[cfg(unix)]
    #[test]
    fn key_file_readable_by_others_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("identity.key");
        fixed().save(&path).unwrap();
        for mode in [0o644, 0o640, 0o604, 0o660] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            let err = Identity::load(&path).unwrap_err();
            assert!(matches!(err, KeyFileError::TooOpen { mode: m, .. } if m == mode));
            let msg = err.to_string();
            assert!(
                msg.starts_with(&format!("permissions 0{mode:o} for '")),
                "{msg}"
            );
            assert!(err.hint().contains("chmod 600"), "{}", err.hint());
        }
        fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
        assert!(Identity::load(&path).is_ok());
    }

    #[test]
    fn corrupt_key_files_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let good = {
            let path = dir.path().join("good.key");
            fixed().save(&path).unwrap();
            fs::read_to_string(&path).unwrap()
        };
        let seed_line = good.lines().find(|l| l.starts_with("ed25519")).unwrap();
        let age_line = good.lines().find(|l| l.starts_with("AGE")).unwrap();
        let cases: Vec<(String, &str)> = vec![
            (String::new(), "missing the `mvds-identity-v1` line"),
            ("garbage\n".into(), "missing the `mvds-identity-v1` line"),
            (
                good.replace(seed_line, "ed25519-seed 00ff"),
                "the ed25519 seed is not 64 hex digits",
            ),
            (
                good.replace(age_line, "AGE-SECRET-KEY-1XYZ"),
                "the AGE-SECRET-KEY line is invalid",
            ),
            (
                good.replace(age_line, ""),
                "missing the AGE-SECRET-KEY line",
            ),
            (format!("{good}extra\n"), "unexpected lines after the keys"),
        ];
        for (i, (text, reason)) in cases.into_iter().enumerate() {
            let path = dir.path().join(format!("bad{i}.key"));
            fs::write(&path, text).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
            }
            match Identity::load(&path) {
                Err(KeyFileError::Corrupt { reason: r, .. }) => assert_eq!(r, reason),
                other => panic!("case {i}: {other:?}"),
            }
        }
        let missing = Identity::load(&dir.path().join("nope.key")).unwrap_err();
        assert!(matches!(missing, KeyFileError::Io { .. }));
    }

    #[test]
    fn debug_never_prints_secrets() {
        let id = fixed();
        let dbg = format!("{id:?}");
        assert!(!dbg.contains(&hex::encode(id.signing.to_bytes())));
        assert!(dbg.contains(&id.contact().fingerprint()));
    }
}
