//! `mvds generate [DIR]` (hidden): writes `DIR/completions/` for every shell
//! clap_complete knows and `DIR/man/` (mvds.1 and one page per subcommand).
//! The repository commits the output; `tests/cli_generated.rs` fails when it
//! is stale. Owns nothing else.

use std::fs;

use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;

use super::args::{Cli, GenerateArgs};

pub fn run(args: &GenerateArgs) -> Result<()> {
    let completions = args.out.join("completions");
    let man = args.out.join("man");
    for dir in [&completions, &man] {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::PowerShell,
    ] {
        clap_complete::generate_to(shell, &mut Cli::command(), "mvds", &completions)
            .with_context(|| format!("cannot write {shell} completions"))?;
    }
    // Pages of subcommands that no longer exist must not linger.
    for entry in fs::read_dir(&man).with_context(|| format!("cannot read {}", man.display()))? {
        let path = entry?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if name.is_some_and(|n| n.starts_with("mvds") && n.ends_with(".1")) {
            fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    clap_mangen::generate_to(Cli::command(), &man).context("cannot write man pages")?;
    Ok(())
}
