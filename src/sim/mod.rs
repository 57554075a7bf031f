//! `mvds sim`: a deterministic, seeded simulator that runs the real engine
//! ([`Node`] over [`MemState`], no files) over simulated networks, to answer
//! the MVDS authors' questions (DESIGN.md section 8, issue 4): the bandwidth
//! multiplier and the latency of each retransmission policy.
//!
//! This module owns the simulated clock, the networks ([`net`]), the
//! scenarios ([`scenario`]), the policies and the metrics ([`report`]). It
//! drives the engine only through its public driving loop, exactly as the CLI
//! does; it must not reach into engine internals, and it touches no file,
//! clock or environment: the seed is the only source of randomness.

mod cli;
pub mod net;
pub mod report;
pub mod scenario;
#[cfg(test)]
mod tests;

pub use cli::{SimArgs, run_cli};
pub use net::{ModelKind, Network};
pub use report::{Delivery, Outcome, RecordCounts, Report};
pub use scenario::{NodeSpec, SCENARIOS, Scenario, Setup};

use std::collections::HashMap;

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use serde::Serialize;

use crate::engine::{
    self, Backoff, Epoch, Event, MemState, Mode, Node, PeerId, Schedule, Settings,
};
use crate::wire::{GroupId, MessageId};

/// Simulator errors.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    #[error("unknown scenario '{0}' (known: {known}, all)", known = scenario::names())]
    UnknownScenario(String),
    #[error("engine: {0}")]
    Engine(#[from] engine::Error),
}

/// Retransmission policies compared on the same seeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// Every due record every epoch; one ACK per MESSAGE (the spec's letter).
    Naive,
    /// `2 * send_count` epochs between sends, as the Go simulation.
    Linear,
    /// The engine's backoff as shipped: 1, 2, 4 .. 32 epochs, then 1 again.
    Exponential,
    /// Our answer to issue 4 for blind sends (see [`Policy::settings`]).
    Default,
    /// For transports that only send to reachable peers (presence): a long
    /// first wait, since what is sent to a reachable peer arrives.
    Patient,
}

impl Policy {
    pub const ALL: [Policy; 5] = [
        Policy::Naive,
        Policy::Linear,
        Policy::Exponential,
        Policy::Default,
        Policy::Patient,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Policy::Naive => "naive",
            Policy::Linear => "linear",
            Policy::Exponential => "exponential",
            Policy::Default => "default",
            Policy::Patient => "patient",
        }
    }

    /// One line for people.
    pub fn about(self) -> &'static str {
        match self {
            Policy::Naive => "every due record every epoch (backoff 1..1), one ACK per MESSAGE",
            Policy::Linear => {
                "wait 2 x send_count epochs, unbounded (the Go simulation), one ACK per MESSAGE"
            }
            Policy::Exponential => {
                "the engine's backoff as shipped (1, 2, 4 .. 32, then 1), one ACK per MESSAGE"
            }
            Policy::Default => {
                "backoff 2, 4 epochs then 2 again; ACKs repeated in up to 40 payloads until the peer is heard from; \
                 what the peer answered at once waits 128 epochs"
            }
            Policy::Patient => {
                "backoff 128, 256 .. 1024 epochs, one ACK per MESSAGE: for transports that only send to reachable peers"
            }
        }
    }

    /// The engine settings of the policy.
    pub fn settings(self, mode: Mode) -> Settings {
        let base = Settings {
            mode,
            ..Settings::default()
        };
        match self {
            Policy::Naive => Settings {
                backoff: Backoff { base: 1, max: 1 },
                ..base
            },
            Policy::Linear => Settings {
                schedule: Schedule::Linear { step: 2 },
                ..base
            },
            Policy::Exponential => base,
            // Wait one round trip (2 epochs) before the first resend and at
            // most 4 after that, so a blind sender keeps finding its peer
            // (issue 4: P90 latency); repeat ACKs until the peer is heard
            // from, since an ACK sent blindly needs some 1/p tries like the
            // MESSAGE; and hold what the peer evidently received.
            Policy::Default => Settings {
                backoff: Backoff { base: 2, max: 4 },
                ack_repeats: 40,
                settle_acks_on_contact: true,
                reply_hold: 128,
                ..base
            },
            Policy::Patient => Settings {
                backoff: Backoff {
                    base: 128,
                    max: 1024,
                },
                ..base
            },
        }
    }
}

/// Name of a mode in reports.
pub fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Batch => "batch",
        Mode::Interactive => "interactive",
    }
}

/// One run to make.
#[derive(Clone, Debug)]
pub struct RunSpec<'a> {
    pub scenario: &'a Scenario,
    /// Group size for scenarios that take one (s3); `None`: the scenario's.
    pub size: Option<usize>,
    pub network: Network,
    /// Engine settings of every node (see [`Policy::settings`]); `mode` is
    /// also the mode of the messages the scenario sends.
    pub settings: Settings,
    pub seed: u64,
    /// The run stops here even if messages are still in flight.
    pub max_epochs: Epoch,
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Independent generator streams derived from the run seed, so adding a
/// draw in one place does not shift the others.
fn stream(seed: u64, stream: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}
const TRAFFIC: u64 = 1;
const WIRE: u64 = 2;
const UPTIME: u64 = 1 << 32;

/// The scenario's setup for this run (topology and traffic from the seed).
pub fn setup_of(spec: &RunSpec<'_>) -> Setup {
    (spec.scenario.setup)(spec.size, &mut stream(spec.seed, TRAFFIC))
}

/// Runs one seed of one scenario: the engine's driving loop, epoch by epoch,
/// until every message is delivered and nothing is left to send, or
/// `max_epochs`.
pub fn run(spec: &RunSpec<'_>) -> Result<Outcome, SimError> {
    let setup = setup_of(spec);
    let mut wire_rng = stream(spec.seed, WIRE);
    let net = &spec.network;
    let n = setup.nodes.len();
    let group = GroupId(b"mvds-sim".to_vec());
    let settings = &spec.settings;

    let mut peers: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in &setup.links {
        peers[a].push(b);
        peers[b].push(a);
    }
    let mut nodes: Vec<Node<MemState>> = peers
        .iter_mut()
        .map(|p| {
            p.sort_unstable();
            p.dedup();
            let mut state = MemState::new();
            state.share(&group, p.iter().map(|&j| PeerId(j as u64)));
            Node::new(state, settings.clone())
        })
        .collect();
    let mut uptime: Vec<net::Uptime> = setup
        .nodes
        .iter()
        .enumerate()
        .map(|(i, spec_i)| {
            let p = spec_i.availability.unwrap_or(net.availability);
            net::Uptime::new(stream(spec.seed, UPTIME + i as u64), p, net.window)
        })
        .collect();

    let users = setup.nodes.iter().filter(|s| s.user).count() as u64;
    let mut out = Outcome {
        nodes: n,
        messages: setup.sends.len() as u64,
        ..Outcome::default()
    };
    // Message id -> (sender, send epoch): whose delivery counts, and since when.
    let mut sent: HashMap<MessageId, (usize, Epoch)> = HashMap::new();
    let mut wire = net::Wire::default();
    let mut pending_imports: Vec<net::InFlight> = Vec::new();
    let mut next_send = 0;
    let mut online = vec![false; n];

    let mut epoch: Epoch = 0;
    while epoch < spec.max_epochs {
        for (i, u) in uptime.iter_mut().enumerate() {
            online[i] = u.online(epoch);
        }
        // 1. Payloads arrive. A bundle waits on its stick for its receiver.
        let mut arrivals = std::mem::take(&mut pending_imports);
        arrivals.extend(wire.due(epoch));
        for item in arrivals {
            if net.kind == ModelKind::Sneakernet && !online[item.to] {
                pending_imports.push(item);
                continue;
            }
            nodes[item.to].handle_payload(PeerId(item.from as u64), item.payload, epoch)?;
        }
        // 2. The application sends.
        while let Some(&(at, i)) = setup.sends.get(next_send) {
            if at > epoch {
                break;
            }
            next_send += 1;
            let body = body_of(i, next_send, setup.body_len);
            let body_len = body.len() as u64;
            let message = nodes[i].compose(&group, epoch as i64, body, false)?;
            let id = nodes[i].send(message, settings.mode, epoch)?;
            sent.insert(id, (i, epoch));
            let recipients = users - u64::from(setup.nodes[i].user);
            out.deliveries_needed += recipients;
            out.body_bytes_needed += body_len * recipients;
        }
        // 3. Online nodes transmit.
        for i in 0..n {
            if !online[i] {
                continue;
            }
            for &j in &peers[i] {
                if net.kind == ModelKind::Presence && !online[j] {
                    continue;
                }
                let Some(payload) = nodes[i].poll_transmit(PeerId(j as u64), epoch)? else {
                    continue;
                };
                out.count(&payload);
                let arrivals =
                    net::fate(net, &mut wire_rng, epoch, online[j], setup.nodes[i].tx_loss);
                if let Some((&last, copies)) = arrivals.split_last() {
                    for &at in copies {
                        let payload = payload.clone();
                        wire.push(
                            at,
                            net::InFlight {
                                from: i,
                                to: j,
                                payload,
                            },
                        );
                    }
                    wire.push(
                        last,
                        net::InFlight {
                            from: i,
                            to: j,
                            payload,
                        },
                    );
                }
            }
        }
        // 4. Deliveries.
        for (i, node) in nodes.iter_mut().enumerate() {
            while let Some(event) = node.poll_event() {
                let Event::Delivered { id, .. } = event else {
                    continue;
                };
                let Some(&(from, at)) = sent.get(&id) else {
                    continue;
                };
                if from != i && setup.nodes[i].user {
                    out.deliveries.push(report::Delivery {
                        sender: from,
                        recipient: i,
                        latency: epoch - at,
                    });
                    out.last_delivery = Some(epoch);
                }
            }
        }
        epoch += 1;
        if next_send == setup.sends.len()
            && wire.is_empty()
            && pending_imports.is_empty()
            && idle(&mut nodes, &peers)?
        {
            break;
        }
    }
    out.epochs = epoch;
    Ok(out)
}

/// Nothing left to send anywhere: no record in flight, no ACK queued.
fn idle(nodes: &mut [Node<MemState>], peers: &[Vec<usize>]) -> Result<bool, SimError> {
    for (node, peers) in nodes.iter_mut().zip(peers) {
        if node.state().record_count() > 0 {
            return Ok(false);
        }
        for &j in peers {
            if node.next_send_epoch(PeerId(j as u64), 0)?.is_some() {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// A distinct body per message: sender and sequence number, padded.
fn body_of(sender: usize, seq: usize, len: usize) -> Vec<u8> {
    let mut body = format!("message {seq} from node {sender} ").into_bytes();
    body.resize(len.max(body.len()), b'.');
    body
}
