//! `mvds log GROUP`: the group's delivered messages in delivery order, which
//! is causal: every message comes after all of its parents.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::args::LogArgs;
use super::text::{body, json_body, utc};
use super::{Ctx, group_named, print_json};

/// `log --json` (docs/cli.md).
#[derive(Serialize)]
struct Log {
    group: String,
    group_id: String,
    messages: Vec<Entry>,
}

#[derive(Serialize)]
struct Entry {
    seq: u64,
    id: String,
    timestamp: i64,
    /// The body as text, or `null` when it is not UTF-8 (then see `body_hex`).
    body: Option<String>,
    body_hex: Option<String>,
    parents: Vec<String>,
    ephemeral: bool,
}

pub fn run(ctx: &Ctx, args: &LogArgs) -> Result<()> {
    let mut store = ctx.open()?;
    let tx = store.begin()?;
    let group = group_named(&tx, &args.group)?;
    let entries = tx.log(&group.group_id)?;
    drop(tx);
    if args.json {
        let messages = entries
            .into_iter()
            .map(|e| {
                let (body, body_hex) = json_body(&e.body);
                Entry {
                    seq: e.seq,
                    id: e.id.to_string(),
                    timestamp: e.timestamp,
                    body,
                    body_hex,
                    parents: e.parents.iter().map(ToString::to_string).collect(),
                    ephemeral: e.ephemeral,
                }
            })
            .collect();
        return print_json(&Log {
            group: group.name,
            group_id: group.group_id.to_string(),
            messages,
        });
    }
    let mut out = std::io::stdout().lock();
    for e in &entries {
        let flag = if e.ephemeral { " (ephemeral)" } else { "" };
        writeln!(
            out,
            "{}  {}  {}{flag}",
            e.id.short(),
            utc(e.timestamp),
            body(&e.body)
        )?;
    }
    Ok(())
}
