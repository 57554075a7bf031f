//! Errors of the bundle layer, each with one line of advice for the person who
//! hit it (age's `err-…` / `rec-…` pairs).

use std::path::PathBuf;

/// Why a bundle could not be sealed or opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// Bad magic, garbage or empty input.
    #[error("not an mvds bundle: {0}")]
    NotABundle(&'static str),
    #[error("bundle format version {found} is not supported (this mvds reads version {supported})")]
    UnsupportedVersion { found: u16, supported: u16 },
    #[error("the bundle is truncated")]
    Truncated,
    /// No age stanza opens with our key, or the signed content names another recipient.
    #[error("the bundle is not addressed to this node")]
    NotForUs,
    #[error("the bundle is signed by an unknown sender (fingerprint {fingerprint})")]
    UnknownSender { fingerprint: String },
    #[error("the bundle's signature does not verify")]
    BadSignature,
    /// The encrypted stream failed authentication: the file was modified,
    /// damaged, or cut inside its last chunk (age cannot tell these apart).
    #[error("the bundle was modified, damaged or cut short (decryption failed)")]
    Tampered,
    #[error("the bundle's payload is larger than the limit of {limit} bytes")]
    TooLarge { limit: usize },
    /// Decrypted correctly but the content is malformed.
    #[error("the bundle's content is malformed: {0}")]
    Corrupt(&'static str),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl BundleError {
    /// One line of advice for the person who hit this error.
    pub fn hint(&self) -> &'static str {
        match self {
            BundleError::NotABundle(_) => {
                "check the file name: this file was not written by `mvds export`"
            }
            BundleError::UnsupportedVersion { found, supported } if found > supported => {
                "the bundle was written by a newer mvds; upgrade mvds to read it"
            }
            BundleError::UnsupportedVersion { .. } => {
                "no mvds writes this format version: the file is damaged or not a bundle"
            }
            BundleError::Truncated => {
                "the file was cut short in transit; copy it again or ask the sender to export again"
            }
            BundleError::NotForUs => {
                "this bundle was exported for another node; `mvds inspect` shows what can be read without keys"
            }
            BundleError::UnknownSender { .. } => {
                "add the sender first with `mvds peer add NAME CONTACT`, after checking its fingerprint with them"
            }
            BundleError::BadSignature => {
                "the bundle is forged or damaged; do not trust it, and ask the sender to export again"
            }
            BundleError::Tampered => {
                "the file was changed after it was written; copy it again or ask the sender to export again"
            }
            BundleError::TooLarge { .. } => {
                "ask the sender to export smaller bundles (fewer or smaller messages per bundle)"
            }
            BundleError::Corrupt(_) => {
                "the sender's mvds wrote a malformed bundle; ask them to upgrade and export again"
            }
            BundleError::Io(_) => {
                "check that the file exists, is readable and the disk is not full"
            }
        }
    }
}

/// Why a key file could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileError {
    #[error("permissions {mode:04o} for '{}' are too open", path.display())]
    TooOpen { path: PathBuf, mode: u32 },
    #[error("key file '{}' is corrupt: {reason}", path.display())]
    Corrupt { path: PathBuf, reason: &'static str },
    #[error("key file '{}' already exists", path.display())]
    Exists { path: PathBuf },
    #[error("key file '{}': {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl KeyFileError {
    /// One line of advice for the person who hit this error.
    pub fn hint(&self) -> String {
        match self {
            KeyFileError::TooOpen { path, .. } => format!(
                "the key must be readable by its owner only; run chmod 600 '{}'",
                path.display()
            ),
            KeyFileError::Corrupt { .. } => {
                "the key file was damaged or edited; restore it from a backup".to_string()
            }
            KeyFileError::Exists { .. } => {
                "refusing to overwrite a secret key; move the old file away first".to_string()
            }
            KeyFileError::Io { .. } => {
                "check that the store directory exists and is accessible".to_string()
            }
        }
    }
}

/// Why a contact string (`mvds id` output) could not be parsed.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContactError {
    #[error("a contact starts with `mvds1`")]
    WrongPrefix,
    #[error("the contact is mistyped or incomplete (checksum mismatch)")]
    Checksum,
    #[error("the contact is malformed: {0}")]
    Malformed(&'static str),
    #[error("contact version {0} is not supported")]
    UnsupportedVersion(u8),
    #[error("the contact holds an invalid {0} key")]
    BadKey(&'static str),
}

impl ContactError {
    /// One line of advice for the person who hit this error.
    pub fn hint(&self) -> &'static str {
        match self {
            ContactError::UnsupportedVersion(_) => {
                "the contact comes from a newer mvds; upgrade mvds"
            }
            _ => "copy the whole line printed by `mvds id` on the other node, without changes",
        }
    }
}
