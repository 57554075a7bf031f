//! The `mvds` command line: parses arguments, runs one command against the
//! node store, renders its output and maps failures to exit codes.
//!
//! It owns the interface and the user-facing text (`args`, `error`, one file
//! per subcommand). The protocol rules stay in the engine, persistence in the
//! store and the file format in the bundle module: a command only wires them
//! together inside one store transaction.

pub mod args;
mod demo;
mod error;
mod export;
mod generate;
mod group;
mod id;
mod import;
mod init;
mod inspect;
mod log;
mod peer;
mod progress;
mod send;
mod sim;
mod status;
mod text;
mod tick;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use mvds::bundle::{Contact, Identity};
use mvds::store::{GroupRow, PeerRow, Store, Tx};

use args::{Cli, Command, GroupCommand, PeerCommand};
use error::CliError;
pub use error::report;

/// The key file inside a node directory (written by `Identity::save`).
const IDENTITY_FILE: &str = "identity.key";

/// What every command shares: where the node lives.
pub struct Ctx {
    store: Option<PathBuf>,
}

impl Ctx {
    /// The node directory: `--store`, else `$MVDS_HOME`, else the platform
    /// data directory. Resolved on demand: `demo` needs none.
    pub fn store_dir(&self) -> Result<PathBuf> {
        if let Some(dir) = &self.store {
            return Ok(dir.clone());
        }
        if let Some(home) = std::env::var_os("MVDS_HOME").filter(|h| !h.is_empty()) {
            return Ok(PathBuf::from(home));
        }
        let data = dirs::data_dir().ok_or_else(|| {
            CliError::usage("this system has no data directory for the node store")
                .hint("pass --store DIR or set MVDS_HOME")
        })?;
        Ok(data.join("mvds"))
    }

    /// Opens the node's store (exit code 3 with a hint when there is none).
    pub fn open(&self) -> Result<Store> {
        let dir = self.store_dir()?;
        Ok(Store::open(&dir)?)
    }

    /// This node's secret keys.
    pub fn identity(&self, store: &Store) -> Result<Identity> {
        Ok(Identity::load(&identity_path(store.path()))?)
    }
}

fn identity_path(dir: &Path) -> PathBuf {
    dir.join(IDENTITY_FILE)
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let ctx = Ctx { store: cli.store };
    match cli.command {
        Command::Init(args) => init::run(&ctx, &args),
        Command::Id => id::run(&ctx),
        Command::Peer(PeerCommand::Add { name, contact }) => peer::add(&ctx, &name, &contact),
        Command::Peer(PeerCommand::List(args)) => peer::list(&ctx, args.json),
        Command::Group(GroupCommand::Create { name }) => group::create(&ctx, &name),
        Command::Group(GroupCommand::Join { name, group_id }) => {
            group::join(&ctx, &name, &group_id)
        }
        Command::Group(GroupCommand::Share { name, peers }) => group::share(&ctx, &name, &peers),
        Command::Send(args) => send::run(&ctx, &args),
        Command::Tick(args) => tick::run(&ctx, &args),
        Command::Export(args) => export::run(&ctx, &args),
        Command::Import(args) => import::run(&ctx, &args),
        Command::Status(args) => status::run(&ctx, args.json),
        Command::Log(args) => log::run(&ctx, &args),
        Command::Inspect(args) => inspect::run(&ctx, &args),
        Command::Demo(args) => demo::run(&args),
        Command::Sim(args) => sim::run(&args),
        Command::Generate(args) => generate::run(&args),
    }
}

/// A peer by its local name, or a usage error that says how to add one.
fn peer_named(tx: &Tx<'_>, name: &str) -> Result<PeerRow> {
    tx.peer_by_name(name)?.ok_or_else(|| {
        CliError::usage(format!("no peer named '{name}'"))
            .hint("`mvds peer list` shows the peers; `mvds peer add NAME CONTACT` adds one")
            .into()
    })
}

/// A group by its local name, or a usage error that says how to get one.
fn group_named(tx: &Tx<'_>, name: &str) -> Result<GroupRow> {
    tx.group_by_name(name)?.ok_or_else(|| {
        CliError::usage(format!("no group named '{name}'"))
            .hint(
                "`mvds status` lists the groups; `mvds group create` or `mvds group join` adds one",
            )
            .into()
    })
}

/// The peer's public keys, as stored by `peer add`.
fn peer_contact(peer: &PeerRow) -> Result<Contact> {
    peer.recipient
        .parse::<Contact>()
        .with_context(|| format!("the stored contact of peer '{}' is damaged", peer.name))
}

/// Local names (peers, groups) are typed in commands and shown in lists:
/// printable, no spaces, not starting with `-` (it would read as a flag).
fn check_name(kind: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if ok {
        Ok(())
    } else {
        Err(
            CliError::usage(format!("'{name}' is not a valid {kind} name"))
                .hint("use up to 64 letters, digits, '-', '_', '.' or '@', not starting with '-'")
                .into(),
        )
    }
}

/// Writes a JSON document and a newline to stdout.
fn print_json(value: &impl serde::Serialize) -> Result<()> {
    // Serialized first, so a closed stdout surfaces as a plain io::Error
    // (quiet exit) rather than inside a serde error.
    let mut text = serde_json::to_vec_pretty(value)?;
    text.push(b'\n');
    std::io::stdout().lock().write_all(&text)?;
    Ok(())
}
