//! Every clap type of the `mvds` command line, in one place.
//!
//! This file owns the interface (names, flags, help texts) and nothing else:
//! no I/O, no store. The completions and man pages are generated from it, so
//! a change here means regenerating them (see `tests/cli_generated.rs`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Minimum Viable Data Synchronization over files.
///
/// A node is a directory (its store and keys); nodes sync by carrying bundle
/// files: on a USB stick, by mail, through a pipe. Every bundle is signed by
/// its sender and encrypted to its recipient.
#[derive(Debug, Parser)]
#[command(name = "mvds", version, propagate_version = true, max_term_width = 100)]
#[command(
    after_help = "Exit codes: 0 ok, 1 failure, 2 usage, 3 store, 4 store busy, \
5 rejected input, 6 bundle not for this node, 7 already exported this epoch (docs/cli.md)."
)]
pub struct Cli {
    /// The node directory (store and keys). Default: $MVDS_HOME, else the
    /// platform data directory (for example ~/.local/share/mvds).
    #[arg(long, global = true, value_name = "DIR")]
    pub store: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new node: store and keys. Refuses to overwrite one.
    Init(InitArgs),
    /// Print this node's contact, one line, to give to peers.
    Id,
    /// Trust peers and list them.
    #[command(subcommand)]
    Peer(PeerCommand),
    /// Create, join and share groups.
    #[command(subcommand)]
    Group(GroupCommand),
    /// Send a message to a group; prints its id.
    Send(SendArgs),
    /// Advance the epoch (the node's logical clock), by N (default 1).
    Tick(TickArgs),
    /// Write the payload due for a peer into a bundle file.
    Export(ExportArgs),
    /// Read bundles from peers and apply them.
    Import(ImportArgs),
    /// Show the epoch, peers, groups and pending records per peer.
    Status(JsonArg),
    /// Show a group's delivered messages, in causal order.
    Log(LogArgs),
    /// Show what a bundle holds, without importing it.
    Inspect(InspectArgs),
    /// Run a complete exchange between throwaway nodes, printing each command.
    Demo(DemoArgs),
    /// Simulate the protocol over lossy, mostly-offline networks (seeded).
    Sim(mvds::sim::SimArgs),
    /// Write shell completions and man pages (for packagers and the repository).
    #[command(hide = true)]
    Generate(GenerateArgs),
}

/// How a node hands a message to a peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// Send the message at once; the peer acknowledges it (one trip).
    Batch,
    /// Offer, request, message, ack: never carries a body the peer has.
    Interactive,
}

#[derive(Debug, Args)]
pub struct JsonArg {
    /// Print JSON (schema in docs/cli.md).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// A name for this node, shown in status and the demo [default: the
    /// store directory's name].
    #[arg(long)]
    pub name: Option<String>,
    /// How this node sends and forwards messages.
    #[arg(long, value_enum, default_value_t = ModeArg::Batch)]
    pub mode: ModeArg,
}

#[derive(Debug, Subcommand)]
pub enum PeerCommand {
    /// Trust a peer under a local name (CONTACT is what `mvds id` prints there).
    Add { name: String, contact: String },
    /// List the trusted peers.
    List(JsonArg),
}

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Create a group with a random id; prints the id (hex).
    Create { name: String },
    /// Join a group by its id (hex), under a local name.
    Join {
        name: String,
        #[arg(value_name = "GROUP_ID")]
        group_id: String,
    },
    /// Sync this group with these peers.
    Share {
        name: String,
        #[arg(required = true, value_name = "PEER")]
        peers: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// The group (local name).
    pub group: String,
    /// The message text; read from stdin when neither TEXT nor --file is given.
    #[arg(conflicts_with = "file")]
    pub text: Option<String>,
    /// Send the contents of a file.
    #[arg(long, short, value_name = "F")]
    pub file: Option<PathBuf>,
    /// Send once, without acknowledgement or retransmission.
    #[arg(long)]
    pub ephemeral: bool,
    /// Override the node's mode for this message.
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
}

#[derive(Debug, Args)]
pub struct TickArgs {
    /// How many epochs to advance.
    #[arg(default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub n: u64,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("dest").required(true).args(["output", "dir"]))]
pub struct ExportArgs {
    /// The peer (local name).
    #[arg(long, value_name = "PEER")]
    pub to: String,
    /// Write the bundle to FILE (atomically); `-` writes to stdout.
    #[arg(short, long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write the bundle into DIR under a unique name (a USB stick, a shared folder).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Write the bare protobuf payload: no signature, no encryption.
    #[arg(long)]
    pub raw: bool,
    /// Print a JSON summary (schema in docs/cli.md); on stderr with `-o -`.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["files", "dir"]))]
pub struct ImportArgs {
    /// Bundle files; `-` reads stdin.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Import every bundle in DIR addressed to this node; ignore the others.
    #[arg(long, value_name = "DIR", conflicts_with = "raw")]
    pub dir: Option<PathBuf>,
    /// Read bare protobuf payloads (needs --from).
    #[arg(long, requires = "from")]
    pub raw: bool,
    /// The peer a raw payload comes from (local name).
    #[arg(long, value_name = "PEER", requires = "raw")]
    pub from: Option<String>,
    /// Print JSON (schema in docs/cli.md).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// The group (local name).
    pub group: String,
    /// Print JSON (schema in docs/cli.md).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The bundle file; `-` reads stdin.
    pub file: PathBuf,
    /// The file is a bare protobuf payload.
    #[arg(long)]
    pub raw: bool,
    /// Print JSON (schema in docs/cli.md).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the demo's nodes in DIR (must not exist) instead of a temporary directory.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Where to write `completions/` and `man/`.
    #[arg(default_value = ".")]
    pub out: PathBuf,
}

impl From<ModeArg> for mvds::engine::Mode {
    fn from(m: ModeArg) -> Self {
        match m {
            ModeArg::Batch => mvds::engine::Mode::Batch,
            ModeArg::Interactive => mvds::engine::Mode::Interactive,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
