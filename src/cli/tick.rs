//! `mvds tick [N]`: advances the node's epoch, its logical clock. Records
//! become due as the epoch passes their `send_epoch`, and each peer gets at
//! most one payload per epoch.

use std::io::Write;

use anyhow::Result;

use super::Ctx;
use super::args::TickArgs;
use super::error::CliError;

pub fn run(ctx: &Ctx, args: &TickArgs) -> Result<()> {
    let mut store = ctx.open()?;
    let tx = store.begin()?;
    let epoch = tx
        .epoch()?
        .checked_add(args.n)
        .ok_or_else(|| CliError::usage("the epoch cannot go that far"))?;
    tx.set_epoch(epoch)?;
    tx.commit()?;
    writeln!(std::io::stdout().lock(), "epoch {epoch}")?;
    Ok(())
}
