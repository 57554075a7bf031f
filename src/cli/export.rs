//! `mvds export --to PEER`: the peer's payload for this epoch (ACKs, due
//! records, ephemeral messages) as a bundle, signed by this node and
//! encrypted to the peer; or, with `--raw`, as the bare protobuf payload.
//!
//! One payload per peer per epoch (the engine's rule): an export when nothing
//! is due still writes a valid bundle with an empty payload, and a second
//! export in the same epoch fails (exit 7) until `mvds tick`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use mvds::bundle;
use mvds::engine::{self, State as _};
use mvds::wire::Payload;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::args::ExportArgs;
use super::error::{CliError, Exit};
use super::progress::Progress;
use super::text::{count, counts};
use super::{Ctx, peer_contact, peer_named, print_json};

/// `export --json` (docs/cli.md).
#[derive(Serialize)]
struct Exported {
    peer: String,
    epoch: u64,
    raw: bool,
    /// The file written, `null` for stdout.
    file: Option<PathBuf>,
    bytes: usize,
    records: usize,
    acks: usize,
    offers: usize,
    requests: usize,
    messages: usize,
}

pub fn run(ctx: &Ctx, args: &ExportArgs) -> Result<()> {
    let to_stdout = args.dir.is_none() && args.output.as_deref().is_none_or(|o| o == "-");
    if to_stdout && std::io::stdout().is_terminal() {
        // As age does: binary on a terminal helps nobody and can upset it.
        return Err(
            CliError::usage("refusing to write a binary bundle to the terminal")
                .hint("redirect stdout (`-o - > FILE`, `-o - | ssh …`) or use -o FILE / --dir DIR")
                .into(),
        );
    }
    let mut progress = Progress::new();
    let mut store = ctx.open()?;
    let identity = ctx.identity(&store)?;
    let tx = store.begin()?;
    let peer = peer_named(&tx, &args.to)?;
    let contact = peer_contact(&peer)?;
    let epoch = tx.epoch()?;
    let mut node = tx.node()?;
    if node
        .state_mut()
        .last_transmit(peer.id)
        .map_err(engine::Error::from)?
        == Some(epoch)
    {
        return Err(CliError::new(
            Exit::AlreadyExported,
            format!(
                "a payload for '{}' was exported in epoch {epoch} already",
                peer.name
            ),
        )
        .hint("run `mvds tick` to start the next epoch")
        .into());
    }
    progress.show(format_args!("collecting the payload for {}", peer.name));
    let payload = match node.poll_transmit(peer.id, epoch)? {
        Some(payload) => payload,
        None => {
            // Nothing due: an empty payload still uses up the epoch, so the
            // rule scripts see is simply "one export per peer per epoch".
            node.state_mut()
                .set_last_transmit(peer.id, epoch)
                .map_err(engine::Error::from)?;
            Payload::default()
        }
    };
    drop(node);
    progress.show(format_args!(
        "sealing {} for {}",
        count(payload.record_count() as u64, "record"),
        peer.name
    ));
    let encoded = payload.encode();
    let bytes = if args.raw {
        encoded
    } else {
        bundle::seal(&encoded, &identity, &contact)?
    };
    progress.show(format_args!("writing {} bytes", bytes.len()));
    // The file is complete before the state moves on: if the command fails
    // here, the transaction rolls back and the next export repeats it.
    let file = match (&args.dir, &args.output) {
        (Some(dir), _) => {
            let name = file_name(&bytes, args.raw);
            let path = dir.join(name);
            write_file(&path, &bytes)?;
            Some(path)
        }
        (None, Some(path)) if path.as_os_str() != "-" => {
            write_file(path, &bytes)?;
            Some(path.clone())
        }
        // `-o -` (clap requires -o or --dir).
        (None, _) => {
            let mut out = std::io::stdout().lock();
            // Not the quiet broken pipe of a display command: the bundle did
            // not get through, so this export fails (and is rolled back).
            out.write_all(&bytes)
                .and_then(|()| out.flush())
                .map_err(|e| {
                    CliError::new(
                        Exit::Failure,
                        format!("cannot write the bundle to stdout: {e}"),
                    )
                })?;
            None
        }
    };
    tx.commit()?;
    progress.clear();
    let summary = Exported {
        peer: peer.name,
        epoch,
        raw: args.raw,
        file,
        bytes: bytes.len(),
        records: payload.record_count(),
        acks: payload.acks.len(),
        offers: payload.offers.len(),
        requests: payload.requests.len(),
        messages: payload.messages.len(),
    };
    report(&summary, args.json)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    bundle::write_atomic(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// A name unique to this export that says nothing about sender, recipient or
/// epoch (a stick anyone may look at should show no more than the bundle
/// itself does): `<SHA-256 prefix of the file>.mvds` (`.pb` when raw, so
/// `import --dir` leaves it alone).
fn file_name(bytes: &[u8], raw: bool) -> String {
    let digest = hex::encode(&Sha256::digest(bytes)[..8]);
    let ext = if raw { "pb" } else { "mvds" };
    format!("{digest}.{ext}")
}

fn report(summary: &Exported, json: bool) -> Result<()> {
    let stdout_free = summary.file.is_some();
    if json {
        if stdout_free {
            return print_json(summary);
        }
        // stdout carries the bundle: the summary goes to stderr.
        let text = serde_json::to_string_pretty(summary)?;
        let _ = writeln!(std::io::stderr(), "{text}");
        return Ok(());
    }
    if !stdout_free {
        // Piped bundles stay quiet; only a person at a terminal is told.
        if std::io::stderr().is_terminal() {
            let _ = writeln!(
                std::io::stderr(),
                "exported {} for {}",
                count(summary.records as u64, "record"),
                summary.peer
            );
        }
        return Ok(());
    }
    let what = counts(
        &[
            (summary.messages as u64, "message"),
            (summary.acks as u64, "ack"),
            (summary.offers as u64, "offer"),
            (summary.requests as u64, "request"),
        ],
        "an empty payload (nothing is due)",
    );
    let file = summary.file.as_deref().unwrap_or(Path::new("-"));
    writeln!(
        std::io::stdout().lock(),
        "exported {what} for {} in epoch {} to {}",
        summary.peer,
        summary.epoch,
        file.display()
    )?;
    Ok(())
}
