//! The arguments of `mvds sim` and the text it prints. The CLI (src/cli) owns
//! parsing and printing; it flattens [`SimArgs`] and prints what [`run_cli`]
//! returns.

use std::fmt::Write as _;

use crate::engine::Mode;

use super::report::{self, Report, RowKey};
use super::{ModelKind, Network, Policy, RunSpec, SCENARIOS, Scenario, SimError, mode_name};

/// `mvds sim SCENARIO [--seed N] [--policy P] [--json | --markdown]`
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct SimArgs {
    /// s1, s2, s3, or `all`: the full results of docs/simulations.md
    /// (`all` uses its own fixed grid; only --seed applies)
    pub scenario: String,
    /// First seed; the same seed gives the same output, byte for byte
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Retransmission policy [default: all of them, side by side]
    #[arg(long, value_enum)]
    pub policy: Option<Policy>,
    /// Network model [default: all three]
    #[arg(long, value_enum)]
    pub model: Option<ModelKind>,
    /// Batch (MESSAGE, ACK) or interactive (OFFER, REQUEST, MESSAGE, ACK)
    #[arg(long, value_enum, default_value_t = ModeArg::Batch)]
    pub mode: ModeArg,
    /// Seeds to run (seed, seed+1, ...); figures pool all of them
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub runs: u64,
    /// Group size, for scenarios that take one (s3)
    #[arg(long, value_parser = clap::value_parser!(u64).range(2..=2_000))]
    pub nodes: Option<u64>,
    /// Probability that a node is online in a window
    #[arg(long, default_value_t = 0.1, value_parser = probability)]
    pub availability: f64,
    /// Online/offline window length in epochs (1: a new draw every epoch)
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub window: u64,
    /// Probability that a payload is lost in transit (every model)
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    pub loss: f64,
    /// Probability that a payload arrives twice (every model)
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    pub duplicate: f64,
    /// Probability that a payload is held back 1-2 epochs (every model)
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    pub reorder: f64,
    /// Sneakernet: most epochs a bundle is carried
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    pub carry_delay: u64,
    /// Sneakernet: probability that a bundle is lost
    #[arg(long, default_value_t = 0.1, value_parser = probability)]
    pub carry_loss: f64,
    /// Stop a run after this many epochs even if messages are in flight
    #[arg(long, default_value_t = 1_000_000)]
    pub max_epochs: u64,
    /// One JSON array of result objects
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// A markdown table (with `all`: the whole docs/simulations.md)
    #[arg(long)]
    pub markdown: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ModeArg {
    Batch,
    Interactive,
}

impl From<ModeArg> for Mode {
    fn from(m: ModeArg) -> Mode {
        match m {
            ModeArg::Batch => Mode::Batch,
            ModeArg::Interactive => Mode::Interactive,
        }
    }
}

fn probability(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("'{s}' is not a probability between 0 and 1")),
    }
}

/// Runs what `args` asks and returns the text to print.
pub fn run_cli(args: &SimArgs) -> anyhow::Result<String> {
    if args.scenario == "all" {
        let rows = full_grid(args.seed)?;
        return Ok(if args.json {
            json(&rows)?
        } else if args.markdown {
            document(args.seed, &rows)
        } else {
            report::table(&rows)
        });
    }
    let scenario = super::scenario::find(&args.scenario)
        .ok_or_else(|| SimError::UnknownScenario(args.scenario.clone()))?;
    let mut rows = Vec::new();
    let models = args.model.map_or(ModelKind::ALL.to_vec(), |m| vec![m]);
    let policies = args.policy.map_or(Policy::ALL.to_vec(), |p| vec![p]);
    for kind in models {
        let network = Network {
            kind,
            availability: args.availability,
            window: args.window,
            loss: args.loss,
            duplicate: args.duplicate,
            reorder: args.reorder,
            reorder_delay: 2,
            carry_delay: args.carry_delay,
            carry_loss: args.carry_loss,
        };
        for &policy in &policies {
            rows.push(row(
                scenario,
                args.nodes.map(|n| n as usize),
                &network,
                policy,
                args.mode.into(),
                args.seed,
                args.runs,
                args.max_epochs,
            )?);
        }
    }
    Ok(if args.json {
        json(&rows)?
    } else if args.markdown {
        report::markdown(&rows)
    } else {
        report::table(&rows)
    })
}

fn json(rows: &[Report]) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(rows)? + "\n")
}

/// Runs seeds `seed..seed+runs` and pools them into one row.
#[allow(clippy::too_many_arguments)]
pub fn row(
    scenario: &Scenario,
    size: Option<usize>,
    network: &Network,
    policy: Policy,
    mode: Mode,
    seed: u64,
    runs: u64,
    max_epochs: u64,
) -> Result<Report, SimError> {
    let mut outcomes = Vec::new();
    let mut nodes = 0;
    for s in seed..seed + runs {
        let spec = RunSpec {
            scenario,
            size,
            network: network.clone(),
            settings: policy.settings(mode),
            seed: s,
            max_epochs,
        };
        let outcome = super::run(&spec)?;
        nodes = outcome.nodes;
        outcomes.push(outcome);
    }
    let key = RowKey {
        scenario: scenario.name.to_string(),
        nodes,
        model: network.kind.name().to_string(),
        network: network.label(),
        policy: policy.name().to_string(),
        mode: mode_name(mode).to_string(),
        seed,
    };
    Ok(Report::new(key, &outcomes))
}

/// Seeds per row in the full grid: s1 and s2 are small and noisy, s3 is big.
const RUNS_SMALL: u64 = 100;
const RUNS_S3: u64 = 1;
/// Group sizes of the s3 growth rows (100 is in the main grid).
const GROWTH: [usize; 3] = [10, 25, 50];

/// The networks of the full grid: the three models at the issue's
/// parameters, plus availability in windows of 10 epochs.
fn grid_networks() -> Vec<Network> {
    let mut nets: Vec<Network> = ModelKind::ALL.iter().map(|&k| Network::new(k)).collect();
    nets.insert(
        1,
        Network {
            window: 10,
            ..Network::new(ModelKind::Availability)
        },
    );
    nets
}

/// Every scenario x network x policy (x mode for s1 and s2), then s3 growth.
fn full_grid(seed: u64) -> Result<Vec<Report>, SimError> {
    let max = 1_000_000;
    let mut rows = Vec::new();
    for scenario in SCENARIOS {
        let (runs, modes) = if scenario.name == "s3" {
            (RUNS_S3, vec![Mode::Batch])
        } else {
            (RUNS_SMALL, vec![Mode::Batch, Mode::Interactive])
        };
        for &mode in &modes {
            for network in grid_networks() {
                for policy in Policy::ALL {
                    rows.push(row(
                        scenario, None, &network, policy, mode, seed, runs, max,
                    )?);
                }
            }
        }
    }
    let s3 = super::scenario::find("s3").expect("s3 is registered");
    for size in GROWTH {
        for policy in [Policy::Naive, Policy::Default] {
            let network = Network::new(ModelKind::Availability);
            rows.push(row(
                s3,
                Some(size),
                &network,
                policy,
                Mode::Batch,
                seed,
                RUNS_S3,
                max,
            )?);
        }
    }
    Ok(rows)
}

/// docs/simulations.md: how it was made, the definitions, the table.
fn document(seed: u64, rows: &[Report]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "# Simulations\n\n\
         Generated by `cargo run --release -- sim all --markdown > docs/simulations.md`\n\
         (seed {seed}; the same command prints the same file, byte for byte). \
         Do not edit by hand.\n\n"
    );
    out += &goals(rows);
    out += DEFINITIONS;
    out += NOTES;
    out += "\n## Scenarios\n\n";
    for s in SCENARIOS {
        let _ = writeln!(out, "- `{}`: {}", s.name, s.about);
    }
    out += "\n## Policies\n\n";
    for p in Policy::ALL {
        let _ = writeln!(out, "- `{}`: {}", p.name(), p.about());
    }
    let _ = write!(
        out,
        "\n## Results\n\n\
         s1, s2 and s2m: {RUNS_SMALL} seeds per row (seed, seed+1, ...); s3: seed {seed} only, \
         batch mode. \
         The last rows grow the s3 group (availability model, p=0.1).\n\n"
    );
    out += &report::markdown(rows);
    out
}

/// The goals, checked against the rows below them.
fn goals(rows: &[Report]) -> String {
    let find = |scenario: &str, network: &str, policy: Policy| {
        rows.iter().find(|r| {
            r.scenario == scenario
                && r.network == network
                && r.policy == policy.name()
                && r.mode == "batch"
        })
    };
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    let mut out = String::from("## Goals (issue 4)\n\n");
    let avail = Network::new(ModelKind::Availability).label();
    if let (Some(d), Some(n)) = (
        find("s1", &avail, Policy::Default),
        find("s1", &avail, Policy::Naive),
    ) {
        let (dp, np) = (d.latency_p90.unwrap_or(0), n.latency_p90.unwrap_or(0));
        let ratio = dp as f64 / np.max(1) as f64;
        let _ = writeln!(
            out,
            "- s1, {avail}, policy `default`: multiplier x{:.1} (goal <= 30: {}); \
             P90 latency {dp} epochs vs {np} for `naive`, {ratio:.2}x (goal <= 1.5x: {}). \
             `naive` costs x{:.1}.",
            d.bandwidth_multiplier,
            verdict(d.bandwidth_multiplier <= 30.0),
            verdict(ratio <= 1.5),
            n.bandwidth_multiplier,
        );
    }
    let presence = Network::new(ModelKind::Presence).label();
    let best = Policy::ALL
        .iter()
        .filter_map(|&p| find("s1", &presence, p))
        .min_by(|a, b| a.bandwidth_multiplier.total_cmp(&b.bandwidth_multiplier));
    if let (Some(d), Some(b)) = (find("s1", &presence, Policy::Default), best) {
        let _ = writeln!(
            out,
            "- s1, {presence}: policy `default` x{:.1}; best policy `{}` x{:.1} \
             (goal <= 3: {} with `{}`, {} with `default`).",
            d.bandwidth_multiplier,
            b.policy,
            b.bandwidth_multiplier,
            verdict(b.bandwidth_multiplier <= 3.0),
            b.policy,
            verdict(d.bandwidth_multiplier <= 3.0),
        );
    }
    let mut s3: Vec<&Report> = rows
        .iter()
        .filter(|r| r.scenario == "s3" && r.network == avail && r.policy == "default")
        .collect();
    s3.sort_by_key(|r| r.nodes);
    let growth: Vec<String> = s3
        .iter()
        .map(|r| format!("n={}: x{:.1}", r.nodes, r.bandwidth_multiplier))
        .collect();
    let _ = writeln!(
        out,
        "- s3, {avail}, policy `default`, by group size: {}.\n",
        growth.join(", ")
    );
    out
}

const NOTES: &str = "
## Reading the results

- No policy is best on every network. `default` is tuned for blind sends at
  low availability, where an ACK needs as many tries as the MESSAGE; on
  networks where the first ACK usually arrives (sneakernet, windows of
  several epochs) its repeated ACKs cost more records than `linear` or
  `exponential` (ACKs are small: compare bytes/body). `patient` suits
  transports that only send to reachable peers and is slow everywhere else.
- s3 floods each message over a sparse graph (about six peers per node).
  Every node gets each message from several neighbours, and every link pays
  its own MESSAGE/ACK exchange, so the multiplier per delivery is roughly the
  per-link cost times the number of links a node forwards on. It stays
  roughly flat as the group grows at a fixed number of peers per node, while
  the deliveries needed, and so the total traffic, grow with n(n-1).
";

const DEFINITIONS: &str = "\
## Definitions

- **epoch**: one tick of every node. A payload sent in epoch e is handled in
  epoch e+1 (one hop = one epoch); a node sends at most one payload per peer
  per epoch, and only while it is online.
- **availability**: each node is online in a window with probability p
  (W=1: a new draw every epoch; W=10: windows of 10 epochs at a random
  phase). Nodes send blindly; a payload sent to a peer offline in that epoch
  is lost. **presence**: the same, but a node only sends to peers online in
  that epoch. **sneakernet**: a node exports while online; each bundle is
  lost with probability q or carried 1..=3 epochs, then waits until its
  receiver is online to be imported.
- **delivery needed**: one (message, recipient) pair, for every user of the
  group other than the sender (a relay is not a recipient). s1 needs
  10 messages x 1 recipient = 10; s3 (n=100) needs 500 x 99 = 49,500.
- **multiplier**: records transmitted (MESSAGE + OFFER + REQUEST + ACK,
  counted when sent, lost or not, by every node, relays included) divided by
  the deliveries needed. One MESSAGE sent three times plus one ACK is x4.
- **bytes/body**: encoded payload bytes sent divided by (body bytes x
  recipients); bodies are 100 bytes.
- **p50, p90, max**: latency of each delivery needed, in epochs, from the
  epoch the sender sent the message to the epoch the recipient delivered it
  (causal order included), nearest rank over all seeds of the row.
- **delivered**: deliveries made / deliveries needed. **converge**: median
  over seeds of the epoch of the last delivery (every user holds
  everything); a run ends when nothing is left to send.
";
