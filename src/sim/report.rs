//! Metrics: what one run measured ([`Outcome`]), what a set of seeds adds up
//! to ([`Report`]), and the three renderings (table, markdown, JSON).
//!
//! Definitions (docs/simulations.md repeats them):
//! - a *delivery needed* is one (message, recipient) pair: every user of the
//!   group other than the sender must hold the message (a relay is not a
//!   recipient). In s1 that is 10 messages x 1 recipient = 10.
//! - *bandwidth multiplier* = records transmitted (MESSAGE, OFFER, REQUEST
//!   and ACK, counted when sent, lost or not, by every node including
//!   relays) divided by deliveries needed. One MESSAGE sent three times plus one ACK is x4.
//! - *bytes per body byte* = encoded payload bytes sent / (body bytes x
//!   recipients).
//! - *latency* of a delivery = epoch the recipient delivered it - epoch it
//!   was sent; P50/P90/max by nearest rank over all deliveries of all seeds.

use serde::Serialize;

use crate::wire::Payload;

/// Records sent, by type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RecordCounts {
    pub message: u64,
    pub offer: u64,
    pub request: u64,
    pub ack: u64,
}

impl RecordCounts {
    pub fn total(&self) -> u64 {
        self.message + self.offer + self.request + self.ack
    }

    fn add(&mut self, o: &RecordCounts) {
        self.message += o.message;
        self.offer += o.offer;
        self.request += o.request;
        self.ack += o.ack;
    }
}

/// A message reaching one of its recipients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub sender: usize,
    pub recipient: usize,
    /// Epochs from the send to the delivery.
    pub latency: u64,
}

/// What one run (one seed) measured.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub nodes: usize,
    pub messages: u64,
    pub deliveries_needed: u64,
    pub body_bytes_needed: u64,
    pub records: RecordCounts,
    pub payloads: u64,
    pub bytes: u64,
    /// One entry per (message, recipient) delivered.
    pub deliveries: Vec<Delivery>,
    /// Epoch of the last delivery that counted.
    pub last_delivery: Option<u64>,
    /// Epochs simulated: until nothing was left to send (or the limit).
    pub epochs: u64,
}

impl Outcome {
    pub(super) fn count(&mut self, p: &Payload) {
        self.payloads += 1;
        self.bytes += p.encode().len() as u64;
        self.records.message += p.messages.len() as u64;
        self.records.offer += p.offers.len() as u64;
        self.records.request += p.requests.len() as u64;
        self.records.ack += p.acks.len() as u64;
    }
}

/// One row of results: a scenario, network, policy and mode over `runs`
/// seeds starting at `seed`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub scenario: String,
    pub nodes: usize,
    pub model: String,
    pub network: String,
    pub policy: String,
    pub mode: String,
    pub seed: u64,
    pub runs: u64,
    pub messages: u64,
    pub deliveries_needed: u64,
    pub deliveries: u64,
    pub delivered_ratio: f64,
    pub records: RecordCounts,
    pub payloads: u64,
    pub bytes: u64,
    pub bandwidth_multiplier: f64,
    pub bytes_per_body_byte: f64,
    pub latency_p50: Option<u64>,
    pub latency_p90: Option<u64>,
    pub latency_max: Option<u64>,
    /// Median over seeds of the epoch of the last delivery: when every user
    /// held every message.
    pub epochs_to_converge: Option<u64>,
    /// Median over seeds of the epochs until nothing was left to send.
    pub epochs_to_quiesce: u64,
}

/// Identifies a row; the numbers come from the outcomes.
pub struct RowKey {
    pub scenario: String,
    pub nodes: usize,
    pub model: String,
    pub network: String,
    pub policy: String,
    pub mode: String,
    pub seed: u64,
}

impl Report {
    pub fn new(key: RowKey, outcomes: &[Outcome]) -> Report {
        let mut records = RecordCounts::default();
        let mut latencies = Vec::new();
        let (mut needed, mut body, mut payloads, mut bytes, mut messages) = (0, 0, 0, 0, 0);
        let mut converge = Vec::new();
        let mut quiesce = Vec::new();
        for o in outcomes {
            records.add(&o.records);
            latencies.extend(o.deliveries.iter().map(|d| d.latency));
            needed += o.deliveries_needed;
            body += o.body_bytes_needed;
            payloads += o.payloads;
            bytes += o.bytes;
            messages += o.messages;
            quiesce.push(o.epochs);
            if o.deliveries.len() as u64 == o.deliveries_needed {
                converge.push(o.last_delivery.unwrap_or(0));
            }
        }
        latencies.sort_unstable();
        quiesce.sort_unstable();
        converge.sort_unstable();
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let deliveries = latencies.len() as u64;
        Report {
            scenario: key.scenario,
            nodes: key.nodes,
            model: key.model,
            network: key.network,
            policy: key.policy,
            mode: key.mode,
            seed: key.seed,
            runs: outcomes.len() as u64,
            messages,
            deliveries_needed: needed,
            deliveries,
            delivered_ratio: ratio(deliveries, needed),
            bandwidth_multiplier: ratio(records.total(), needed),
            bytes_per_body_byte: ratio(bytes, body),
            records,
            payloads,
            bytes,
            latency_p50: percentile(&latencies, 50),
            latency_p90: percentile(&latencies, 90),
            latency_max: latencies.last().copied(),
            // Only when every seed converged; a partial median would flatter.
            epochs_to_converge: if converge.len() == outcomes.len() {
                percentile(&converge, 50)
            } else {
                None
            },
            epochs_to_quiesce: percentile(&quiesce, 50).unwrap_or(0),
        }
    }
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[u64], pct: u64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (pct as usize * sorted.len()).div_ceil(100).max(1);
    Some(sorted[rank - 1])
}

const HEADERS: [&str; 12] = [
    "scenario",
    "network",
    "policy",
    "mode",
    "runs",
    "multiplier",
    "bytes/body",
    "p50",
    "p90",
    "max",
    "delivered",
    "converge",
];

fn cells(r: &Report) -> [String; 12] {
    let opt = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
    [
        if r.scenario == "s3" {
            format!("s3 (n={})", r.nodes)
        } else {
            r.scenario.clone()
        },
        r.network.clone(),
        r.policy.clone(),
        r.mode.clone(),
        r.runs.to_string(),
        format!("x{:.1}", r.bandwidth_multiplier),
        format!("{:.1}", r.bytes_per_body_byte),
        opt(r.latency_p50),
        opt(r.latency_p90),
        opt(r.latency_max),
        format!("{:.1}%", r.delivered_ratio * 100.0),
        opt(r.epochs_to_converge),
    ]
}

/// A plain table for people, columns aligned.
pub fn table(rows: &[Report]) -> String {
    let all: Vec<[String; 12]> = std::iter::once(HEADERS.map(String::from))
        .chain(rows.iter().map(cells))
        .collect();
    let mut width = [0usize; 12];
    for row in &all {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.len());
        }
    }
    let mut out = String::new();
    for row in &all {
        let line: Vec<String> = row
            .iter()
            .zip(width)
            .enumerate()
            .map(|(k, (c, w))| {
                if k < 4 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        out += line.join("  ").trim_end();
        out.push('\n');
    }
    out
}

/// A GitHub markdown table.
pub fn markdown(rows: &[Report]) -> String {
    let mut out = format!("| {} |\n", HEADERS.join(" | "));
    out += &format!("|{}\n", "---|".repeat(HEADERS.len()));
    for r in rows {
        out += &format!("| {} |\n", cells(r).join(" | "));
    }
    out
}
