//! `mvds demo`: a complete exchange between throwaway nodes. It runs this
//! very binary as a user would (one process per command, one directory per
//! node, a folder as the USB stick) and prints each command line and what it
//! showed, so the demo is also a tutorial that can be retyped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::args::DemoArgs;
use super::error::CliError;
use super::text::shell_quote;

/// The demo's working directory; removed at the end unless `--keep`.
struct Workdir {
    path: PathBuf,
    keep: bool,
}

impl Drop for Workdir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

struct Demo {
    exe: PathBuf,
    dir: PathBuf,
}

impl Demo {
    fn say(&self, text: &str) -> Result<()> {
        writeln!(std::io::stdout().lock(), "\n# {text}")?;
        Ok(())
    }

    /// Runs `mvds ARGS` in the demo directory, prints the command line and
    /// its output, and returns its stdout. A failing step ends the demo.
    fn run(&self, args: &[&str]) -> Result<String> {
        let line: Vec<String> = args.iter().map(|a| shell_quote(a)).collect();
        let mut out = std::io::stdout().lock();
        writeln!(out, "$ mvds {}", line.join(" "))?;
        let output = Command::new(&self.exe)
            .args(args)
            .current_dir(&self.dir)
            .env_remove("MVDS_HOME")
            .env_remove("MVDS_TIMESTAMP")
            .output()
            .with_context(|| format!("cannot run {}", self.exe.display()))?;
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        out.write_all(stdout.as_bytes())?;
        out.write_all(&output.stderr)?;
        if !output.status.success() {
            bail!(
                "the demo step `mvds {}` failed ({})",
                line.join(" "),
                output.status
            );
        }
        Ok(stdout.trim().to_string())
    }
}

pub fn run(args: &DemoArgs) -> Result<()> {
    let exe = std::env::current_exe().context("cannot find the mvds binary")?;
    let work = match &args.keep {
        Some(dir) => {
            if dir.exists() {
                return Err(CliError::usage(format!("{} exists already", dir.display()))
                    .hint("give `--keep` a directory that does not exist yet")
                    .into());
            }
            Workdir {
                path: dir.clone(),
                keep: true,
            }
        }
        None => {
            let nonce: u64 = rand::random();
            Workdir {
                path: std::env::temp_dir().join(format!("mvds-demo-{nonce:016x}")),
                keep: false,
            }
        }
    };
    std::fs::create_dir_all(work.path.join("stick"))
        .with_context(|| format!("cannot create {}", work.path.display()))?;
    let demo = Demo {
        exe,
        dir: work.path.clone(),
    };
    script(&demo)?;
    let mut out = std::io::stdout().lock();
    writeln!(out)?;
    if work.keep {
        writeln!(
            out,
            "# The nodes are kept in {}; try `cd {} && mvds --store alice status`.",
            work.path.display(),
            shell_quote(&work.path.display().to_string())
        )?;
    } else {
        writeln!(
            out,
            "# Done. The throwaway nodes in {} are removed.",
            work.path.display()
        )?;
    }
    Ok(())
}

fn script(d: &Demo) -> Result<()> {
    writeln!(
        std::io::stdout().lock(),
        "# Three nodes, each a directory: alice, bob and carol. A folder `stick`\n\
         # plays the USB stick. alice and carol never meet: bob carries for them.\n\
         # Working directory: {}",
        d.dir.display()
    )?;
    d.say("Each node gets a store and keys.")?;
    for name in ["alice", "bob", "carol"] {
        d.run(&["--store", name, "init", "--name", name])?;
    }
    d.say("Contacts are exchanged once, in person or over any channel (`mvds id` prints one).")?;
    let alice = d.run(&["--store", "alice", "id"])?;
    let bob = d.run(&["--store", "bob", "id"])?;
    let carol = d.run(&["--store", "carol", "id"])?;
    d.run(&["--store", "alice", "peer", "add", "bob", &bob])?;
    d.run(&["--store", "bob", "peer", "add", "alice", &alice])?;
    d.run(&["--store", "bob", "peer", "add", "carol", &carol])?;
    d.run(&["--store", "carol", "peer", "add", "bob", &bob])?;

    d.say(
        "alice creates a group; bob and carol join it by its id. bob relays between the others.",
    )?;
    let group = d.run(&["--store", "alice", "group", "create", "chat"])?;
    d.run(&["--store", "bob", "group", "join", "chat", &group])?;
    d.run(&["--store", "carol", "group", "join", "chat", &group])?;
    d.run(&["--store", "alice", "group", "share", "chat", "bob"])?;
    d.run(&["--store", "bob", "group", "share", "chat", "alice", "carol"])?;
    d.run(&["--store", "carol", "group", "share", "chat", "bob"])?;

    d.say("alice writes two messages and puts a bundle for bob on the stick.")?;
    d.run(&["--store", "alice", "send", "chat", "hello from alice"])?;
    d.run(&["--store", "alice", "send", "chat", "is anyone there?"])?;
    d.run(&[
        "--store", "alice", "export", "--to", "bob", "--dir", "stick",
    ])?;

    d.say("The stick travels to bob. He looks into the bundle, imports what is addressed\n# to him, reads, answers, and writes bundles for alice (his ACKs and his answer)\n# and for carol.")?;
    d.run(&[
        "--store",
        "bob",
        "inspect",
        &first_bundle(&d.dir.join("stick"))?,
    ])?;
    d.run(&["--store", "bob", "import", "--dir", "stick"])?;
    d.run(&["--store", "bob", "log", "chat"])?;
    d.run(&[
        "--store",
        "bob",
        "send",
        "chat",
        "bob here, passing this on to carol",
    ])?;
    d.run(&[
        "--store", "bob", "export", "--to", "alice", "--dir", "stick",
    ])?;
    d.run(&[
        "--store", "bob", "export", "--to", "carol", "--dir", "stick",
    ])?;

    d.say("carol imports from the same stick (the bundles for alice are not for her).")?;
    d.run(&["--store", "carol", "import", "--dir", "stick"])?;
    d.run(&["--store", "carol", "log", "chat"])?;

    d.say("Back at alice: bob's ACKs clear her pending records. A bundle already\n# imported is a no-op, so the whole stick can be imported every time.")?;
    d.run(&["--store", "alice", "tick"])?;
    d.run(&["--store", "alice", "import", "--dir", "stick"])?;
    d.run(&["--store", "alice", "log", "chat"])?;
    d.run(&["--store", "alice", "status"])?;

    d.say("alice's bundle for bob carries her ACK; carol's carries hers. Once bob has\n# both, nothing is pending anywhere.")?;
    d.run(&[
        "--store", "alice", "export", "--to", "bob", "--dir", "stick",
    ])?;
    d.run(&[
        "--store", "carol", "export", "--to", "bob", "--dir", "stick",
    ])?;
    d.run(&["--store", "bob", "tick"])?;
    d.run(&["--store", "bob", "import", "--dir", "stick"])?;
    d.run(&["--store", "bob", "status"])?;
    d.say("Scripts read the same with --json (schemas in docs/cli.md).")?;
    d.run(&["--store", "carol", "log", "chat", "--json"])?;
    Ok(())
}

/// The one bundle in a folder (the demo's first export).
fn first_bundle(dir: &Path) -> Result<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".mvds"))
        .collect();
    names.sort();
    match names.first() {
        Some(name) => Ok(format!("stick/{name}")),
        None => bail!("the demo's export wrote no bundle"),
    }
}
