//! The scenarios: who shares a group with whom, how reliable each node is and
//! who sends what when. A table, so a new scenario is one function and one row.

use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus;

use crate::engine::Epoch;

/// One node of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeSpec {
    /// Pinned availability (`None`: the network model's).
    pub availability: Option<f64>,
    /// Probability that a payload this node sends is lost (a lossy relay).
    pub tx_loss: f64,
    /// Whether the node is a person whose deliveries count. A relay is not:
    /// its traffic counts, its copies do not.
    pub user: bool,
}

impl NodeSpec {
    fn user() -> Self {
        NodeSpec {
            availability: None,
            tx_loss: 0.0,
            user: true,
        }
    }
}

/// Everything a run needs besides the network and the policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Setup {
    pub nodes: Vec<NodeSpec>,
    /// Pairs that share the (single) group, both ways.
    pub links: Vec<(usize, usize)>,
    /// One message each: (send epoch, sender), in epoch order.
    pub sends: Vec<(Epoch, usize)>,
    pub body_len: usize,
}

/// A named scenario. `setup` gets the requested group size (`None`: the
/// scenario's own) and a generator seeded from the run seed.
pub struct Scenario {
    pub name: &'static str,
    pub about: &'static str,
    pub setup: fn(Option<usize>, &mut Xoshiro256PlusPlus) -> Setup,
}

/// The registry. `mvds sim all` runs them in this order.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "s1",
        about: "1:1 chat, both nodes online 10% of the time, 5 messages each",
        setup: s1,
    },
    Scenario {
        name: "s2",
        about: "s1 plus an always-online relay that loses 10% of what it sends",
        setup: s2,
    },
    Scenario {
        name: "s2m",
        about: "s2 without the direct link: the two users only reach each other through the relay (a mailbox)",
        setup: s2m,
    },
    Scenario {
        name: "s3",
        about: "public chat: 100 nodes (ring plus 2 random links each), 5 messages each",
        setup: s3,
    },
];

/// The registered names, comma-separated.
pub fn names() -> String {
    SCENARIOS
        .iter()
        .map(|s| s.name)
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn find(name: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.name == name)
}

/// Messages each user sends, and the span of epochs they are sent in.
const MESSAGES_EACH: usize = 5;
const SEND_SPAN: Epoch = 50;
/// A short chat message.
const BODY_LEN: usize = 100;

/// Each user sends `MESSAGES_EACH` messages at random epochs in `0..SEND_SPAN`.
fn traffic(nodes: &[NodeSpec], rng: &mut Xoshiro256PlusPlus) -> Vec<(Epoch, usize)> {
    let mut sends: Vec<(Epoch, usize)> = nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.user)
        .flat_map(|(i, _)| (0..MESSAGES_EACH).map(move |_| i))
        .map(|i| (rng.random_range(0..SEND_SPAN), i))
        .collect();
    sends.sort();
    sends
}

fn s1(_: Option<usize>, rng: &mut Xoshiro256PlusPlus) -> Setup {
    let nodes = vec![NodeSpec::user(), NodeSpec::user()];
    Setup {
        sends: traffic(&nodes, rng),
        nodes,
        links: vec![(0, 1)],
        body_len: BODY_LEN,
    }
}

fn s2(_: Option<usize>, rng: &mut Xoshiro256PlusPlus) -> Setup {
    let relay = NodeSpec {
        availability: Some(1.0),
        tx_loss: 0.1,
        user: false,
    };
    let nodes = vec![NodeSpec::user(), NodeSpec::user(), relay];
    Setup {
        sends: traffic(&nodes, rng),
        nodes,
        links: vec![(0, 1), (0, 2), (1, 2)],
        body_len: BODY_LEN,
    }
}

fn s2m(size: Option<usize>, rng: &mut Xoshiro256PlusPlus) -> Setup {
    let mut setup = s2(size, rng);
    setup.links.retain(|&l| l != (0, 1));
    setup
}

/// A connected sparse group: a ring, plus two links from each node to random
/// others. Every node shares with about six peers whatever the group size,
/// so growth in cost comes from the group, not from a denser mesh.
fn s3(size: Option<usize>, rng: &mut Xoshiro256PlusPlus) -> Setup {
    let n = size.unwrap_or(100).max(2);
    let nodes = vec![NodeSpec::user(); n];
    let mut links = std::collections::BTreeSet::new();
    for i in 0..n {
        let j = (i + 1) % n;
        if i != j {
            links.insert((i.min(j), i.max(j)));
        }
        for _ in 0..2 {
            let j = rng.random_range(0..n);
            if i != j {
                links.insert((i.min(j), i.max(j)));
            }
        }
    }
    Setup {
        sends: traffic(&nodes, rng),
        nodes,
        links: links.into_iter().collect(),
        body_len: BODY_LEN,
    }
}
