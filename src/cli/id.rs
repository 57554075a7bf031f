//! `mvds id`: this node's contact, one line, to give to peers.

use std::io::Write;

use anyhow::Result;

use super::Ctx;

pub fn run(ctx: &Ctx) -> Result<()> {
    let store = ctx.open()?;
    let identity = ctx.identity(&store)?;
    writeln!(std::io::stdout().lock(), "{}", identity.contact())?;
    Ok(())
}
