//! What the user sees when a command fails: one line `mvds: <what is wrong>`,
//! an optional `hint: <what to do>` line, and a documented exit code
//! (docs/cli.md). Commands raise [`CliError`] for failures they understand;
//! errors from the store and the bundle format are classified here, so the
//! mapping to exit codes lives in one place.

use std::fmt;
use std::io::Write;
use std::process::ExitCode;

use mvds::bundle::{BundleError, ContactError, KeyFileError};
use mvds::engine;
use mvds::store::StoreError;
use mvds::wire::DecodeError;

/// The documented exit codes (docs/cli.md). Scripts rely on these numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Anything not covered below (an I/O error, say).
    Failure = 1,
    /// Bad arguments: unknown peer or group name, malformed contact or id.
    Usage = 2,
    /// The store is missing, exists already, is newer than this binary or is damaged.
    Store = 3,
    /// Another mvds process holds the store; try again.
    Busy = 4,
    /// An input file is not a valid bundle or payload from a known peer.
    Rejected = 5,
    /// A bundle is addressed to another node.
    NotForUs = 6,
    /// A payload for this peer was already exported in this epoch.
    AlreadyExported = 7,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

/// A failure the CLI understands, with the advice to show.
#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
    pub hint: Option<String>,
}

impl CliError {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        CliError {
            exit,
            message: message.into(),
            hint: None,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    pub fn rejected(message: impl Into<String>) -> Self {
        Self::new(Exit::Rejected, message)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

/// Whether the error is only a closed stdout (`mvds log | head`): ripgrep's
/// rule, such a run ends quietly and successfully.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The exit code and hint for an error, from the first cause that says.
pub fn classify(err: &anyhow::Error) -> (Exit, Option<String>) {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<CliError>() {
            return (e.exit, e.hint.clone());
        }
        if let Some(e) = cause.downcast_ref::<StoreError>() {
            return store_error(e);
        }
        // The store's errors reach the engine boxed, as its State errors.
        if let Some(engine::Error::State(e)) = cause.downcast_ref::<engine::Error>()
            && let Some(e) = e.downcast_ref::<StoreError>()
        {
            return store_error(e);
        }
        if let Some(e) = cause.downcast_ref::<BundleError>() {
            let exit = match e {
                BundleError::NotForUs => Exit::NotForUs,
                // A read error (a failing disk, a pulled stick) says nothing
                // about the bundle: it is a failure, not a rejected input.
                BundleError::Io(_) => Exit::Failure,
                _ => Exit::Rejected,
            };
            return (exit, Some(e.hint().to_string()));
        }
        if let Some(e) = cause.downcast_ref::<KeyFileError>() {
            return (Exit::Store, Some(e.hint()));
        }
        if let Some(e) = cause.downcast_ref::<ContactError>() {
            return (Exit::Usage, Some(e.hint().to_string()));
        }
        if cause.downcast_ref::<DecodeError>().is_some() {
            return (Exit::Rejected, None);
        }
    }
    (Exit::Failure, None)
}

fn store_error(e: &StoreError) -> (Exit, Option<String>) {
    let (exit, hint) = match e {
        StoreError::NotInitialized { .. } => (
            Exit::Store,
            "run `mvds init` first, or point --store (or MVDS_HOME) at an existing node",
        ),
        StoreError::AlreadyInitialized { .. } => (
            Exit::Store,
            "choose another directory with --store; the existing node is left untouched",
        ),
        StoreError::TooNew { .. } => (Exit::Store, "upgrade mvds to use this store"),
        StoreError::Busy => (
            Exit::Busy,
            "another mvds command is using this store; run the command again when it is done",
        ),
        StoreError::Corrupt(_) => (
            Exit::Store,
            "the store is damaged; restore the node directory from a backup",
        ),
        StoreError::DuplicatePeer(_) => (Exit::Usage, "choose another name (`mvds peer list`)"),
        StoreError::DuplicateKey(_) => (Exit::Usage, "this peer is added already"),
        StoreError::DuplicateGroup(_) => (Exit::Usage, "choose another name (`mvds status`)"),
        StoreError::DuplicateGroupId(_) => (Exit::Usage, "this group is joined already"),
        _ => return (Exit::Failure, None),
    };
    (exit, Some(hint.to_string()))
}

/// Prints the error (one line, plus a hint) and returns its exit code.
pub fn report(err: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(err) {
        return ExitCode::SUCCESS;
    }
    let (exit, hint) = classify(err);
    // `{:#}` joins the context chain on one line: "cannot read x: not found".
    let message = format!("{err:#}").replace('\n', " ");
    // A report that cannot be written has nowhere else to go.
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "mvds: {message}");
    if let Some(hint) = hint {
        let _ = writeln!(err, "hint: {hint}");
    }
    exit.into()
}
