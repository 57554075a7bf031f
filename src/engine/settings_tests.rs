//! Unit tests of the settings added for `mvds sim` (the retransmission
//! schedule and ACK settling); the engine's own suite lives in tests.rs.

use super::*;
use crate::wire::GroupId;

fn pair(settings: Settings) -> (Node<MemState>, Node<MemState>, GroupId) {
    let group = GroupId(vec![1; 32]);
    let mut a = MemState::new();
    a.share(&group, [PeerId(1)]);
    let mut b = MemState::new();
    b.share(&group, [PeerId(0)]);
    (
        Node::new(a, settings.clone()),
        Node::new(b, settings),
        group,
    )
}

#[test]
fn linear_schedule_waits_step_times_send_count() {
    let s = Schedule::Linear { step: 2 };
    let b = Backoff::default();
    assert_eq!(
        (1..=4).map(|n| s.interval(&b, n)).collect::<Vec<_>>(),
        [2, 4, 6, 8]
    );
    assert_eq!(Schedule::Backoff.interval(&b, 3), b.interval(3));
}

#[test]
fn linear_schedule_drives_send_epochs() {
    let (mut a, _, group) = pair(Settings {
        schedule: Schedule::Linear { step: 2 },
        ..Settings::default()
    });
    let m = a.compose(&group, 1, b"x".to_vec(), false).unwrap();
    a.send(m, Mode::Batch, 0).unwrap();
    let mut sent_at = Vec::new();
    for e in 0..13 {
        if a.poll_transmit(PeerId(1), e).unwrap().is_some() {
            sent_at.push(e);
        }
    }
    // 0, then +2, +4, +6.
    assert_eq!(sent_at, [0, 2, 6, 12]);
}

/// B receives one MESSAGE and repeats its ACK; a payload from A stops the
/// repeats that went out, and a duplicate gets one ACK, not a new run.
#[test]
fn settled_acks_stop_on_contact() {
    let settings = Settings {
        ack_repeats: 5,
        settle_acks_on_contact: true,
        ..Settings::default()
    };
    let (mut a, mut b, group) = pair(settings);
    let m = a.compose(&group, 1, b"x".to_vec(), false).unwrap();
    a.send(m, Mode::Batch, 0).unwrap();
    let p = a.poll_transmit(PeerId(1), 0).unwrap().unwrap();
    b.handle_payload(PeerId(0), p.clone(), 1).unwrap();
    for e in 1..3 {
        assert_eq!(
            b.poll_transmit(PeerId(0), e).unwrap().unwrap().acks.len(),
            1
        );
    }
    // Contact: a duplicate of the same MESSAGE.
    b.handle_payload(PeerId(0), p, 3).unwrap();
    assert_eq!(
        b.poll_transmit(PeerId(0), 3).unwrap().unwrap().acks.len(),
        1
    );
    assert!(b.poll_transmit(PeerId(0), 4).unwrap().is_none());
}

/// Without settling, the same exchange repeats the ACK 1 + 5 times after the
/// duplicate (the default behaviour is unchanged).
#[test]
fn unsettled_acks_repeat_in_full() {
    let settings = Settings {
        ack_repeats: 5,
        ..Settings::default()
    };
    let (mut a, mut b, group) = pair(settings);
    let m = a.compose(&group, 1, b"x".to_vec(), false).unwrap();
    a.send(m, Mode::Batch, 0).unwrap();
    let p = a.poll_transmit(PeerId(1), 0).unwrap().unwrap();
    b.handle_payload(PeerId(0), p.clone(), 1).unwrap();
    b.poll_transmit(PeerId(0), 1).unwrap();
    b.handle_payload(PeerId(0), p, 2).unwrap();
    let acks = (2..20)
        .filter(|&e| b.poll_transmit(PeerId(0), e).unwrap().is_some())
        .count();
    assert_eq!(acks, 6);
}

/// A payload from the peer in the epoch right after ours holds the records
/// we sent; one that comes later does not.
#[test]
fn reply_hold_holds_only_answered_records() {
    let settings = Settings {
        backoff: Backoff { base: 2, max: 4 },
        reply_hold: 10,
        ..Settings::default()
    };
    let sends = |answer_at: Epoch| {
        let (mut a, mut b, group) = pair(settings.clone());
        let m = a.compose(&group, 1, b"a".to_vec(), false).unwrap();
        a.send(m, Mode::Batch, 0).unwrap();
        let n = b.compose(&group, 2, b"b".to_vec(), false).unwrap();
        b.send(n, Mode::Batch, 0).unwrap();
        let reply = b.poll_transmit(PeerId(0), 0).unwrap().unwrap();
        let mut at = Vec::new();
        for e in 0..12 {
            if e == answer_at {
                a.handle_payload(PeerId(1), reply.clone(), e).unwrap();
            }
            let payload = a.poll_transmit(PeerId(1), e).unwrap();
            if payload.is_some_and(|p| !p.messages.is_empty()) {
                at.push(e);
            }
        }
        at
    };
    // Answered at once: the next send waits until 0 + 10.
    assert_eq!(sends(1), [0, 10]);
    // Answered later: the backoff goes on (2 after 0, 4 after 2, ...).
    assert_eq!(sends(2), [0, 2, 6, 8]);
}
