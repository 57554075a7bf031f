//! The engine under arbitrary payloads from its peers (property test).
//!
//! A node shares one group with peers A and C, which send it payloads built
//! from a small pool of messages and ids: messages of its group and of a group
//! it is not in, ephemeral or not, whose parents are anything in the pool,
//! including themselves, each other (metadata is not hashed, so cycles can be
//! built) and ids nobody holds; plus ACKs, OFFERs and REQUESTs for any of
//! these. Whatever arrives, in any order and repeated, the node must never
//! fail or panic, deliver a message twice or before its parents, store or ACK
//! a message of a group it is not in, ACK what it does not hold, or pass on an
//! ephemeral message it did not send; and it makes at most one payload per
//! peer per epoch.

use std::collections::HashSet;

use mvds::engine::{Event, MemState, Node, PeerId, RecordType, Settings, State, Status};
use mvds::wire::{GroupId, Limits, Message, MessageId, Metadata, Payload};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

const POOL: usize = 8;
const A: PeerId = PeerId(1);
const C: PeerId = PeerId(3);

fn ours() -> GroupId {
    GroupId(vec![1; 32])
}

#[derive(Clone, Debug)]
struct PoolMessage {
    ours: bool,
    ephemeral: bool,
    with_metadata: bool,
    /// Indexes into the id pool (messages first, then ids nobody holds).
    parents: Vec<usize>,
}

#[derive(Clone, Debug)]
struct Arrival {
    from_c: bool,
    acks: Vec<usize>,
    offers: Vec<usize>,
    requests: Vec<usize>,
    messages: Vec<usize>,
    /// Epochs to advance after this payload (0: same epoch).
    advance: u64,
}

fn pool_message() -> impl Strategy<Value = PoolMessage> {
    (
        prop::bool::weighted(0.8),
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.9),
        vec(0..2 * POOL, 0..4),
    )
        .prop_map(|(ours, ephemeral, with_metadata, parents)| PoolMessage {
            ours,
            ephemeral,
            with_metadata,
            parents,
        })
}

fn arrival() -> impl Strategy<Value = Arrival> {
    let ids = || vec(0..2 * POOL, 0..3);
    (
        any::<bool>(),
        ids(),
        ids(),
        ids(),
        vec(0..POOL, 0..4),
        0u64..3,
    )
        .prop_map(
            |(from_c, acks, offers, requests, messages, advance)| Arrival {
                from_c,
                acks,
                offers,
                requests,
                messages,
                advance,
            },
        )
}

/// The pool: messages (their ids first in the id pool), then unknown ids.
fn build(pool: &[PoolMessage]) -> (Vec<Message>, Vec<MessageId>) {
    let bare: Vec<Message> = pool
        .iter()
        .enumerate()
        .map(|(i, p)| Message {
            group_id: if p.ours { ours() } else { GroupId(vec![2; 32]) },
            timestamp: i as i64,
            body: format!("m{i}").into_bytes(),
            metadata: None,
        })
        .collect();
    let mut ids: Vec<MessageId> = bare.iter().map(Message::id).collect();
    ids.extend((0..POOL).map(|i| MessageId([0xa0 + i as u8; 32])));
    let messages = bare
        .into_iter()
        .zip(pool)
        .map(|(mut m, p)| {
            if p.with_metadata {
                m.metadata = Some(Metadata {
                    parents: p.parents.iter().map(|&i| ids[i]).collect(),
                    ephemeral: p.ephemeral,
                });
            }
            m
        })
        .collect();
    (messages, ids)
}

fn run(pool: &[PoolMessage], arrivals: &[Arrival]) -> Result<(), TestCaseError> {
    let (messages, ids) = build(pool);
    let mut state = MemState::new();
    state.share(&ours(), [A, C]);
    let mut node = Node::new(state, Settings::default());
    let mut delivered: HashSet<MessageId> = HashSet::new();
    let limits = Limits::default();
    let mut epoch = 0;
    for a in arrivals {
        let from = if a.from_c { C } else { A };
        let payload = Payload {
            acks: a.acks.iter().map(|&i| ids[i]).collect(),
            offers: a.offers.iter().map(|&i| ids[i]).collect(),
            requests: a.requests.iter().map(|&i| ids[i]).collect(),
            messages: a.messages.iter().map(|&i| messages[i].clone()).collect(),
        };
        let payload = Payload::decode(&payload.encode(), &limits)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        node.handle_payload(from, payload, epoch)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        while let Some(event) = node.poll_event() {
            if let Event::Delivered { id, message } = event {
                prop_assert_eq!(id, message.id());
                prop_assert_eq!(&message.group_id, &ours(), "delivered a foreign message");
                for p in message.parents() {
                    prop_assert!(delivered.contains(p), "delivered before a parent");
                }
                prop_assert!(delivered.insert(id), "delivered twice");
            }
        }
        for peer in [A, C] {
            let p = node
                .poll_transmit(peer, epoch)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let again = node
                .poll_transmit(peer, epoch)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(again.is_none(), "two payloads in one epoch");
            let Some(p) = p else { continue };
            for m in &p.messages {
                prop_assert_eq!(&m.group_id, &ours(), "passed on a foreign message");
                prop_assert!(!m.is_ephemeral(), "passed on an ephemeral message");
            }
            // An ACK says "I hold it" (an OFFER of an ephemeral message held
            // is ACKed too, which only stops the offerer).
            for id in &p.acks {
                let held = node.state_mut().message(id).ok().flatten();
                prop_assert!(
                    held.is_some_and(|m| m.group_id == ours()),
                    "ACKed what it does not hold as a message of its group"
                );
            }
        }
        // Records to send a message or an offer exist only for reliable
        // messages of its group that it holds.
        for id in &ids {
            for peer in [A, C] {
                let record = node
                    .state_mut()
                    .record(peer, id)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                if record.is_some_and(|r| r.kind != RecordType::Request) {
                    let held = node.state_mut().message(id).ok().flatten();
                    prop_assert!(
                        held.is_some_and(|m| m.group_id == ours() && !m.is_ephemeral()),
                        "a record to pass on what must not be passed on"
                    );
                }
            }
        }
        epoch += a.advance;
    }
    // Nothing of the other group was kept.
    for (id, status) in node.state().message_ids() {
        let m = messages
            .iter()
            .find(|m| m.id() == *id)
            .expect("from the pool");
        prop_assert_eq!(&m.group_id, &ours());
        prop_assert_eq!(status == Status::Delivered, delivered.contains(id));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        rng_seed: RngSeed::Fixed(0x686f_7374),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_node_withstands_arbitrary_payloads(
        pool in vec(pool_message(), POOL),
        arrivals in vec(arrival(), 1..40),
    ) {
        run(&pool, &arrivals)?;
    }
}
