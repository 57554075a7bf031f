//! `mvds status`: the epoch, the peers with what is pending for each, and the
//! groups with what was delivered.

use std::io::Write;

use anyhow::Result;
use mvds::engine::Mode;
use serde::Serialize;

use super::text::{count, counts};
use super::{Ctx, print_json};

/// `status --json` (docs/cli.md).
#[derive(Serialize)]
struct Status {
    name: String,
    epoch: u64,
    mode: &'static str,
    peers: Vec<PeerJson>,
    groups: Vec<GroupJson>,
}

#[derive(Serialize)]
struct PeerJson {
    name: String,
    offers: u64,
    requests: u64,
    messages: u64,
    acks_queued: u64,
    next_send_epoch: Option<u64>,
}

#[derive(Serialize)]
struct GroupJson {
    name: String,
    group_id: String,
    peers: Vec<String>,
    delivered: u64,
    waiting: u64,
}

pub fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Batch => "batch",
        Mode::Interactive => "interactive",
    }
}

pub fn run(ctx: &Ctx, json: bool) -> Result<()> {
    let mut store = ctx.open()?;
    let tx = store.begin()?;
    let report = tx.status()?;
    let mode = tx.config()?.settings.mode;
    drop(tx);
    let status = Status {
        name: report.name,
        epoch: report.epoch,
        mode: mode_name(mode),
        peers: report
            .peers
            .into_iter()
            .map(|p| PeerJson {
                name: p.name,
                offers: p.offers,
                requests: p.requests,
                messages: p.messages,
                acks_queued: p.acks_queued,
                next_send_epoch: p.next_send_epoch,
            })
            .collect(),
        groups: report
            .groups
            .into_iter()
            .map(|g| GroupJson {
                name: g.name,
                group_id: g.group_id.to_string(),
                peers: g.peers,
                delivered: g.delivered,
                waiting: g.waiting,
            })
            .collect(),
    };
    if json {
        return print_json(&status);
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "node {}, epoch {}, {} mode",
        status.name, status.epoch, status.mode
    )?;
    writeln!(
        out,
        "peers:{}",
        if status.peers.is_empty() { " none" } else { "" }
    )?;
    for p in &status.peers {
        let records = [
            (p.messages, "message"),
            (p.offers, "offer"),
            (p.requests, "request"),
        ];
        let pending = if p.messages + p.offers + p.requests == 0 {
            "nothing pending".to_string()
        } else {
            let when = match p.next_send_epoch {
                Some(e) if e > status.epoch => format!("next due at epoch {e}"),
                _ => "due now".to_string(),
            };
            format!("{} pending, {when}", counts(&records, ""))
        };
        let acks = if p.acks_queued > 0 {
            format!("; {} to send", count(p.acks_queued, "ack"))
        } else {
            String::new()
        };
        writeln!(out, "  {}: {pending}{acks}", p.name)?;
    }
    writeln!(
        out,
        "groups:{}",
        if status.groups.is_empty() {
            " none"
        } else {
            ""
        }
    )?;
    for g in &status.groups {
        let peers = if g.peers.is_empty() {
            "not shared".to_string()
        } else {
            format!("shared with {}", g.peers.join(", "))
        };
        let waiting = if g.waiting > 0 {
            format!(", {} waiting for parents", g.waiting)
        } else {
            String::new()
        };
        writeln!(
            out,
            "  {}: {}{waiting}; {peers}; id {}",
            g.name,
            count(g.delivered, "message"),
            g.group_id
        )?;
    }
    Ok(())
}
