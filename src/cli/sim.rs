//! `mvds sim SCENARIO`: runs the protocol authors' simulations on the engine,
//! in memory (no node store), and prints the results (DESIGN.md section 8).

use std::io::Write;

use anyhow::Result;
use mvds::sim::{SimArgs, run_cli};

pub fn run(args: &SimArgs) -> Result<()> {
    let text = run_cli(args)?;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(())
}
