//! Deterministic unit tests of the engine, one per rule of 2/MVDS "Flow" and
//! "Retransmission" (both modes) and per promise of DESIGN.md section 3. Each
//! test drives nodes by hand, epoch by epoch, over [`MemState`], and checks
//! the payloads, the records in state and the events.

use super::*;
use crate::wire::Message;

const A: PeerId = PeerId(1);
const B: PeerId = PeerId(2);
const C: PeerId = PeerId(3);

fn group() -> GroupId {
    GroupId(vec![7; 32])
}

fn other_group() -> GroupId {
    GroupId(vec![8; 32])
}

/// A node sharing `group()` with `peers`.
fn node_with(peers: &[PeerId], settings: Settings) -> Node<MemState> {
    let mut state = MemState::new();
    state.share(&group(), peers.iter().copied());
    Node::new(state, settings)
}

fn node(peers: &[PeerId]) -> Node<MemState> {
    node_with(peers, Settings::default())
}

fn interactive_node(peers: &[PeerId]) -> Node<MemState> {
    node_with(
        peers,
        Settings {
            mode: Mode::Interactive,
            ..Settings::default()
        },
    )
}

fn msg(body: &str, parents: &[MessageId]) -> Message {
    Message {
        group_id: group(),
        timestamp: 1_700_000_000,
        body: body.as_bytes().to_vec(),
        metadata: Some(Metadata {
            parents: parents.to_vec(),
            ephemeral: false,
        }),
    }
}

fn ephemeral(body: &str, parents: &[MessageId]) -> Message {
    let mut m = msg(body, parents);
    m.metadata.as_mut().unwrap().ephemeral = true;
    m
}

fn record(n: &mut Node<MemState>, peer: PeerId, id: &MessageId) -> Option<Record> {
    n.state_mut().record(peer, id).unwrap()
}

fn rec(kind: RecordType, send_count: u32, send_epoch: Epoch) -> Option<Record> {
    Some(Record {
        kind,
        send_count,
        send_epoch,
    })
}

fn events(n: &mut Node<MemState>) -> Vec<Event> {
    std::iter::from_fn(|| n.poll_event()).collect()
}

/// Ids of the Delivered events waiting in `n`, in order (drains all events).
fn delivered(n: &mut Node<MemState>) -> Vec<MessageId> {
    events(n)
        .into_iter()
        .filter_map(|e| match e {
            Event::Delivered { id, .. } => Some(id),
            Event::Acked { .. } => None,
        })
        .collect()
}

fn acked(n: &mut Node<MemState>) -> Vec<(PeerId, MessageId)> {
    events(n)
        .into_iter()
        .filter_map(|e| match e {
            Event::Acked { peer, id } => Some((peer, id)),
            Event::Delivered { .. } => None,
        })
        .collect()
}

fn transmit(n: &mut Node<MemState>, peer: PeerId, epoch: Epoch) -> Option<Payload> {
    n.poll_transmit(peer, epoch).unwrap()
}

fn offers(ids: &[MessageId]) -> Payload {
    Payload {
        offers: ids.to_vec(),
        ..Payload::default()
    }
}

fn requests(ids: &[MessageId]) -> Payload {
    Payload {
        requests: ids.to_vec(),
        ..Payload::default()
    }
}

fn acks(ids: &[MessageId]) -> Payload {
    Payload {
        acks: ids.to_vec(),
        ..Payload::default()
    }
}

fn messages(ms: &[&Message]) -> Payload {
    Payload {
        messages: ms.iter().map(|m| (*m).clone()).collect(),
        ..Payload::default()
    }
}

fn has_outbox(n: &mut Node<MemState>, peer: PeerId) -> bool {
    n.state_mut().has_outbox(peer).unwrap()
}

// ---------------------------------------------------------------- interactive

#[test]
fn interactive_send_puts_an_offer_in_state_and_payload() {
    let mut a = node(&[B]);
    let m = msg("hi", &[]);
    let id = a.send(m, Mode::Interactive, 5).unwrap();
    assert_eq!(record(&mut a, B, &id), rec(RecordType::Offer, 0, 5));
    assert_eq!(transmit(&mut a, B, 5), Some(offers(&[id])));
    // Sent once: counted and rescheduled, still an OFFER.
    assert_eq!(record(&mut a, B, &id), rec(RecordType::Offer, 1, 6));
    assert_eq!(a.state().record_count(), 1);
}

#[test]
fn interactive_offer_received_puts_a_request_in_state_and_payload() {
    let mut b = node(&[A]);
    let id = msg("hi", &[]).id();
    let rx = b.handle_payload(A, offers(&[id]), 3).unwrap();
    assert_eq!(rx.offers, 1);
    assert_eq!(record(&mut b, A, &id), rec(RecordType::Request, 0, 3));
    assert_eq!(transmit(&mut b, A, 3), Some(requests(&[id])));
    assert_eq!(record(&mut b, A, &id), rec(RecordType::Request, 1, 4));
    // A repeated OFFER does not reset the REQUEST's schedule.
    b.handle_payload(A, offers(&[id]), 4).unwrap();
    assert_eq!(record(&mut b, A, &id), rec(RecordType::Request, 1, 4));
}

#[test]
fn interactive_request_replaces_the_offer_with_the_message() {
    let mut a = node(&[B]);
    let m = msg("hi", &[]);
    let id = a.send(m.clone(), Mode::Interactive, 0).unwrap();
    assert_eq!(transmit(&mut a, B, 0), Some(offers(&[id])));
    a.handle_payload(B, requests(&[id]), 1).unwrap();
    assert_eq!(record(&mut a, B, &id), rec(RecordType::Message, 0, 1));
    assert_eq!(a.state().record_count(), 1, "the OFFER is gone");
    assert_eq!(transmit(&mut a, B, 1), Some(messages(&[&m])));
    assert_eq!(record(&mut a, B, &id), rec(RecordType::Message, 1, 2));
}

#[test]
fn interactive_message_received_removes_the_request_and_queues_an_ack() {
    let mut b = node(&[A]);
    let m = msg("hi", &[]);
    let id = m.id();
    b.handle_payload(A, offers(&[id]), 0).unwrap();
    assert_eq!(transmit(&mut b, A, 0), Some(requests(&[id])));
    let rx = b.handle_payload(A, messages(&[&m]), 1).unwrap();
    assert_eq!(rx.new_messages, 1);
    assert_eq!(record(&mut b, A, &id), None, "REQUEST removed");
    assert_eq!(b.state().record_count(), 0);
    assert_eq!(delivered(&mut b), vec![id]);
    assert_eq!(transmit(&mut b, A, 1), Some(acks(&[id])));
}

#[test]
fn interactive_ack_removes_the_message_record() {
    let mut a = node(&[B]);
    let id = a.send(msg("hi", &[]), Mode::Interactive, 0).unwrap();
    events(&mut a);
    transmit(&mut a, B, 0);
    a.handle_payload(B, requests(&[id]), 1).unwrap();
    transmit(&mut a, B, 1);
    a.handle_payload(B, acks(&[id]), 2).unwrap();
    assert_eq!(record(&mut a, B, &id), None);
    assert_eq!(a.state().record_count(), 0);
    assert_eq!(acked(&mut a), vec![(B, id)]);
    assert_eq!(transmit(&mut a, B, 2), None);
    assert_eq!(a.next_send_epoch(B, 2).unwrap(), None);
}

/// The four interactive steps end to end, one epoch per trip, each payload
/// going through the wire encoding.
#[test]
fn interactive_round_trip_offer_request_message_ack() {
    let mut a = node(&[B]);
    let mut b = node(&[A]);
    let m = msg("hi", &[]);
    let id = a.send(m.clone(), Mode::Interactive, 0).unwrap();
    let mut trace = Vec::new();
    for epoch in 0..6 {
        if let Some(p) = transmit(&mut a, B, epoch) {
            trace.push(("a", p.clone()));
            b.handle_payload(A, wire_trip(&p), epoch).unwrap();
        }
        if let Some(p) = transmit(&mut b, A, epoch) {
            trace.push(("b", p.clone()));
            a.handle_payload(B, wire_trip(&p), epoch).unwrap();
        }
    }
    assert_eq!(
        trace,
        vec![
            ("a", offers(&[id])),
            ("b", requests(&[id])),
            ("a", messages(&[&m])),
            ("b", acks(&[id])),
        ]
    );
    assert_eq!(a.state().record_count() + b.state().record_count(), 0);
    assert_eq!(delivered(&mut b), vec![id]);
}

fn wire_trip(p: &Payload) -> Payload {
    Payload::decode(&p.encode(), &crate::wire::Limits::default()).unwrap()
}

// ---------------------------------------------------------------------- batch

#[test]
fn batch_send_puts_the_message_in_state_and_payload() {
    let mut a = node(&[B]);
    let m = msg("hi", &[]);
    let id = a.send(m.clone(), Mode::Batch, 2).unwrap();
    assert_eq!(record(&mut a, B, &id), rec(RecordType::Message, 0, 2));
    assert_eq!(transmit(&mut a, B, 2), Some(messages(&[&m])));
    assert_eq!(record(&mut a, B, &id), rec(RecordType::Message, 1, 3));
}

#[test]
fn batch_message_received_is_acked_and_leaves_no_state() {
    let mut b = node(&[A]);
    let m = msg("hi", &[]);
    let id = m.id();
    b.handle_payload(A, messages(&[&m]), 0).unwrap();
    assert_eq!(delivered(&mut b), vec![id]);
    assert_eq!(transmit(&mut b, A, 0), Some(acks(&[id])));
    assert_eq!(b.state().record_count(), 0);
}

#[test]
fn batch_ack_removes_the_record() {
    let mut a = node(&[B]);
    let id = a.send(msg("hi", &[]), Mode::Batch, 0).unwrap();
    events(&mut a);
    transmit(&mut a, B, 0);
    a.handle_payload(B, acks(&[id]), 1).unwrap();
    assert_eq!(a.state().record_count(), 0);
    assert_eq!(acked(&mut a), vec![(B, id)]);
    // An ACK for nothing in flight is harmless and reports nothing.
    a.handle_payload(B, acks(&[id]), 2).unwrap();
    assert_eq!(acked(&mut a), vec![]);
    for epoch in 1..100 {
        assert_eq!(transmit(&mut a, B, epoch), None);
    }
}

#[test]
fn due_records_are_retransmitted_at_send_epoch_and_not_before() {
    let settings = Settings {
        backoff: Backoff { base: 2, max: 8 },
        ..Settings::default()
    };
    let mut a = node_with(&[B], settings);
    let m = msg("hi", &[]);
    let id = a.send(m.clone(), Mode::Batch, 10).unwrap();
    // Sends at 10, then after waits of 2, 4, 8, then 2, 4 again.
    let expected_sends = [10, 12, 16, 24, 26, 30];
    let mut sends = Vec::new();
    for epoch in 0..=30 {
        if let Some(p) = transmit(&mut a, B, epoch) {
            assert_eq!(p, messages(&[&m]));
            sends.push(epoch);
            let r = record(&mut a, B, &id).unwrap();
            assert_eq!(r.send_count as usize, sends.len());
            assert_eq!(
                r.send_epoch,
                epoch + a.settings().backoff.interval(r.send_count)
            );
        }
    }
    assert_eq!(sends, expected_sends);
    // The sixth send waits 8 epochs (the bound) before the cycle restarts.
    assert_eq!(a.next_send_epoch(B, 30).unwrap(), Some(38));
}

#[test]
fn interactive_records_are_retransmitted_too() {
    let mut a = node(&[B]);
    let mut b = node(&[A]);
    let id = a.send(msg("hi", &[]), Mode::Interactive, 0).unwrap();
    b.handle_payload(A, offers(&[id]), 0).unwrap();
    // Nothing gets through: the OFFER and the REQUEST are both repeated after
    // waits of 1, 2, 4 (default backoff).
    let (mut a_sent, mut b_sent) = (Vec::new(), Vec::new());
    for epoch in 0..8 {
        if let Some(p) = transmit(&mut a, B, epoch) {
            assert_eq!(p, offers(&[id]));
            a_sent.push(epoch);
        }
        if let Some(p) = transmit(&mut b, A, epoch) {
            assert_eq!(p, requests(&[id]));
            b_sent.push(epoch);
        }
    }
    assert_eq!(a_sent, [0, 1, 3, 7]);
    assert_eq!(b_sent, [0, 1, 3, 7]);
}

// -------------------------------------------------------------------- general

#[test]
fn at_most_one_payload_per_peer_per_epoch() {
    let mut a = node(&[B, C]);
    let m1 = msg("one", &[]);
    let id1 = a.send(m1.clone(), Mode::Batch, 0).unwrap();
    assert_eq!(transmit(&mut a, B, 0), Some(messages(&[&m1])));
    // More to say in the same epoch: a new message and an ACK.
    let id2 = a.send(msg("two", &[]), Mode::Batch, 0).unwrap();
    let m3 = msg("three", &[]);
    a.handle_payload(B, messages(&[&m3]), 0).unwrap();
    assert_eq!(transmit(&mut a, B, 0), None);
    assert_eq!(a.next_send_epoch(B, 0).unwrap(), Some(1));
    // Other peers are not affected: C gets all three (m3 forwarded).
    let p = transmit(&mut a, C, 0).unwrap();
    assert_eq!(ids_of(&p.messages), sorted(vec![id1, id2, m3.id()]));
    assert_eq!(transmit(&mut a, C, 0), None);
    // Next epoch: the ACK, the new message and the due retransmission.
    let p = transmit(&mut a, B, 1).unwrap();
    assert_eq!(p.acks, vec![m3.id()]);
    assert_eq!(ids_of(&p.messages), sorted(vec![id1, id2]));
    assert_eq!(transmit(&mut a, B, 1), None);
}

fn ids_of(ms: &[Message]) -> Vec<MessageId> {
    sorted(ms.iter().map(Message::id).collect())
}

fn sorted(mut ids: Vec<MessageId>) -> Vec<MessageId> {
    ids.sort();
    ids
}

/// `next_send_epoch` is for a driver that sleeps until the answer: it must
/// never name an epoch whose payload was made already (poll_transmit would
/// return `None` and the driver would spin).
#[test]
fn next_send_epoch_skips_an_epoch_whose_payload_is_made() {
    let mut a = node(&[B]);
    assert_eq!(a.next_send_epoch(B, 0).unwrap(), None);
    let id = a.send(msg("one", &[]), Mode::Batch, 0).unwrap();
    assert_eq!(a.next_send_epoch(B, 0).unwrap(), Some(0));
    transmit(&mut a, B, 0).unwrap();
    assert_eq!(a.next_send_epoch(B, 0).unwrap(), Some(1));
    // Something new for B in the same epoch: an ACK, and a record due now.
    a.handle_payload(B, messages(&[&msg("two", &[])]), 0)
        .unwrap();
    a.handle_payload(B, requests(&[id]), 0).unwrap();
    assert_eq!(a.next_send_epoch(B, 0).unwrap(), Some(1));
    assert_eq!(transmit(&mut a, B, 0), None);
    assert!(transmit(&mut a, B, 1).is_some());
    // Later calls are unaffected: the record waits for its send epoch.
    let due = record(&mut a, B, &id).unwrap().send_epoch;
    assert_eq!(a.next_send_epoch(B, 1).unwrap(), Some(due));
    assert_eq!(a.next_send_epoch(B, 2).unwrap(), Some(due));
}

#[test]
fn every_message_is_acked_including_duplicates() {
    let mut b = node(&[A, C]);
    let m = msg("hi", &[]);
    let id = m.id();
    for epoch in 0..4 {
        let rx = b.handle_payload(A, messages(&[&m]), epoch).unwrap();
        let want = if epoch == 0 { (1, 0) } else { (0, 1) };
        assert_eq!((rx.new_messages, rx.duplicates), want);
        assert_eq!(
            transmit(&mut b, A, epoch),
            Some(acks(&[id])),
            "epoch {epoch}"
        );
    }
    // The same duplicate from another peer is ACKed to that peer.
    b.handle_payload(C, messages(&[&m]), 4).unwrap();
    let p = transmit(&mut b, C, 4).unwrap();
    assert_eq!(p.acks, vec![id]);
    assert_eq!(delivered(&mut b), vec![id], "delivered once");
}

#[test]
fn acks_are_never_state_and_never_retransmitted() {
    let mut b = node(&[A]);
    let m = msg("hi", &[]);
    b.handle_payload(A, messages(&[&m]), 0).unwrap();
    assert_eq!(b.state().record_count(), 0);
    assert!(has_outbox(&mut b, A));
    assert_eq!(transmit(&mut b, A, 0), Some(acks(&[m.id()])));
    assert!(!has_outbox(&mut b, A));
    assert_eq!(b.next_send_epoch(A, 0).unwrap(), None);
    for epoch in 1..100 {
        assert_eq!(transmit(&mut b, A, epoch), None);
    }
}

#[test]
fn ack_repeats_resend_an_ack_in_that_many_extra_payloads() {
    let mut b = node_with(
        &[A],
        Settings {
            ack_repeats: 2,
            ..Settings::default()
        },
    );
    let m = msg("hi", &[]);
    b.handle_payload(A, messages(&[&m]), 0).unwrap();
    for epoch in 0..3 {
        assert_eq!(transmit(&mut b, A, epoch), Some(acks(&[m.id()])));
    }
    assert_eq!(transmit(&mut b, A, 3), None);
    assert_eq!(b.state().record_count(), 0);
}

// ------------------------------------------------------------- retransmission

#[test]
fn backoff_doubles_to_the_bound_then_starts_again() {
    let b = Backoff::default();
    let got: Vec<u64> = (1..=14).map(|n| b.interval(n)).collect();
    assert_eq!(got, [1, 2, 4, 8, 16, 32, 1, 2, 4, 8, 16, 32, 1, 2]);

    let b = Backoff { base: 3, max: 20 };
    let got: Vec<u64> = (1..=7).map(|n| b.interval(n)).collect();
    assert_eq!(got, [3, 6, 12, 3, 6, 12, 3]);

    // A bound that is a power-of-two multiple of the base is reached.
    let b = Backoff { base: 5, max: 40 };
    let got: Vec<u64> = (1..=5).map(|n| b.interval(n)).collect();
    assert_eq!(got, [5, 10, 20, 40, 5]);

    // Degenerate settings still make progress and stay bounded.
    assert_eq!(Backoff { base: 0, max: 0 }.interval(1), 1);
    assert_eq!(Backoff { base: 0, max: 0 }.interval(9), 1);
    assert_eq!(Backoff { base: 4, max: 1 }.interval(3), 4);
    let huge = Backoff {
        base: 1,
        max: u64::MAX,
    };
    for n in [1, 63, 64, 65, 1000, u32::MAX] {
        let i = huge.interval(n);
        assert!((1..=u64::MAX).contains(&i), "interval({n}) = {i}");
    }
    assert_eq!(huge.interval(64), 1 << 63);
    assert_eq!(huge.interval(65), 1);
}

#[test]
fn every_send_updates_count_and_epoch_and_nothing_is_abandoned() {
    let backoff = Backoff { base: 1, max: 16 };
    let mut a = node_with(
        &[B],
        Settings {
            backoff,
            ..Settings::default()
        },
    );
    let id = a.send(msg("hi", &[]), Mode::Batch, 0).unwrap();
    let mut count = 0;
    let mut last = None;
    for epoch in 0..10_000 {
        let before = record(&mut a, B, &id).unwrap();
        match transmit(&mut a, B, epoch) {
            Some(p) => {
                assert!(before.send_epoch <= epoch, "not sent before it is due");
                assert_eq!(p.messages.len(), 1);
                count += 1;
                let after = record(&mut a, B, &id).unwrap();
                assert_eq!(after.send_count, count);
                assert_eq!(after.send_epoch, epoch + backoff.interval(count));
                if let Some(last) = last {
                    // Never more than the bound between two sends.
                    assert!(epoch - last <= backoff.max);
                }
                last = Some(epoch);
            }
            None => assert!(before.send_epoch > epoch, "due but not sent at {epoch}"),
        }
    }
    // Cycles of 1+2+4+8+16 = 31 epochs, with sends at offsets 0, 1, 3, 7, 15.
    let cycle = (0..10_000u64)
        .filter(|e| [0, 1, 3, 7, 15].contains(&(e % 31)))
        .count();
    assert_eq!(count as usize, cycle);
    assert_eq!(record(&mut a, B, &id).unwrap().kind, RecordType::Message);
}

// ---------------------------------------------------------- store and forward

fn relay(mode: Mode) {
    // A and C never meet; B shares the group with both.
    let settings = Settings {
        mode,
        ..Settings::default()
    };
    let mut a = node_with(&[B], settings.clone());
    let mut b = node_with(&[A, C], settings.clone());
    let mut c = node_with(&[B], settings);
    let m = msg("via bob", &[]);
    let id = a.send(m.clone(), mode, 0).unwrap();
    for epoch in 0..10 {
        if let Some(p) = transmit(&mut a, B, epoch) {
            b.handle_payload(A, p, epoch).unwrap();
        }
        if let Some(p) = transmit(&mut b, A, epoch) {
            a.handle_payload(B, p, epoch).unwrap();
        }
        if let Some(p) = transmit(&mut b, C, epoch) {
            c.handle_payload(B, p, epoch).unwrap();
        }
        if let Some(p) = transmit(&mut c, B, epoch) {
            b.handle_payload(C, p, epoch).unwrap();
        }
    }
    assert_eq!(delivered(&mut b), vec![id]);
    assert_eq!(delivered(&mut c), vec![id]);
    assert_eq!(c.state_mut().message(&id).unwrap(), Some(m));
    for n in [&a, &b, &c] {
        assert_eq!(n.state().record_count(), 0);
    }
}

#[test]
fn store_and_forward_batch() {
    relay(Mode::Batch);
}

#[test]
fn store_and_forward_interactive() {
    relay(Mode::Interactive);
}

#[test]
fn forwarding_uses_the_relay_mode_and_skips_the_sender() {
    let mut b = interactive_node(&[A, C]);
    let m = msg("hi", &[]);
    b.handle_payload(A, messages(&[&m]), 0).unwrap();
    assert_eq!(record(&mut b, C, &m.id()), rec(RecordType::Offer, 0, 0));
    assert_eq!(record(&mut b, A, &m.id()), None);
    assert_eq!(transmit(&mut b, A, 0), Some(acks(&[m.id()])));
    assert_eq!(transmit(&mut b, C, 0), Some(offers(&[m.id()])));
}

// ------------------------------------------------------------- exactly once

#[test]
fn duplicates_are_stored_and_delivered_once() {
    let mut b = node(&[A, C]);
    let m = msg("once", &[]);
    let id = m.id();
    // Twice in one payload, again later, and from another peer.
    let rx = b.handle_payload(A, messages(&[&m, &m]), 0).unwrap();
    assert_eq!((rx.new_messages, rx.duplicates), (1, 1));
    b.handle_payload(A, messages(&[&m]), 3).unwrap();
    b.handle_payload(C, messages(&[&m]), 4).unwrap();
    assert_eq!(delivered(&mut b), vec![id]);
    assert_eq!(b.state().message_ids().count(), 1);
    // B forwarded it to C, but C sending it shows C holds it: no record left.
    assert_eq!(b.state().record_count(), 0);
}

// ------------------------------------------------------------ causal delivery

#[test]
fn child_waits_for_its_parent_which_is_requested_from_the_sender() {
    let mut b = node(&[A, C]);
    let parent = msg("parent", &[]);
    let child = msg("child", &[parent.id()]);
    b.handle_payload(A, messages(&[&child]), 0).unwrap();
    assert_eq!(delivered(&mut b), vec![], "child waits");
    assert_eq!(
        b.state_mut().message_status(&child.id()).unwrap(),
        Some(Status::Waiting)
    );
    assert_eq!(
        record(&mut b, A, &parent.id()),
        rec(RecordType::Request, 0, 0)
    );
    assert_eq!(
        record(&mut b, C, &parent.id()),
        None,
        "asked of the sender only"
    );
    let p = transmit(&mut b, A, 0).unwrap();
    assert_eq!(p.acks, vec![child.id()], "the waiting child is ACKed");
    assert_eq!(p.requests, vec![parent.id()]);
    // The child is not a head while it waits: a message composed now would
    // name an undelivered parent.
    assert_eq!(b.state_mut().heads(&group()).unwrap(), vec![]);

    b.handle_payload(A, messages(&[&parent]), 1).unwrap();
    assert_eq!(delivered(&mut b), vec![parent.id(), child.id()]);
    assert_eq!(record(&mut b, A, &parent.id()), None, "REQUEST answered");
    assert_eq!(b.state_mut().heads(&group()).unwrap(), vec![child.id()]);
}

#[test]
fn a_merge_is_delivered_after_all_of_its_parents() {
    let mut b = node(&[A]);
    let p1 = msg("p1", &[]);
    let p2 = msg("p2", &[]);
    let merge = msg("merge", &[p1.id(), p2.id()]);
    b.handle_payload(A, messages(&[&merge]), 0).unwrap();
    let p = transmit(&mut b, A, 0).unwrap();
    let mut want = vec![p1.id(), p2.id()];
    want.sort();
    let mut got = p.requests.clone();
    got.sort();
    assert_eq!(got, want, "both parents are requested");

    // The first parent alone is not enough, whichever it is.
    b.handle_payload(A, messages(&[&p2]), 1).unwrap();
    assert_eq!(delivered(&mut b), vec![p2.id()]);
    b.handle_payload(A, messages(&[&p1]), 2).unwrap();
    assert_eq!(delivered(&mut b), vec![p1.id(), merge.id()]);
    assert_eq!(b.state().record_count(), 0);
    assert_eq!(b.state_mut().heads(&group()).unwrap(), vec![merge.id()]);
}

#[test]
fn a_merge_whose_first_parent_is_present_still_waits_for_the_second() {
    let mut b = node(&[A]);
    let p1 = msg("p1", &[]);
    let p2 = msg("p2", &[]);
    let merge = msg("merge", &[p1.id(), p2.id()]);
    b.handle_payload(A, messages(&[&p1, &merge]), 0).unwrap();
    assert_eq!(delivered(&mut b), vec![p1.id()]);
    assert_eq!(transmit(&mut b, A, 0).unwrap().requests, vec![p2.id()]);
    b.handle_payload(A, messages(&[&p2]), 1).unwrap();
    assert_eq!(delivered(&mut b), vec![p2.id(), merge.id()]);
}

#[test]
fn a_chain_arriving_in_reverse_order_is_delivered_in_order() {
    let mut chain = vec![msg("m0", &[])];
    for i in 1..6 {
        let parent = chain[i - 1].id();
        chain.push(msg(&format!("m{i}"), &[parent]));
    }
    let ids: Vec<MessageId> = chain.iter().map(Message::id).collect();

    // One payload, newest first.
    let mut b = node(&[A]);
    let reversed: Vec<Message> = chain.iter().rev().cloned().collect();
    b.handle_payload(A, messages(&reversed.iter().collect::<Vec<_>>()), 0)
        .unwrap();
    assert_eq!(delivered(&mut b), ids);

    // One payload per epoch, newest first: each step requests the next parent.
    let mut b = node(&[A]);
    for (epoch, m) in reversed.iter().enumerate() {
        let epoch = epoch as Epoch;
        b.handle_payload(A, messages(&[m]), epoch).unwrap();
        let p = transmit(&mut b, A, epoch).unwrap();
        if let Some(parent) = m.parents().first() {
            assert!(p.requests.contains(parent), "requests {}", parent.short());
            assert_eq!(delivered(&mut b), vec![]);
        }
    }
    assert_eq!(delivered(&mut b), ids);
    assert_eq!(b.state().record_count(), 0, "every REQUEST answered");
}

#[test]
fn a_parent_held_but_waiting_is_not_requested_again() {
    let mut b = node(&[A]);
    let g = msg("grandparent", &[]);
    let p = msg("parent", &[g.id()]);
    let c = msg("child", &[p.id()]);
    b.handle_payload(A, messages(&[&p, &c]), 0).unwrap();
    assert_eq!(transmit(&mut b, A, 0).unwrap().requests, vec![g.id()]);
    b.handle_payload(A, messages(&[&g]), 1).unwrap();
    assert_eq!(delivered(&mut b), vec![g.id(), p.id(), c.id()]);
}

/// Two real nodes: B gets a child whose parent was lost on the way; its
/// REQUEST reaches A, which answers with the parent although it never
/// offered it (interactive) or sends it anyway (batch).
#[test]
fn a_lost_parent_is_requested_and_served_by_the_sender() {
    for mode in [Mode::Batch, Mode::Interactive] {
        let mut a = node(&[B]);
        let mut b = node(&[A]);
        let parent = a.compose(&group(), 1, b"parent".to_vec(), false).unwrap();
        let pid = a.send(parent, mode, 0).unwrap();
        let child = a.compose(&group(), 2, b"child".to_vec(), false).unwrap();
        let cid = a.send(child.clone(), mode, 0).unwrap();
        // Epoch 0's payload from A is lost; B hears of the child alone.
        transmit(&mut a, B, 0);
        b.handle_payload(A, messages(&[&child]), 0).unwrap();
        let p = transmit(&mut b, A, 0).unwrap();
        assert_eq!(p.requests, vec![pid], "{mode:?}");
        a.handle_payload(B, p, 0).unwrap();
        for epoch in 1..40 {
            if let Some(p) = transmit(&mut a, B, epoch) {
                b.handle_payload(A, p, epoch).unwrap();
            }
            if let Some(p) = transmit(&mut b, A, epoch) {
                a.handle_payload(B, p, epoch).unwrap();
            }
        }
        assert_eq!(delivered(&mut b), vec![pid, cid], "{mode:?}");
        assert_eq!(a.state().record_count() + b.state().record_count(), 0);
    }
}

/// A relay that holds a message but cannot deliver it yet (a parent is
/// missing) still forwards it and answers REQUESTs for it.
#[test]
fn a_waiting_message_is_forwarded_and_served() {
    let mut b = node(&[A, C]);
    let parent = msg("parent", &[]);
    let child = msg("child", &[parent.id()]);
    b.handle_payload(A, messages(&[&child]), 0).unwrap();
    assert_eq!(delivered(&mut b), vec![]);
    assert_eq!(
        record(&mut b, C, &child.id()),
        rec(RecordType::Message, 0, 0)
    );
    b.handle_payload(C, requests(&[child.id()]), 0).unwrap();
    assert_eq!(transmit(&mut b, C, 0), Some(messages(&[&child])));
}

fn ids(ms: &[Message]) -> Vec<MessageId> {
    ms.iter().map(Message::id).collect()
}

#[test]
fn parents_first_puts_parents_before_children_and_keeps_the_rest_in_place() {
    let x = msg("x", &[]);
    let p = msg("p", &[]);
    let c = msg("c", &[p.id()]);
    let y = msg("y", &[]);
    let mut ms = vec![x.clone(), c.clone(), p.clone(), y.clone()];
    parents_first(&mut ms);
    assert_eq!(ids(&ms), ids(&[x, p, c, y]));

    // A diamond listed bottom up: a, then b and c, then d.
    let a = msg("a", &[]);
    let b = msg("b", &[a.id()]);
    let c = msg("c", &[a.id()]);
    let d = msg("d", &[b.id(), c.id()]);
    let mut ms = vec![d.clone(), b.clone(), c.clone(), a.clone()];
    parents_first(&mut ms);
    assert_eq!(ids(&ms), ids(&[a, b, c, d]));
}

/// Metadata is not hashed, so a peer can build messages that name
/// themselves or each other as parents. Sorting them must still end, and
/// keep every message exactly once.
#[test]
fn parents_first_survives_cycles_self_parents_and_duplicates() {
    let m1 = msg("m1", &[]);
    let m2 = msg("m2", &[m1.id()]);
    let mut m1 = m1;
    m1.metadata.as_mut().unwrap().parents = vec![m2.id()];
    let mut selfish = msg("self", &[]);
    selfish.metadata.as_mut().unwrap().parents = vec![selfish.id()];
    let mut ms = vec![m1.clone(), selfish.clone(), m2.clone(), m1.clone()];
    parents_first(&mut ms);
    let mut got = ids(&ms);
    got.sort();
    assert_eq!(got, sorted(vec![m1.id(), m1.id(), m2.id(), selfish.id()]));

    // Through a relay: B stores them (they wait forever) and forwards them.
    let mut b = node(&[A, C]);
    b.handle_payload(A, messages(&[&m1, &m2, &selfish]), 0)
        .unwrap();
    assert_eq!(delivered(&mut b), vec![]);
    let p = transmit(&mut b, C, 0).unwrap();
    assert_eq!(
        ids_of(&p.messages),
        sorted(vec![m1.id(), m2.id(), selfish.id()])
    );
}

/// A chain sent in one epoch goes out in one payload whose messages are in
/// causal order, so the receiver delivers all of it at once: nothing waits,
/// nothing is requested.
#[test]
fn a_chain_in_one_payload_is_delivered_without_waiting() {
    let mut a = node(&[B]);
    let mut chain = Vec::new();
    for i in 0..6 {
        let m = a
            .compose(&group(), i, format!("c{i}").into_bytes(), false)
            .unwrap();
        a.send(m.clone(), Mode::Batch, 0).unwrap();
        chain.push(m.id());
    }
    // The records are due in id order, which is not the causal order here.
    assert_ne!(sorted(chain.clone()), chain);
    let p = transmit(&mut a, B, 0).unwrap();
    assert_eq!(ids(&p.messages), chain);
    let mut b = node(&[A]);
    b.handle_payload(A, p, 0).unwrap();
    assert_eq!(delivered(&mut b), chain);
    let reply = transmit(&mut b, A, 0).unwrap();
    assert!(reply.requests.is_empty());
    assert_eq!(sorted(reply.acks), sorted(chain));
}

#[test]
fn messages_without_metadata_are_delivered_at_once() {
    let mut b = node(&[A]);
    let mut m = msg("plain", &[]);
    m.metadata = None;
    b.handle_payload(A, messages(&[&m]), 0).unwrap();
    assert_eq!(delivered(&mut b), vec![m.id()]);
    assert_eq!(transmit(&mut b, A, 0), Some(acks(&[m.id()])));
}

#[test]
fn send_checks_membership_duplicates_and_parents() {
    let mut a = node(&[B]);
    let mut foreign = msg("x", &[]);
    foreign.group_id = other_group();
    assert!(matches!(
        a.send(foreign, Mode::Batch, 0),
        Err(Error::NotMember(_))
    ));
    let m = msg("x", &[]);
    a.send(m.clone(), Mode::Batch, 0).unwrap();
    assert!(matches!(
        a.send(m, Mode::Batch, 0),
        Err(Error::Duplicate(_))
    ));
    let orphan = msg("orphan", &[MessageId([9; 32])]);
    assert!(matches!(
        a.send(orphan, Mode::Batch, 0),
        Err(Error::UnknownParent(_))
    ));
    assert_eq!(a.state().record_count(), 1, "failed sends leave no state");
}

#[test]
fn compose_names_the_current_heads() {
    let mut a = node(&[B]);
    let first = a.compose(&group(), 1, b"1".to_vec(), false).unwrap();
    assert_eq!(first.parents(), &[] as &[MessageId]);
    let id1 = a.send(first, Mode::Batch, 0).unwrap();
    let second = a.compose(&group(), 2, b"2".to_vec(), false).unwrap();
    assert_eq!(second.parents(), &[id1]);
    let id2 = a.send(second, Mode::Batch, 0).unwrap();
    assert_eq!(a.state_mut().heads(&group()).unwrap(), vec![id2]);
    assert_eq!(delivered(&mut a), vec![id1, id2]);
}

// ------------------------------------------------------------------ ephemeral

#[test]
fn ephemeral_is_sent_once_without_state_ack_or_retransmission() {
    let mut a = node(&[B]);
    let mut b = node(&[A, C]);
    let e = a.compose(&group(), 1, b"typing".to_vec(), true).unwrap();
    let id = a.send(e.clone(), Mode::Batch, 0).unwrap();
    assert_eq!(a.state().record_count(), 0, "no record");
    assert_eq!(delivered(&mut a), vec![id]);
    let p = transmit(&mut a, B, 0).unwrap();
    assert_eq!(p, messages(&[&e]));
    for epoch in 1..100 {
        assert_eq!(transmit(&mut a, B, epoch), None, "not retransmitted");
    }

    let rx = b.handle_payload(A, p.clone(), 0).unwrap();
    assert_eq!(rx.new_messages, 1);
    assert_eq!(delivered(&mut b), vec![id]);
    assert_eq!(b.state().record_count(), 0, "not forwarded to C");
    assert_eq!(transmit(&mut b, A, 0), None, "not ACKed");
    assert_eq!(transmit(&mut b, C, 0), None, "not forwarded");
    // Again: still not delivered twice, still no ACK.
    let rx = b.handle_payload(A, p, 1).unwrap();
    assert_eq!(rx.duplicates, 1);
    assert_eq!(delivered(&mut b), vec![]);
    assert_eq!(transmit(&mut b, A, 1), None);

    // Never a head, on either side; a REQUEST for it is not served.
    assert_eq!(a.state_mut().heads(&group()).unwrap(), vec![]);
    assert_eq!(b.state_mut().heads(&group()).unwrap(), vec![]);
    let rx = a.handle_payload(B, requests(&[id]), 2).unwrap();
    assert_eq!(rx.unknown_requests, 1);
    assert_eq!(transmit(&mut a, B, 2), None);
}

#[test]
fn ephemeral_is_never_a_head_even_between_reliable_messages() {
    let mut a = node(&[B]);
    let m1 = a.compose(&group(), 1, b"1".to_vec(), false).unwrap();
    let id1 = a.send(m1, Mode::Batch, 0).unwrap();
    let e = a.compose(&group(), 2, b"typing".to_vec(), true).unwrap();
    assert_eq!(e.parents(), &[id1]);
    a.send(e, Mode::Batch, 0).unwrap();
    let m2 = a.compose(&group(), 3, b"2".to_vec(), false).unwrap();
    assert_eq!(m2.parents(), &[id1], "the ephemeral is not a parent");
}

/// Causal delivery holds for ephemeral messages too: one that names a parent
/// the receiver lacks waits for it (the parent is requested from the sender),
/// and is still not ACKed or forwarded.
#[test]
fn an_ephemeral_waits_for_its_parents() {
    let mut b = node(&[A, C]);
    let parent = msg("parent", &[]);
    let e = ephemeral("typing", &[parent.id()]);
    let rx = b.handle_payload(A, messages(&[&e]), 0).unwrap();
    assert_eq!(rx.new_messages, 1);
    assert_eq!(delivered(&mut b), vec![], "waits for its parent");
    let p = transmit(&mut b, A, 0).unwrap();
    assert_eq!(p, requests(&[parent.id()]), "no ACK, parent requested");
    assert_eq!(transmit(&mut b, C, 0), None, "not forwarded");
    // A duplicate while it waits changes nothing.
    let rx = b.handle_payload(A, messages(&[&e]), 1).unwrap();
    assert_eq!(rx.duplicates, 1);
    b.handle_payload(A, messages(&[&parent]), 2).unwrap();
    assert_eq!(delivered(&mut b), vec![parent.id(), e.id()]);
    assert_eq!(b.state_mut().heads(&group()).unwrap(), vec![parent.id()]);
    let p = transmit(&mut b, A, 2).unwrap();
    assert_eq!(
        p,
        acks(&[parent.id()]),
        "the parent is ACKed, the ephemeral not"
    );
}

// --------------------------------------------------------------- odd inputs

#[test]
fn an_offer_for_a_message_held_is_acked() {
    let mut b = node(&[A]);
    let m = msg("hi", &[]);
    b.handle_payload(A, messages(&[&m]), 0).unwrap();
    assert_eq!(transmit(&mut b, A, 0), Some(acks(&[m.id()])));
    let rx = b.handle_payload(A, offers(&[m.id()]), 1).unwrap();
    assert_eq!(rx.offers, 1);
    assert_eq!(b.state().record_count(), 0, "no REQUEST");
    assert_eq!(transmit(&mut b, A, 1), Some(acks(&[m.id()])));

    // And the offerer stops offering.
    let mut a = node(&[B]);
    let id = a.send(m, Mode::Interactive, 0).unwrap();
    transmit(&mut a, B, 0);
    a.handle_payload(B, acks(&[id]), 1).unwrap();
    assert_eq!(a.state().record_count(), 0);
}

#[test]
fn a_request_for_an_unknown_message_is_counted_and_ignored() {
    let mut a = node(&[B]);
    let rx = a
        .handle_payload(B, requests(&[MessageId([3; 32])]), 0)
        .unwrap();
    assert_eq!(rx.requests, 1);
    assert_eq!(rx.unknown_requests, 1);
    assert_eq!(a.state().record_count(), 0);
    assert_eq!(transmit(&mut a, B, 0), None);
}

/// Knowing an id is not enough to fetch a message: a REQUEST from a peer the
/// message's group is not shared with is not served.
#[test]
fn a_request_from_outside_the_group_is_not_served() {
    let mut a = node(&[B]);
    let m = a.compose(&group(), 1, b"private".to_vec(), false).unwrap();
    let id = a.send(m, Mode::Batch, 0).unwrap();
    let rx = a.handle_payload(C, requests(&[id]), 0).unwrap();
    assert_eq!(rx.unknown_requests, 1);
    assert_eq!(record(&mut a, C, &id), None);
    assert_eq!(transmit(&mut a, C, 0), None);
    // B, with whom the group is shared, is served.
    let rx = a.handle_payload(B, requests(&[id]), 0).unwrap();
    assert_eq!(rx.unknown_requests, 0);
    assert_eq!(transmit(&mut a, B, 0).unwrap().messages.len(), 1);
}

#[test]
fn messages_of_other_groups_are_not_stored_or_acked() {
    let mut b = node(&[A]);
    let mut m = msg("not ours", &[]);
    m.group_id = other_group();
    let rx = b.handle_payload(A, messages(&[&m]), 0).unwrap();
    assert_eq!((rx.messages, rx.not_member, rx.new_messages), (1, 1, 0));
    assert_eq!(b.state_mut().message(&m.id()).unwrap(), None);
    assert_eq!(delivered(&mut b), vec![]);
    assert_eq!(transmit(&mut b, A, 0), None, "no ACK");
    assert_eq!(b.state().record_count(), 0);
}

#[test]
fn hasten_on_contact_makes_the_peers_records_due() {
    let mut a = node_with(
        &[B, C],
        Settings {
            hasten_on_contact: true,
            ..Settings::default()
        },
    );
    let id = a.send(msg("hi", &[]), Mode::Batch, 0).unwrap();
    for e in 0..4 {
        transmit(&mut a, B, e);
        transmit(&mut a, C, e);
    }
    // Both records wait until epoch 7 now; contact from B makes B's due.
    assert_eq!(record(&mut a, B, &id).unwrap().send_epoch, 7);
    a.handle_payload(B, Payload::default(), 4).unwrap();
    assert_eq!(record(&mut a, B, &id).unwrap().send_epoch, 4);
    assert_eq!(record(&mut a, C, &id).unwrap().send_epoch, 7);
    assert!(transmit(&mut a, B, 4).is_some());
    assert!(transmit(&mut a, C, 4).is_none());
}

#[test]
fn payload_limits_split_records_over_epochs() {
    let mut a = node_with(
        &[B],
        Settings {
            max_records: 2,
            max_body_bytes: 1,
            ..Settings::default()
        },
    );
    let ids: Vec<MessageId> = (0..3)
        .map(|i| a.send(msg(&format!("m{i}"), &[]), Mode::Batch, 0).unwrap())
        .collect();
    // Bodies of 2 bytes against a 1-byte budget: one message per payload,
    // the rest stays due.
    let mut seen = Vec::new();
    for epoch in 0..3 {
        let p = transmit(&mut a, B, epoch).unwrap();
        assert_eq!(p.messages.len(), 1, "epoch {epoch}");
        seen.push(p.messages[0].id());
    }
    seen.sort();
    let mut want = ids;
    want.sort();
    assert_eq!(seen, want, "each sent once before any is repeated");
}
