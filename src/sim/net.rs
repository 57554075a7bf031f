//! The simulated networks: who is online when, and what happens to a payload
//! between `poll_transmit` and `handle_payload`.
//!
//! Like str0m's netem, the network is itself a deterministic state machine
//! driven by the simulator's epoch and seeded generators; it never touches the
//! engine. Every random draw comes from a generator seeded from the run seed,
//! so one seed always gives the same network.

use std::collections::BTreeMap;

use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus;
use serde::Serialize;

use crate::engine::Epoch;
use crate::wire::Payload;

/// The network models of issue 4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// Nodes send blindly to every peer while online; a payload sent to a
    /// peer that is offline in that epoch is lost.
    Availability,
    /// Like availability, but a node only sends to peers that are online in
    /// this epoch (what a connection-oriented transport tells it).
    Presence,
    /// Bundles: a node exports while online; each bundle is lost with
    /// probability `carry_loss` or arrives after 1..=`carry_delay` epochs and
    /// waits there until the receiver is online to import it.
    Sneakernet,
}

impl ModelKind {
    pub const ALL: [ModelKind; 3] = [
        ModelKind::Availability,
        ModelKind::Presence,
        ModelKind::Sneakernet,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Availability => "availability",
            ModelKind::Presence => "presence",
            ModelKind::Sneakernet => "sneakernet",
        }
    }
}

/// A network model with its parameters. Loss, duplication and reordering
/// apply to every model, on top of what the model itself loses.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Network {
    pub kind: ModelKind,
    /// Probability that a node is online in a window (scenarios may pin a
    /// node, e.g. an always-on relay).
    pub availability: f64,
    /// Length of an online/offline window in epochs (1: an independent draw
    /// every epoch). Each node's windows start at its own random phase.
    pub window: u64,
    /// Probability that a payload is lost in transit.
    pub loss: f64,
    /// Probability that a payload arrives twice.
    pub duplicate: f64,
    /// Probability that a payload is held back 1..=`reorder_delay` extra
    /// epochs, so later payloads overtake it.
    pub reorder: f64,
    pub reorder_delay: u64,
    /// Sneakernet: most epochs a bundle is carried (at least 1).
    pub carry_delay: u64,
    /// Sneakernet: probability that a bundle is lost (the stick is lost).
    pub carry_loss: f64,
}

impl Network {
    /// The parameters: 10% availability, no extra impairments,
    /// sticks carried for 1 to 3 epochs and lost one time in ten.
    pub fn new(kind: ModelKind) -> Self {
        Network {
            kind,
            availability: 0.1,
            window: 1,
            loss: 0.0,
            duplicate: 0.0,
            reorder: 0.0,
            reorder_delay: 2,
            carry_delay: 3,
            carry_loss: 0.1,
        }
    }

    /// A short label with the parameters that differ from zero.
    pub fn label(&self) -> String {
        let mut s = format!("{} p={}", self.kind.name(), self.availability);
        if self.window != 1 {
            s += &format!(" W={}", self.window);
        }
        if self.kind == ModelKind::Sneakernet {
            s += &format!(" delay<={} q={}", self.carry_delay, self.carry_loss);
        }
        for (name, v) in [
            ("loss", self.loss),
            ("dup", self.duplicate),
            ("reorder", self.reorder),
        ] {
            if v > 0.0 {
                s += &format!(" {name}={v}");
            }
        }
        s
    }
}

/// Whether one node is online, window by window, from its own generator (so
/// the pattern does not depend on the traffic, and every policy sees the same
/// one for a given seed).
pub(super) struct Uptime {
    rng: Xoshiro256PlusPlus,
    p: f64,
    window: u64,
    phase: u64,
    current: Option<(u64, bool)>,
}

impl Uptime {
    pub(super) fn new(mut rng: Xoshiro256PlusPlus, p: f64, window: u64) -> Self {
        let window = window.max(1);
        let phase = rng.random_range(0..window);
        Uptime {
            rng,
            p: p.clamp(0.0, 1.0),
            window,
            phase,
            current: None,
        }
    }

    /// Online in `epoch`? Epochs must be asked in non-decreasing order.
    pub(super) fn online(&mut self, epoch: Epoch) -> bool {
        let w = (epoch + self.phase) / self.window;
        loop {
            let next = match self.current {
                Some((cw, on)) if cw >= w => return on,
                Some((cw, _)) => cw + 1,
                None => 0,
            };
            // One draw per window, asked or not, so the pattern depends on
            // the seed alone.
            self.current = Some((next, self.rng.random_bool(self.p)));
        }
    }
}

/// A payload on its way.
pub(super) struct InFlight {
    pub from: usize,
    pub to: usize,
    pub payload: Payload,
}

/// The payloads in transit, keyed by (arrival epoch, sequence number) so
/// arrivals come out in a fixed order.
#[derive(Default)]
pub(super) struct Wire {
    queue: BTreeMap<(Epoch, u64), InFlight>,
    seq: u64,
}

impl Wire {
    pub(super) fn push(&mut self, arrival: Epoch, item: InFlight) {
        self.seq += 1;
        self.queue.insert((arrival, self.seq), item);
    }

    /// Removes and returns everything due by `epoch`, in order.
    pub(super) fn due(&mut self, epoch: Epoch) -> Vec<InFlight> {
        let later = self.queue.split_off(&(epoch + 1, 0));
        std::mem::replace(&mut self.queue, later)
            .into_values()
            .collect()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}

/// Draws the fate of one transmitted payload: the arrival epochs of its
/// copies (none: lost). `receiver_online` is the receiver's state in the
/// sending epoch; `tx_loss` is the sender's own loss (a lossy relay).
pub(super) fn fate(
    net: &Network,
    rng: &mut Xoshiro256PlusPlus,
    epoch: Epoch,
    receiver_online: bool,
    tx_loss: f64,
) -> Vec<Epoch> {
    let mut base = epoch + 1;
    match net.kind {
        ModelKind::Availability | ModelKind::Presence => {
            if !receiver_online {
                return Vec::new();
            }
        }
        ModelKind::Sneakernet => {
            if rng.random_bool(net.carry_loss.clamp(0.0, 1.0)) {
                return Vec::new();
            }
            base = epoch + rng.random_range(1..=net.carry_delay.max(1));
        }
    }
    if rng.random_bool(tx_loss.clamp(0.0, 1.0)) || rng.random_bool(net.loss.clamp(0.0, 1.0)) {
        return Vec::new();
    }
    let copies = if rng.random_bool(net.duplicate.clamp(0.0, 1.0)) {
        2
    } else {
        1
    };
    (0..copies)
        .map(|_| {
            if rng.random_bool(net.reorder.clamp(0.0, 1.0)) {
                base + rng.random_range(1..=net.reorder_delay.max(1))
            } else {
                base
            }
        })
        .collect()
}
