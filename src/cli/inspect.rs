//! `mvds inspect FILE`: what a bundle (or, with `--raw`, a bare payload)
//! holds, without importing it. Without keys only the clear-text header can
//! be read; a bundle addressed to this node is opened (signature checked) and
//! its payload listed. The store is only read.

use std::io::Write;

use anyhow::Result;
use mvds::bundle::{self, BundleError};
use mvds::wire::{Limits, Payload};
use serde::Serialize;

use super::Ctx;
use super::args::InspectArgs;
use super::error::CliError;
use super::import::{MAX_BUNDLE_BYTES, read_input};
use super::text::{body, counts, json_body, utc};

/// `inspect --json` (docs/cli.md).
#[derive(Serialize)]
struct Inspected {
    /// `bundle` or `raw`.
    format: &'static str,
    /// The bundle format version (`null` for raw).
    version: Option<u16>,
    bytes: usize,
    /// Whether the bundle is addressed to this node (`null`: raw, or no node to ask).
    for_us: Option<bool>,
    sender: Option<Sender>,
    /// The content, when it could be read.
    payload: Option<PayloadJson>,
}

#[derive(Serialize)]
struct Sender {
    /// The local name of the sender, `null` when it is not a known peer.
    name: Option<String>,
    fingerprint: String,
}

#[derive(Serialize)]
struct PayloadJson {
    acks: Vec<String>,
    offers: Vec<String>,
    requests: Vec<String>,
    messages: Vec<MessageJson>,
}

#[derive(Serialize)]
struct MessageJson {
    id: String,
    group_id: String,
    /// The local name of the group, `null` when this node has not joined it.
    group: Option<String>,
    timestamp: i64,
    parents: Vec<String>,
    ephemeral: bool,
    size: usize,
    body: Option<String>,
    body_hex: Option<String>,
}

pub fn run(ctx: &Ctx, args: &InspectArgs) -> Result<()> {
    let limits = Limits::default();
    let max = if args.raw {
        limits.max_payload_bytes as u64
    } else {
        MAX_BUNDLE_BYTES
    };
    let bytes = read_input(&args.file, max)?;
    // A node is optional: without one, only what is in clear can be shown.
    let mut store = ctx.open().ok();
    let (peers, groups) = match store.as_mut() {
        Some(store) => {
            let tx = store.begin()?;
            (tx.peers()?, tx.groups()?)
        }
        None => (Vec::new(), Vec::new()),
    };
    let mut inspected = Inspected {
        format: if args.raw { "raw" } else { "bundle" },
        version: None,
        bytes: bytes.len(),
        for_us: None,
        sender: None,
        payload: None,
    };
    let payload_bytes = if args.raw {
        Some(bytes)
    } else {
        inspected.version = Some(bundle::inspect_header(&bytes)?.version);
        match store.as_ref().map(|s| ctx.identity(s)).transpose()? {
            None => None,
            Some(identity) => match bundle::open(bytes.as_slice(), &identity, |_| true) {
                Ok(opened) => {
                    inspected.for_us = Some(true);
                    inspected.sender = Some(Sender {
                        name: peers
                            .iter()
                            .find(|p| p.signing_key == *opened.sender.as_bytes())
                            .map(|p| p.name.clone()),
                        fingerprint: bundle::fingerprint(&opened.sender),
                    });
                    Some(opened.payload)
                }
                Err(BundleError::NotForUs) => {
                    inspected.for_us = Some(false);
                    None
                }
                Err(e) => return Err(e.into()),
            },
        }
    };
    if let Some(p) = payload_bytes {
        let payload = Payload::decode(&p, &limits)
            .map_err(|e| CliError::rejected(format!("not a valid MVDS payload: {e}")))?;
        let ids = |v: &[mvds::wire::MessageId]| v.iter().map(ToString::to_string).collect();
        inspected.payload = Some(PayloadJson {
            acks: ids(&payload.acks),
            offers: ids(&payload.offers),
            requests: ids(&payload.requests),
            messages: payload
                .messages
                .iter()
                .map(|m| {
                    let (body, body_hex) = json_body(&m.body);
                    MessageJson {
                        id: m.id().to_string(),
                        group_id: m.group_id.to_string(),
                        group: groups
                            .iter()
                            .find(|g| g.group_id == m.group_id)
                            .map(|g| g.name.clone()),
                        timestamp: m.timestamp,
                        parents: ids(m.parents()),
                        ephemeral: m.is_ephemeral(),
                        size: m.body.len(),
                        body,
                        body_hex,
                    }
                })
                .collect(),
        });
    }
    if args.json {
        return super::print_json(&inspected);
    }
    print_human(&inspected)
}

fn print_human(i: &Inspected) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match i.version {
        Some(v) => writeln!(out, "mvds bundle, format version {v}, {} bytes", i.bytes)?,
        None => writeln!(out, "raw MVDS payload, {} bytes", i.bytes)?,
    }
    match i.for_us {
        Some(false) => writeln!(
            out,
            "addressed to another node: its content cannot be read here"
        )?,
        None if i.version.is_some() => writeln!(out, "no node here to open it with (see --store)")?,
        _ => {}
    }
    if let Some(s) = &i.sender {
        match &s.name {
            Some(name) => writeln!(
                out,
                "from {name} (fingerprint {}), signature valid",
                s.fingerprint
            )?,
            None => writeln!(
                out,
                "from an unknown sender (fingerprint {}), signature valid; import would refuse it",
                s.fingerprint
            )?,
        }
    }
    let Some(p) = &i.payload else {
        return Ok(());
    };
    let summary = counts(
        &[
            (p.messages.len() as u64, "message"),
            (p.acks.len() as u64, "ack"),
            (p.offers.len() as u64, "offer"),
            (p.requests.len() as u64, "request"),
        ],
        "an empty payload",
    );
    writeln!(out, "{summary}")?;
    for (what, ids) in [
        ("ack", &p.acks),
        ("offer", &p.offers),
        ("request", &p.requests),
    ] {
        for id in ids {
            writeln!(out, "  {what:<7} {}", &id[..8])?;
        }
    }
    for m in &p.messages {
        let group = m
            .group
            .clone()
            .unwrap_or_else(|| format!("group {}", &m.group_id[..8.min(m.group_id.len())]));
        let text = match (&m.body, &m.body_hex) {
            (Some(t), _) => body(t.as_bytes()),
            _ => format!("<{} bytes, not text>", m.size),
        };
        let flag = if m.ephemeral { " (ephemeral)" } else { "" };
        writeln!(
            out,
            "  message {}  {}  {group}: {text}{flag}",
            &m.id[..8],
            utc(m.timestamp)
        )?;
    }
    Ok(())
}
