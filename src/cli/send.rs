//! `mvds send`: a new message in a group, with the group's current heads as
//! parents, queued for every peer the group is shared with. Prints its id.
//!
//! The timestamp is the only clock the CLI reads (the engine never does);
//! `MVDS_TIMESTAMP` (Unix seconds) replaces it, so tests are deterministic.

use std::io::{Read, Write};

use anyhow::{Context, Result};
use mvds::engine;
use mvds::wire::Limits;

use super::args::SendArgs;
use super::error::CliError;
use super::{Ctx, group_named};

pub fn run(ctx: &Ctx, args: &SendArgs) -> Result<()> {
    let body = read_body(args)?;
    let mut timestamp = timestamp()?;
    let mut store = ctx.open()?;
    let tx = store.begin()?;
    let group = group_named(&tx, &args.group)?;
    let mode = match args.mode {
        Some(mode) => mode.into(),
        None => tx.config()?.settings.mode,
    };
    let epoch = tx.epoch()?;
    let mut node = tx.node()?;
    // The id hashes group, timestamp and body: the same text sent twice in
    // one second would be the same message, so the second one moves on a
    // second until its id is new.
    let id = loop {
        let message = node.compose(&group.group_id, timestamp, body.clone(), args.ephemeral)?;
        match node.send(message, mode, epoch) {
            Ok(id) => break id,
            Err(engine::Error::Duplicate(_)) => {
                timestamp = timestamp
                    .checked_add(1)
                    .ok_or_else(|| CliError::usage("the timestamp is out of range"))?;
            }
            Err(e) => return Err(e.into()),
        }
    };
    drop(node);
    tx.commit()?;
    writeln!(std::io::stdout().lock(), "{id}")?;
    Ok(())
}

fn timestamp() -> Result<i64> {
    match std::env::var("MVDS_TIMESTAMP") {
        Ok(text) => text.trim().parse().map_err(|_| {
            CliError::usage(format!(
                "MVDS_TIMESTAMP='{text}' is not a number of seconds"
            ))
            .hint("unset MVDS_TIMESTAMP to use the clock")
            .into()
        }),
        Err(_) => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .context("the system clock is before 1970")?;
            Ok(i64::try_from(now.as_secs()).unwrap_or(i64::MAX))
        }
    }
}

/// TEXT, or the file, or stdin; never more than a peer would accept.
fn read_body(args: &SendArgs) -> Result<Vec<u8>> {
    let max = Limits::default().max_body_bytes;
    let body = if let Some(text) = &args.text {
        text.clone().into_bytes()
    } else {
        let mut body = Vec::new();
        let limit = max as u64 + 1;
        if let Some(path) = &args.file {
            std::fs::File::open(path)
                .and_then(|f| f.take(limit).read_to_end(&mut body))
                .with_context(|| format!("cannot read {}", path.display()))?;
        } else {
            std::io::stdin()
                .lock()
                .take(limit)
                .read_to_end(&mut body)
                .context("cannot read the message from stdin")?;
        }
        body
    };
    if body.len() > max {
        return Err(CliError::usage(format!(
            "the message is larger than {} MiB, the most a peer accepts",
            max >> 20
        ))
        .hint("split it into several messages")
        .into());
    }
    Ok(body)
}
