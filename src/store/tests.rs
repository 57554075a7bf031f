use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::*;
use crate::engine::{MemState, State, Status};
use crate::wire::{Message, Metadata, Payload};

fn config() -> Config {
    Config {
        name: "alice".into(),
        settings: Settings::default(),
    }
}

fn group() -> GroupId {
    GroupId(vec![7; 32])
}

#[test]
fn create_refuses_to_overwrite_and_open_needs_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("node");
    assert!(matches!(
        Store::open(&node),
        Err(StoreError::NotInitialized { .. })
    ));
    Store::create(&node, &config()).unwrap();
    assert!(matches!(
        Store::create(&node, &config()),
        Err(StoreError::AlreadyInitialized { .. })
    ));
    let mut store = Store::open(&node).unwrap();
    let tx = store.begin().unwrap();
    assert_eq!(tx.config().unwrap(), config());
    assert_eq!(tx.epoch().unwrap(), 0);
    drop(tx);
    store.integrity_check().unwrap();
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    Store::create(dir.path(), &config()).unwrap();
    let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
    conn.pragma_update(None, "user_version", schema::VERSION + 1)
        .unwrap();
    drop(conn);
    assert!(matches!(
        Store::open(dir.path()),
        Err(StoreError::TooNew { found, supported }) if found == schema::VERSION + 1 && supported == schema::VERSION
    ));
}

#[test]
fn a_file_that_is_not_a_database_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(DB_FILE),
        b"this is not sqlite, just some bytes",
    )
    .unwrap();
    assert!(matches!(
        Store::open(dir.path()),
        Err(StoreError::Corrupt(_))
    ));
}

#[test]
fn an_empty_or_foreign_database_is_refused_untouched() {
    // Regression: `open` used to run the migrations on these, turning a file
    // emptied by a bad copy (or another program's database) into a node.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(DB_FILE);
    std::fs::write(&db, b"").unwrap();
    assert!(matches!(
        Store::open(dir.path()),
        Err(StoreError::Corrupt(_))
    ));
    assert_eq!(std::fs::read(&db).unwrap(), b"");
    std::fs::remove_file(&db).unwrap();
    Connection::open(&db)
        .unwrap()
        .execute_batch("CREATE TABLE notes (text TEXT)")
        .unwrap();
    let before = std::fs::read(&db).unwrap();
    assert!(matches!(
        Store::open(dir.path()),
        Err(StoreError::Corrupt(_))
    ));
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn a_second_writer_gets_busy_not_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = Store::create(dir.path(), &config()).unwrap();
    let mut b = Store::open(dir.path()).unwrap();
    b.conn.busy_timeout(Duration::from_millis(50)).unwrap();
    let tx = a.begin().unwrap();
    tx.set_epoch(5).unwrap();
    assert!(matches!(b.begin(), Err(StoreError::Busy)));
    tx.commit().unwrap();
    assert_eq!(b.begin().unwrap().epoch().unwrap(), 5);
}

#[test]
fn peers_groups_and_shares() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create(dir.path(), &config()).unwrap();
    let tx = store.begin().unwrap();
    let bob = tx.add_peer("bob", &[1; 32], "age1bob").unwrap();
    assert!(matches!(
        tx.add_peer("bob", &[2; 32], "x"),
        Err(StoreError::DuplicatePeer(_))
    ));
    assert!(matches!(
        tx.add_peer("robert", &[1; 32], "x"),
        Err(StoreError::DuplicateKey(n)) if n == "bob"
    ));
    tx.add_group("chat", &group()).unwrap();
    assert!(matches!(
        tx.add_group("other", &group()),
        Err(StoreError::DuplicateGroupId(n)) if n == "chat"
    ));
    tx.share(&group(), bob).unwrap();
    tx.share(&group(), bob).unwrap();
    let groups = tx.groups().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].peers, vec!["bob".to_string()]);
    assert_eq!(tx.peer_by_key(&[1; 32]).unwrap().unwrap().id, bob);
    assert!(tx.peer_by_name("carol").unwrap().is_none());
}

#[test]
fn sharing_late_offers_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create(dir.path(), &config()).unwrap();
    let tx = store.begin().unwrap();
    tx.add_group("chat", &group()).unwrap();
    let mut node = tx.node().unwrap();
    let m = node.compose(&group(), 1, b"early".to_vec(), false).unwrap();
    let id = node.send(m, Mode::Batch, 0).unwrap();
    drop(node);
    let bob = tx.add_peer("bob", &[1; 32], "age1bob").unwrap();
    tx.share(&group(), bob).unwrap();
    let mut node = tx.node().unwrap();
    let p = node.poll_transmit(bob, 0).unwrap().unwrap();
    assert_eq!(p.messages.len(), 1);
    assert_eq!(p.messages[0].id(), id);
}

#[test]
fn log_is_in_delivery_order_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b);
    {
        let mut store = Store::create(dir.path(), &config()).unwrap();
        let tx = store.begin().unwrap();
        tx.add_group("chat", &group()).unwrap();
        let mut node = tx.node().unwrap();
        let m = node.compose(&group(), 1, b"one".to_vec(), false).unwrap();
        a = node.send(m, Mode::Batch, 0).unwrap();
        let m = node.compose(&group(), 1, b"two".to_vec(), false).unwrap();
        b = node.send(m, Mode::Batch, 0).unwrap();
        drop(node);
        tx.commit().unwrap();
    }
    let mut store = Store::open(dir.path()).unwrap();
    let tx = store.begin().unwrap();
    let log = tx.log(&group()).unwrap();
    assert_eq!(log.iter().map(|e| e.id).collect::<Vec<_>>(), vec![a, b]);
    assert_eq!(log[1].parents, vec![a]);
    assert_eq!(log[1].body, b"two");
    let status = tx.status().unwrap();
    assert_eq!(status.groups[0].delivered, 2);
}

#[test]
fn uncommitted_work_is_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create(dir.path(), &config()).unwrap();
    {
        let tx = store.begin().unwrap();
        tx.set_epoch(9).unwrap();
        tx.add_group("chat", &group()).unwrap();
    }
    let tx = store.begin().unwrap();
    assert_eq!(tx.epoch().unwrap(), 0);
    assert!(tx.groups().unwrap().is_empty());
}

#[test]
fn record_import_detects_replays() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create(dir.path(), &config()).unwrap();
    let tx = store.begin().unwrap();
    let bob = tx.add_peer("bob", &[1; 32], "age1bob").unwrap();
    assert!(tx.record_import(&[3; 32], bob).unwrap());
    assert!(!tx.record_import(&[3; 32], bob).unwrap());
}

#[test]
fn drop_acks_below_matches_mem_state() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create(dir.path(), &config()).unwrap();
    let tx = store.begin().unwrap();
    let p1 = tx.add_peer("p1", &[1; 32], "r1").unwrap();
    let p2 = tx.add_peer("p2", &[2; 32], "r2").unwrap();
    let mut sql = tx.node().unwrap();
    let mut mem = MemState::new();
    let ids: Vec<MessageId> = (0..4).map(|i| MessageId([i; 32])).collect();
    for (k, id) in ids.iter().enumerate() {
        for s in [&mut mem as &mut dyn State, sql.state_mut()] {
            s.queue_ack(p1, id, k as u32 + 1).unwrap();
            // Another peer's queue is not touched.
            s.queue_ack(p2, id, 1).unwrap();
        }
    }
    let drain = |s: &mut dyn State, peer| {
        let mut out = Vec::new();
        loop {
            let ids = s.take_acks(peer, usize::MAX).unwrap();
            if ids.is_empty() {
                return out;
            }
            out.push(ids);
        }
    };
    // Counts 3 and 4 stay; 1 and 2 are gone.
    let both = vec![ids[2], ids[3]];
    let expected = vec![both.clone(), both.clone(), both, vec![ids[3]]];
    for s in [&mut mem as &mut dyn State, sql.state_mut()] {
        s.drop_acks_below(p1, 3).unwrap();
        assert_eq!(drain(s, p1), expected);
        assert_eq!(drain(s, p2).len(), 1);
    }
}

/// Messages other nodes of the group wrote: a random DAG.
fn remote_messages(rng: &mut StdRng, n: usize) -> Vec<Message> {
    let mut out: Vec<Message> = Vec::new();
    for i in 0..n {
        let parents = if out.is_empty() || rng.random_bool(0.2) {
            Vec::new()
        } else {
            let mut ps: Vec<_> = (0..rng.random_range(1..=2usize))
                .map(|_| out[rng.random_range(0..out.len())].id())
                .collect();
            ps.sort();
            ps.dedup();
            ps
        };
        let metadata = match rng.random_range(0..10) {
            0 => None,
            1 => Some(Metadata {
                parents: Vec::new(),
                ephemeral: true,
            }),
            _ => Some(Metadata {
                parents,
                ephemeral: false,
            }),
        };
        out.push(Message {
            group_id: group(),
            timestamp: 1000 + i as i64,
            body: format!("remote {i}").into_bytes(),
            metadata,
        });
    }
    out
}

/// The engine over SQLite behaves exactly as over memory: the same inputs give
/// the same payloads, events and final state (TaskChampion's one-suite-two-
/// stores idea, as a differential test).
#[test]
fn sql_state_matches_mem_state() {
    // The spec's letter, and every optional setting switched on.
    let tuned = Settings {
        backoff: Backoff { base: 2, max: 4 },
        ack_repeats: 2,
        hasten_on_contact: true,
        settle_acks_on_contact: true,
        reply_hold: 5,
        ..Settings::default()
    };
    for (seed, settings) in (0..12u64).map(|s| {
        let settings = if s % 2 == 0 {
            Settings::default()
        } else {
            tuned.clone()
        };
        (s, settings)
    }) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(dir.path(), &config()).unwrap();
        let tx = store.begin().unwrap();
        let p1 = tx.add_peer("p1", &[1; 32], "r1").unwrap();
        let p2 = tx.add_peer("p2", &[2; 32], "r2").unwrap();
        tx.add_group("chat", &group()).unwrap();
        tx.share(&group(), p1).unwrap();
        tx.share(&group(), p2).unwrap();
        let mut sql = Node::new(SqlState::new(&tx.tx).unwrap(), settings.clone());
        let mut mem_state = MemState::new();
        mem_state.share(&group(), [p1, p2]);
        let mut mem = Node::new(mem_state, settings);

        let mut rng = StdRng::seed_from_u64(seed);
        let remote = remote_messages(&mut rng, 40);
        let mut known: Vec<MessageId> = remote.iter().map(Message::id).collect();
        let mut epoch = 0;
        for step in 0..300 {
            match rng.random_range(0..10) {
                0 | 1 => {
                    let mode = if rng.random_bool(0.5) {
                        Mode::Batch
                    } else {
                        Mode::Interactive
                    };
                    let eph = rng.random_bool(0.1);
                    let body = format!("local {step}").into_bytes();
                    let a = mem.compose(&group(), step, body.clone(), eph).unwrap();
                    let b = sql.compose(&group(), step, body, eph).unwrap();
                    assert_eq!(a, b);
                    let ia = mem.send(a, mode, epoch).unwrap();
                    assert_eq!(ia, sql.send(b, mode, epoch).unwrap());
                    known.push(ia);
                }
                2..=5 => {
                    let from = if rng.random_bool(0.5) { p1 } else { p2 };
                    let pick = |rng: &mut StdRng, known: &[MessageId]| {
                        (0..rng.random_range(0..3usize))
                            .map(|_| known[rng.random_range(0..known.len())])
                            .collect::<Vec<_>>()
                    };
                    let payload = Payload {
                        acks: pick(&mut rng, &known),
                        offers: pick(&mut rng, &known),
                        requests: pick(&mut rng, &known),
                        messages: (0..rng.random_range(0..3usize))
                            .map(|_| remote[rng.random_range(0..remote.len())].clone())
                            .collect(),
                    };
                    let ra = mem.handle_payload(from, payload.clone(), epoch).unwrap();
                    let rb = sql.handle_payload(from, payload, epoch).unwrap();
                    assert_eq!(ra, rb, "seed {seed} step {step}");
                }
                6..=8 => {
                    for peer in [p1, p2] {
                        let a = mem.poll_transmit(peer, epoch).unwrap();
                        let b = sql.poll_transmit(peer, epoch).unwrap();
                        assert_eq!(a, b, "seed {seed} step {step}");
                        assert_eq!(
                            mem.next_send_epoch(peer, epoch).unwrap(),
                            sql.next_send_epoch(peer, epoch).unwrap()
                        );
                    }
                }
                _ => epoch += 1,
            }
            loop {
                let (a, b) = (mem.poll_event(), sql.poll_event());
                assert_eq!(a, b, "seed {seed} step {step}");
                if a.is_none() {
                    break;
                }
            }
        }
        // Final state agrees message by message.
        let ms = mem.state_mut();
        let ids: Vec<(MessageId, Status)> = ms.message_ids().map(|(i, s)| (*i, s)).collect();
        let ss = sql.state_mut();
        for (id, status) in &ids {
            assert_eq!(ss.message_status(id).unwrap(), Some(*status));
        }
        for peer in [p1, p2] {
            let a = mem
                .state_mut()
                .due_records(peer, Epoch::MAX, usize::MAX)
                .unwrap();
            let b = sql
                .state_mut()
                .due_records(peer, Epoch::MAX, usize::MAX)
                .unwrap();
            assert_eq!(a, b);
        }
        assert!(mem.poll_event().is_none());
    }
}

#[cfg(unix)]
#[test]
fn the_database_is_private_from_creation() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("node");
    let mut store = Store::create(&node, &config()).unwrap();
    store.begin().unwrap().set_epoch(1).unwrap();
    for file in ["mvds.db", "mvds.db-wal", "mvds.db-shm"] {
        let mode = std::fs::metadata(node.join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{file} is readable by others: {mode:o}");
    }
}
