//! Convergence of the engine over a bad network (property test).
//!
//! 2 to 6 nodes share one or two groups along random connected topologies (a
//! random spanning tree of the group's members plus random extra edges) and
//! send messages in batch and interactive mode, some ephemeral. Every payload
//! goes through the wire encoding and a simulated link that drops (up to
//! 50%), duplicates, delays (up to 4 epochs) and so reorders. Then the link
//! turns lossless (still delayed and reordered) until the network is quiet.
//!
//! Checked on every event: exactly-once delivery, after all parents, only
//! messages of the node's groups; an ACK only from a peer that holds the
//! message. Checked at the end: the network went quiet within the epoch cap;
//! every member holds and delivered every reliable message of its groups; no
//! message is left waiting; ephemeral messages reached nobody beyond the
//! sender's direct peers and are nobody's parent; every node's records and
//! queued ACKs drained to nothing.
//!
//! Deterministic: proptest runs a fixed number of cases from a fixed seed, and
//! each case drives its link from a seeded generator.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use mvds::engine::{Backoff, Epoch, Event, MemState, Mode, Node, PeerId, Settings, State, Status};
use mvds::wire::{GroupId, Limits, Message, MessageId, Payload};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};

const MAX_NODES: usize = 6;
/// Epochs the lossless tail may take before the test fails. The longest wait
/// of a record is 3 * 16 epochs, a trip at most 4, a forward at most 5 hops
/// with 4 trips each (interactive plus a parent request): far below this.
const TAIL_CAP: Epoch = 3_000;
const CASES: u32 = 1024;

/// One group: raw choices turned into a topology by [`Topology::build`].
#[derive(Clone, Debug)]
struct GroupSpec {
    /// Bit i set: node i is a member (group 0 has every node).
    members: u8,
    /// For the i-th member (i >= 1), its tree parent is member `tree[i] % i`.
    tree: Vec<u16>,
    /// Extra edges between members `a % m` and `b % m`.
    extra: Vec<(u8, u8)>,
}

#[derive(Clone, Debug)]
struct NodeSpec {
    interactive: bool,
    base: u64,
    doublings: u32,
    ack_repeats: u32,
    hasten: bool,
    /// Tiny payload limits, so records spill over several payloads.
    small_limits: bool,
}

#[derive(Clone, Debug)]
struct SendSpec {
    epoch: Epoch,
    node: u8,
    group: u8,
    interactive: bool,
    ephemeral: bool,
    padding: usize,
}

#[derive(Clone, Debug)]
struct LinkSpec {
    drop: f64,
    duplicate: f64,
    max_delay: Epoch,
    seed: u64,
    /// The link is lossy before this epoch, lossless from it on.
    lossy_until: Epoch,
}

#[derive(Clone, Debug)]
struct Scenario {
    nodes: usize,
    groups: Vec<GroupSpec>,
    settings: Vec<NodeSpec>,
    sends: Vec<SendSpec>,
    link: LinkSpec,
}

fn group_spec(all: bool) -> impl Strategy<Value = GroupSpec> {
    (
        any::<u8>(),
        vec(any::<u16>(), MAX_NODES),
        vec((any::<u8>(), any::<u8>()), 0..6),
    )
        .prop_map(move |(members, tree, extra)| GroupSpec {
            members: if all { u8::MAX } else { members },
            tree,
            extra,
        })
}

fn node_spec() -> impl Strategy<Value = NodeSpec> {
    (
        any::<bool>(),
        1u64..=3,
        0u32..=4,
        0u32..=1,
        any::<bool>(),
        prop::bool::weighted(0.2),
    )
        .prop_map(
            |(interactive, base, doublings, ack_repeats, hasten, small_limits)| NodeSpec {
                interactive,
                base,
                doublings,
                ack_repeats,
                hasten,
                small_limits,
            },
        )
}

fn send_spec() -> impl Strategy<Value = SendSpec> {
    (
        0u64..20,
        any::<u8>(),
        any::<u8>(),
        any::<bool>(),
        prop::bool::weighted(0.2),
        0usize..40,
    )
        .prop_map(
            |(epoch, node, group, interactive, ephemeral, padding)| SendSpec {
                epoch,
                node,
                group,
                interactive,
                ephemeral,
                padding,
            },
        )
}

fn link_spec() -> impl Strategy<Value = LinkSpec> {
    (
        0.0f64..=0.5,
        0.0f64..=0.3,
        1u64..=4,
        any::<u64>(),
        20u64..60,
    )
        .prop_map(|(drop, duplicate, max_delay, seed, lossy_until)| LinkSpec {
            drop,
            duplicate,
            max_delay,
            seed,
            lossy_until,
        })
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        2usize..=MAX_NODES,
        group_spec(true),
        option::of(group_spec(false)),
        vec(node_spec(), MAX_NODES),
        vec(send_spec(), 1..40),
        link_spec(),
    )
        .prop_map(|(nodes, g0, g1, settings, sends, link)| Scenario {
            nodes,
            groups: std::iter::once(g0).chain(g1).collect(),
            settings,
            sends,
            link,
        })
}

/// The groups, who is in them and who shares them with whom.
struct Topology {
    ids: Vec<GroupId>,
    /// members[g]: the nodes in group g.
    members: Vec<BTreeSet<usize>>,
    /// peers[g][n]: the nodes node n shares group g with.
    peers: Vec<Vec<BTreeSet<usize>>>,
    /// links[n]: every node n exchanges payloads with (any group).
    links: Vec<BTreeSet<usize>>,
}

impl Topology {
    fn build(s: &Scenario) -> Self {
        let n = s.nodes;
        let mut t = Topology {
            ids: Vec::new(),
            members: Vec::new(),
            peers: Vec::new(),
            links: vec![BTreeSet::new(); n],
        };
        for (g, spec) in s.groups.iter().enumerate() {
            let mut members: Vec<usize> = (0..n).filter(|i| spec.members & (1 << i) != 0).collect();
            for i in 0..n {
                if members.len() >= 2 {
                    break;
                }
                if !members.contains(&i) {
                    members.push(i);
                }
            }
            members.sort_unstable();
            let mut edges = BTreeSet::new();
            for i in 1..members.len() {
                let parent = members[usize::from(spec.tree[i]) % i];
                edges.insert((parent, members[i]));
            }
            for &(a, b) in &spec.extra {
                let (a, b) = (
                    members[usize::from(a) % members.len()],
                    members[usize::from(b) % members.len()],
                );
                if a != b {
                    edges.insert((a.min(b), a.max(b)));
                }
            }
            let mut peers = vec![BTreeSet::new(); n];
            for (a, b) in edges {
                peers[a].insert(b);
                peers[b].insert(a);
                t.links[a].insert(b);
                t.links[b].insert(a);
            }
            t.ids.push(GroupId(vec![g as u8 + 1; 32]));
            t.members.push(members.into_iter().collect());
            t.peers.push(peers);
        }
        t
    }

    fn groups_of(&self, node: usize) -> Vec<usize> {
        (0..self.ids.len())
            .filter(|&g| self.members[g].contains(&node))
            .collect()
    }
}

fn settings(spec: &NodeSpec) -> Settings {
    let mut s = Settings {
        mode: if spec.interactive {
            Mode::Interactive
        } else {
            Mode::Batch
        },
        backoff: Backoff {
            base: spec.base,
            max: spec.base << spec.doublings,
        },
        ack_repeats: spec.ack_repeats,
        hasten_on_contact: spec.hasten,
        ..Settings::default()
    };
    if spec.small_limits {
        s.max_records = 3;
        s.max_body_bytes = 24;
    }
    s
}

/// A payload on the wire: from, to, bytes.
struct InFlight {
    from: usize,
    to: usize,
    bytes: Vec<u8>,
}

/// What the test knows about one node, to check its events against.
#[derive(Default)]
struct Observed {
    delivered: HashSet<MessageId>,
}

/// A message some node sent, as the test remembers it.
struct Sent {
    group: usize,
    sender: usize,
    ephemeral: bool,
    message: Message,
}

/// The simulated link: what is on the wire and the generator that decides
/// each payload's fate.
struct Link<'a> {
    spec: &'a LinkSpec,
    rng: StdRng,
    /// Payloads by the epoch they arrive in.
    wire: BTreeMap<Epoch, Vec<InFlight>>,
    payloads: u64,
}

/// Every node makes its payload of the epoch for each peer (at most one) and
/// puts it on the link: dropped, duplicated, delayed while the link is lossy;
/// only delayed after.
fn transmit(
    nodes: &mut [Node<MemState>],
    topo: &Topology,
    link: &mut Link,
    epoch: Epoch,
) -> Result<(), TestCaseError> {
    let lossy = epoch < link.spec.lossy_until;
    for (from, node) in nodes.iter_mut().enumerate() {
        for &to in &topo.links[from] {
            let peer = PeerId(to as u64);
            let fail = |e: mvds::engine::Error| TestCaseError::fail(e.to_string());
            // next_send_epoch predicts exactly whether a payload comes now.
            let due = node.next_send_epoch(peer, epoch).map_err(fail)?;
            let payload = node.poll_transmit(peer, epoch).map_err(fail)?;
            prop_assert_eq!(payload.is_some(), due.is_some_and(|e| e <= epoch));
            let again = node.poll_transmit(peer, epoch).map_err(fail)?;
            prop_assert!(again.is_none(), "two payloads in one epoch");
            let next = node.next_send_epoch(peer, epoch).map_err(fail)?;
            prop_assert!(
                next.is_none_or(|e| e > epoch),
                "next send {:?} at {}",
                next,
                epoch
            );
            let Some(payload) = payload else { continue };
            prop_assert!(!payload.is_empty());
            link.payloads += 1;
            let bytes = payload.encode();
            let copies = if !lossy {
                1
            } else if link.rng.random_bool(link.spec.drop) {
                0
            } else if link.rng.random_bool(link.spec.duplicate) {
                2
            } else {
                1
            };
            for _ in 0..copies {
                let at = epoch + link.rng.random_range(1..=link.spec.max_delay);
                link.wire.entry(at).or_default().push(InFlight {
                    from,
                    to,
                    bytes: bytes.clone(),
                });
            }
        }
    }
    Ok(())
}

fn run(s: &Scenario) -> Result<(), TestCaseError> {
    let topo = Topology::build(s);
    let n = s.nodes;
    let mut nodes: Vec<Node<MemState>> = (0..n)
        .map(|i| {
            let mut state = MemState::new();
            for g in topo.groups_of(i) {
                state.share(
                    &topo.ids[g],
                    topo.peers[g][i].iter().map(|&p| PeerId(p as u64)),
                );
            }
            Node::new(state, settings(&s.settings[i]))
        })
        .collect();
    let mut sends: BTreeMap<Epoch, Vec<&SendSpec>> = BTreeMap::new();
    for spec in &s.sends {
        sends.entry(spec.epoch).or_default().push(spec);
    }
    let mut link = Link {
        spec: &s.link,
        rng: StdRng::seed_from_u64(s.link.seed),
        wire: BTreeMap::new(),
        payloads: 0,
    };
    let mut observed: Vec<Observed> = (0..n).map(|_| Observed::default()).collect();
    let mut sent: HashMap<MessageId, Sent> = HashMap::new();
    let limits = Limits::default();

    let mut epoch: Epoch = 0;
    loop {
        let lossy = epoch < s.link.lossy_until;
        // The driving loop says: receive, send, transmit. A CLI user may
        // export before importing, though; a quarter of the epochs do that.
        let early = link.rng.random_bool(0.25);
        if early {
            transmit(&mut nodes, &topo, &mut link, epoch)?;
        }
        // Payloads arriving now, in random order.
        let mut arriving = link.wire.remove(&epoch).unwrap_or_default();
        arriving.shuffle(&mut link.rng);
        for p in arriving {
            let payload = Payload::decode(&p.bytes, &limits)
                .map_err(|e| TestCaseError::fail(format!("decode: {e}")))?;
            nodes[p.to]
                .handle_payload(PeerId(p.from as u64), payload, epoch)
                .map_err(|e| TestCaseError::fail(format!("handle_payload: {e}")))?;
        }
        // The application sends.
        for (k, spec) in sends
            .remove(&epoch)
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            let node = usize::from(spec.node) % n;
            let mine = topo.groups_of(node);
            let group = mine[usize::from(spec.group) % mine.len()];
            let body = format!("n{node} e{epoch} k{k} {}", "x".repeat(spec.padding));
            let message = nodes[node]
                .compose(
                    &topo.ids[group],
                    epoch as i64,
                    body.into_bytes(),
                    spec.ephemeral,
                )
                .map_err(|e| TestCaseError::fail(format!("compose: {e}")))?;
            let mode = if spec.interactive {
                Mode::Interactive
            } else {
                Mode::Batch
            };
            let id = nodes[node]
                .send(message.clone(), mode, epoch)
                .map_err(|e| TestCaseError::fail(format!("send: {e}")))?;
            prop_assert_eq!(id, message.id());
            sent.insert(
                id,
                Sent {
                    group,
                    sender: node,
                    ephemeral: spec.ephemeral,
                    message,
                },
            );
        }
        if !early {
            transmit(&mut nodes, &topo, &mut link, epoch)?;
        }
        // Events, checked as they come.
        for node in 0..n {
            while let Some(event) = nodes[node].poll_event() {
                match event {
                    Event::Delivered { id, message } => {
                        prop_assert_eq!(id, message.id());
                        let Some(info) = sent.get(&id) else {
                            return Err(TestCaseError::fail(format!(
                                "node {node} delivered {} which nobody sent",
                                id.short()
                            )));
                        };
                        prop_assert!(topo.members[info.group].contains(&node));
                        prop_assert_eq!(&message, &info.message, "delivered as sent");
                        for parent in message.parents() {
                            prop_assert!(
                                observed[node].delivered.contains(parent),
                                "node {} delivered {} before its parent {}",
                                node,
                                id.short(),
                                parent.short()
                            );
                            prop_assert!(!sent[parent].ephemeral, "an ephemeral parent");
                        }
                        prop_assert!(
                            observed[node].delivered.insert(id),
                            "node {} delivered {} twice",
                            node,
                            id.short()
                        );
                    }
                    Event::Acked { peer, id } => {
                        let peer = peer.0 as usize;
                        prop_assert!(topo.links[node].contains(&peer));
                        prop_assert!(
                            nodes[peer]
                                .state_mut()
                                .message_status(&id)
                                .ok()
                                .flatten()
                                .is_some(),
                            "node {} got an ACK for {} from {} which does not hold it",
                            node,
                            id.short(),
                            peer
                        );
                    }
                }
            }
        }

        if !lossy && link.wire.is_empty() && quiet(&mut nodes, &topo)? {
            break;
        }
        prop_assert!(
            epoch < s.link.lossy_until + TAIL_CAP,
            "no convergence {} epochs into the lossless tail ({} records left)",
            TAIL_CAP,
            nodes
                .iter()
                .map(|x| x.state().record_count())
                .sum::<usize>()
        );
        epoch += 1;
    }

    // Every member holds and delivered every reliable message of its groups;
    // ephemeral messages reached at most the sender's direct peers.
    for (id, info) in &sent {
        for node in 0..n {
            let member = topo.members[info.group].contains(&node);
            let status = nodes[node].state_mut().message_status(id).ok().flatten();
            let got = observed[node].delivered.contains(id);
            if !member {
                prop_assert_eq!(status, None, "a non-member holds a message");
            } else if !info.ephemeral {
                prop_assert_eq!(
                    status,
                    Some(Status::Delivered),
                    "node {} lacks {}",
                    node,
                    id.short()
                );
                prop_assert!(got, "node {} never delivered {}", node, id.short());
            } else {
                let reachable =
                    node == info.sender || topo.peers[info.group][info.sender].contains(&node);
                prop_assert!(reachable || status.is_none(), "an ephemeral was forwarded");
                prop_assert_eq!(got, status.is_some());
            }
        }
    }
    for (node, x) in nodes.iter().enumerate() {
        for (id, status) in x.state().message_ids() {
            prop_assert_eq!(
                status,
                Status::Delivered,
                "node {} leaves {} waiting",
                node,
                id.short()
            );
        }
    }
    prop_assert!(link.payloads > 0);
    Ok(())
}

/// Nothing left to send anywhere: no records, no queued ACKs or ephemerals.
fn quiet(nodes: &mut [Node<MemState>], topo: &Topology) -> Result<bool, TestCaseError> {
    for (i, node) in nodes.iter_mut().enumerate() {
        if node.state().record_count() != 0 {
            return Ok(false);
        }
        for &peer in &topo.links[i] {
            let outbox = node
                .state_mut()
                .has_outbox(PeerId(peer as u64))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            if outbox {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: CASES,
        rng_seed: RngSeed::Fixed(0x6d76_6473),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn nodes_converge_over_a_lossy_network(s in scenario()) {
        run(&s)?;
    }
}
