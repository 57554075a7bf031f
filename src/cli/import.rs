//! `mvds import`: applies bundles (or raw payloads) from peers.
//!
//! Verify everything before changing anything: every input is read (bounded),
//! opened (decrypted, signature and sender checked) and decoded with the wire
//! limits first; only then does one transaction apply them all. A bundle is
//! remembered by the SHA-256 of its file, so importing the same file again
//! is a no-op, while a retransmission (a new file, even with the same
//! payload) is applied and ACKed again, as the protocol requires.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use mvds::bundle::{self, BundleError, Identity};
use mvds::engine::{Event, Received};
use mvds::store::PeerRow;
use mvds::wire::{GroupId, Limits, Payload};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::args::ImportArgs;
use super::error::CliError;
use super::progress::Progress;
use super::text::{count, counts};
use super::{Ctx, peer_named, print_json};

/// The largest input read: a bundle of the largest payload, compressed
/// badly, plus age's framing (16 bytes per 64 KiB) and headers.
pub(super) const MAX_BUNDLE_BYTES: u64 =
    (bundle::DEFAULT_MAX_PAYLOAD_BYTES as u64) * 9 / 8 + (1 << 20);

/// `import --json` (docs/cli.md).
#[derive(Serialize, Default)]
struct Imported {
    imported: usize,
    already_imported: usize,
    not_for_us: usize,
    rejected: usize,
    /// Messages that reached the application (this import's and any that
    /// were waiting for their parents).
    delivered: usize,
    /// Group ids (hex) of messages ignored because this node has not joined.
    unknown_groups: Vec<String>,
    bundles: Vec<BundleJson>,
}

#[derive(Serialize)]
struct BundleJson {
    /// The file, or `-` for stdin.
    source: String,
    /// `imported`, `already_imported`, `not_for_us` or `rejected`.
    status: &'static str,
    sender: Option<String>,
    /// Why the file was rejected.
    error: Option<String>,
    acks: usize,
    offers: usize,
    requests: usize,
    messages: usize,
    new_messages: usize,
    duplicates: usize,
    not_member: usize,
}

impl BundleJson {
    fn new(source: String, status: &'static str) -> Self {
        BundleJson {
            source,
            status,
            sender: None,
            error: None,
            acks: 0,
            offers: 0,
            requests: 0,
            messages: 0,
            new_messages: 0,
            duplicates: 0,
            not_member: 0,
        }
    }

    fn count(&mut self, rx: &Received) {
        self.acks = rx.acks;
        self.offers = rx.offers;
        self.requests = rx.requests;
        self.messages = rx.messages;
        self.new_messages = rx.new_messages;
        self.duplicates = rx.duplicates;
        self.not_member = rx.not_member;
    }
}

/// An input that passed every check and waits for the transaction.
struct Verified {
    source: String,
    sender: PeerRow,
    /// `None` for raw payloads: they carry nothing that tells a replay from a
    /// retransmission, and applying one twice is harmless.
    digest: Option<[u8; 32]>,
    payload: Payload,
}

pub fn run(ctx: &Ctx, args: &ImportArgs) -> Result<()> {
    let mut progress = Progress::new();
    let mut store = ctx.open()?;
    let identity = ctx.identity(&store)?;
    let sources = match &args.dir {
        Some(dir) => bundles_in(dir)?,
        None => args.files.clone(),
    };
    // A short first transaction reads who we trust; the write transaction
    // starts only once every input is verified.
    let (peers, groups, raw_sender) = {
        let tx = store.begin()?;
        let raw_sender = match &args.from {
            Some(name) => Some(peer_named(&tx, name)?),
            None => None,
        };
        let groups: Vec<GroupId> = tx.groups()?.into_iter().map(|g| g.group_id).collect();
        (tx.peers()?, groups, raw_sender)
    };

    let mut report = Imported::default();
    let mut verified = Vec::new();
    for (i, path) in sources.iter().enumerate() {
        let source = path.display().to_string();
        progress.show(format_args!(
            "verifying {}/{}: {source}",
            i + 1,
            sources.len()
        ));
        let checked = match &raw_sender {
            Some(peer) => verify_raw(path, peer),
            None => verify_bundle(path, &identity, &peers),
        };
        match checked {
            Ok(v) => verified.push(v),
            // A shared folder holds bundles for others: skip them quietly.
            Err(e) if args.dir.is_some() && is_not_for_us(&e) => {
                report.not_for_us += 1;
                report.bundles.push(BundleJson::new(source, "not_for_us"));
            }
            Err(e) if args.dir.is_some() => {
                // One damaged file must not block the rest of the stick; it
                // is reported, and the exit code says so.
                let e = e.context(source.clone());
                progress.clear();
                let _ = writeln!(std::io::stderr(), "mvds: skipped {e:#}");
                report.rejected += 1;
                let mut b = BundleJson::new(source, "rejected");
                b.error = Some(format!("{:#}", e.root_cause()));
                report.bundles.push(b);
            }
            Err(e) => return Err(e.context(source)),
        }
    }

    progress.show(format_args!(
        "applying {}",
        count(verified.len() as u64, "payload")
    ));
    let tx = store.begin()?;
    let epoch = tx.epoch()?;
    let mut node = tx.node()?;
    for v in verified {
        let mut b = BundleJson::new(v.source, "imported");
        b.sender = Some(v.sender.name.clone());
        if let Some(digest) = v.digest
            && !tx.record_import(&digest, v.sender.id)?
        {
            b.status = "already_imported";
            report.already_imported += 1;
            report.bundles.push(b);
            continue;
        }
        for m in &v.payload.messages {
            if !groups.contains(&m.group_id) {
                let hex = m.group_id.to_string();
                if !report.unknown_groups.contains(&hex) {
                    report.unknown_groups.push(hex);
                }
            }
        }
        let rx = node.handle_payload(v.sender.id, v.payload, epoch)?;
        b.count(&rx);
        report.imported += 1;
        report.bundles.push(b);
    }
    while let Some(event) = node.poll_event() {
        if matches!(event, Event::Delivered { .. }) {
            report.delivered += 1;
        }
    }
    drop(node);
    tx.commit()?;
    progress.clear();

    if args.json {
        print_json(&report)?;
    } else {
        print_human(&report, args.dir.is_some())?;
    }
    if !report.unknown_groups.is_empty() && !args.json {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "mvds: ignored messages for {} this node has not joined",
            count(report.unknown_groups.len() as u64, "group")
        );
        let _ = writeln!(
            err,
            "hint: run `mvds group join NAME {}` to receive them (they are not acknowledged, so the sender sends them again)",
            report.unknown_groups[0]
        );
    }
    if report.rejected > 0 {
        return Err(CliError::rejected(format!(
            "{} rejected (the others were imported)",
            count(report.rejected as u64, "file")
        ))
        .hint("see the lines above for what is wrong with each")
        .into());
    }
    Ok(())
}

/// One line per applied payload, then a summary. From a folder, old bundles
/// are only counted: a stick that is never cleaned would drown the news.
fn print_human(report: &Imported, from_folder: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    for b in &report.bundles {
        let sender = b.sender.as_deref().unwrap_or("?");
        match b.status {
            "imported" => {
                let what = counts(
                    &[
                        (b.new_messages as u64, "new message"),
                        (b.duplicates as u64, "duplicate"),
                        (b.not_member as u64, "ignored message"),
                        (b.acks as u64, "ack"),
                        (b.offers as u64, "offer"),
                        (b.requests as u64, "request"),
                    ],
                    "an empty payload",
                );
                writeln!(out, "{}: from {sender}: {what}", b.source)?;
            }
            "already_imported" if !from_folder => writeln!(out, "{}: already imported", b.source)?,
            _ => {}
        }
    }
    let mut summary = format!(
        "imported {}, {} delivered",
        count(report.imported as u64, "bundle"),
        count(report.delivered as u64, "message")
    );
    if report.already_imported > 0 && from_folder {
        summary.push_str(&format!("; {} already imported", report.already_imported));
    }
    if report.not_for_us > 0 {
        summary.push_str(&format!("; {} for other nodes skipped", report.not_for_us));
    }
    writeln!(out, "{summary}")?;
    Ok(())
}

fn is_not_for_us(e: &anyhow::Error) -> bool {
    matches!(e.downcast_ref::<BundleError>(), Some(BundleError::NotForUs))
}

/// The `*.mvds` files in a folder, by name (other files are not ours).
fn bundles_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        CliError::rejected(format!("cannot read the folder {}: {e}", dir.display()))
            .hint("check the path (is the stick mounted?)")
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot read {}", dir.display()))?
            .path();
        if path.extension().is_some_and(|e| e == "mvds") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The whole input, never more than `max` bytes.
pub(super) fn read_input(path: &Path, max: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        if std::io::stdin().is_terminal() {
            return Err(
                CliError::usage("refusing to read a bundle from the terminal")
                    .hint("pipe the bundle in (`… | mvds import -`) or name the file")
                    .into(),
            );
        }
        std::io::stdin()
            .lock()
            .take(max + 1)
            .read_to_end(&mut bytes)
            .context("cannot read stdin")?;
    } else {
        if path.is_dir() {
            return Err(CliError::rejected("this is a directory, not a bundle")
                .hint(format!(
                    "to import every bundle in it, run `mvds import --dir {}`",
                    path.display()
                ))
                .into());
        }
        let file = std::fs::File::open(path)
            .map_err(|e| CliError::rejected(format!("cannot read the file: {e}")))?;
        // A file known to be too large is refused before reading any of it.
        if file.metadata().is_ok_and(|m| m.len() > max) {
            return Err(too_large(max));
        }
        file.take(max + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::rejected(format!("cannot read the file: {e}")))?;
    }
    if bytes.len() as u64 > max {
        return Err(too_large(max));
    }
    Ok(bytes)
}

fn too_large(max: u64) -> anyhow::Error {
    CliError::rejected(format!(
        "the input is larger than {} MiB, more than any bundle",
        max >> 20
    ))
    .hint("this is not a bundle written by `mvds export`")
    .into()
}

fn verify_bundle(path: &Path, identity: &Identity, peers: &[PeerRow]) -> Result<Verified> {
    let bytes = read_input(path, MAX_BUNDLE_BYTES)?;
    let known =
        |key: &ed25519_dalek::VerifyingKey| peers.iter().any(|p| p.signing_key == *key.as_bytes());
    let opened = bundle::open(bytes.as_slice(), identity, known)?;
    let sender = peers
        .iter()
        .find(|p| p.signing_key == *opened.sender.as_bytes())
        .cloned()
        .context("the sender vanished while verifying")?;
    let payload = Payload::decode(&opened.payload, &Limits::default()).map_err(|e| {
        CliError::rejected(format!("the payload is malformed: {e}"))
            .hint("the sender's mvds wrote a malformed payload; ask them to upgrade")
    })?;
    Ok(Verified {
        source: path.display().to_string(),
        sender,
        digest: Some(Sha256::digest(&bytes).into()),
        payload,
    })
}

fn verify_raw(path: &Path, peer: &PeerRow) -> Result<Verified> {
    let limits = Limits::default();
    let bytes = read_input(path, limits.max_payload_bytes as u64)?;
    let payload = Payload::decode(&bytes, &limits).map_err(|e| {
        CliError::rejected(format!("not a valid MVDS payload: {e}"))
            .hint("`--raw` reads a bare protobuf Payload as written by `mvds export --raw`")
    })?;
    Ok(Verified {
        source: path.display().to_string(),
        sender: peer.clone(),
        digest: None,
        payload,
    })
}
