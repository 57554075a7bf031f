//! `mvds sim` without the CLI wiring: `cargo run --release --example sim --
//! all --markdown > docs/simulations.md` prints what `mvds sim all
//! --markdown` prints (both call `mvds::sim::run_cli`).

use clap::Parser;

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    sim: mvds::sim::SimArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    print!("{}", mvds::sim::run_cli(&args.sim)?);
    Ok(())
}
