//! Throughput and scaling benchmarks for the node store (issue: "Performance").
//!
//! Run with `cargo bench --bench throughput` (add `-- --quick` for a history
//! of 100,000 instead of 1,000,000 messages; `BENCH_VERBOSE=1` splits each
//! import into open+decode, engine and commit). It prints figures; it asserts
//! nothing about time.
//!
//! 1. export and import of one bundle of 100,000 messages of 100 bytes: the
//!    whole path of `mvds export` / `mvds import` minus process start and file
//!    I/O (engine over SQLite in one transaction, protobuf, zstd, Ed25519
//!    signature, age encryption, and the reverse);
//! 2. export for a peer with 10 pending records from an empty store and from a
//!    store holding 1,000,000 messages: the cost must follow what is pending,
//!    not the history.

use std::time::{Duration, Instant};

use mvds::bundle::{self, Identity};
use mvds::engine::{Mode, PeerId};
use mvds::store::{Config, Store};
use mvds::wire::{GroupId, Limits, Payload};

const BODY: usize = 100;

fn group() -> GroupId {
    GroupId(vec![0x42; 32])
}

fn new_node(dir: &std::path::Path, name: &str) -> (Store, PeerId) {
    let config = Config {
        name: name.into(),
        settings: Default::default(),
    };
    let mut store = Store::create(dir, &config).unwrap();
    let tx = store.begin().unwrap();
    let peer = tx
        .add_peer("peer", &[u8::from(name == "a"); 32], "age1peer")
        .unwrap();
    tx.add_group("bench", &group()).unwrap();
    tx.share(&group(), peer).unwrap();
    tx.commit().unwrap();
    (store, peer)
}

/// Sends `n` messages from `store` in one transaction; returns the time taken.
fn send(store: &mut Store, n: usize, first_ts: i64) -> Duration {
    let start = Instant::now();
    let tx = store.begin().unwrap();
    let mut node = tx.node().unwrap();
    for i in 0..n {
        let mut body = vec![b'x'; BODY];
        body[..8].copy_from_slice(&(i as u64).to_le_bytes());
        let m = node
            .compose(&group(), first_ts + i as i64, body, false)
            .unwrap();
        node.send(m, Mode::Batch, 0).unwrap();
        while node.poll_event().is_some() {}
    }
    drop(node);
    tx.commit().unwrap();
    start.elapsed()
}

/// Makes this epoch's payload for `peer` and seals it into a bundle from
/// `keys.0` to `keys.1`, in one transaction.
fn export(
    store: &mut Store,
    peer: PeerId,
    epoch: u64,
    keys: (&Identity, &Identity),
) -> (Vec<u8>, usize, Duration) {
    let start = Instant::now();
    let tx = store.begin().unwrap();
    let mut node = tx.node().unwrap();
    let payload = node.poll_transmit(peer, epoch).unwrap().unwrap_or_default();
    let records = payload.record_count();
    let bundle = bundle::seal(&payload.encode(), keys.0, &keys.1.contact()).unwrap();
    drop(node);
    tx.commit().unwrap();
    (bundle, records, start.elapsed())
}

/// Opens a bundle sent by `keys.0` to `keys.1`, decodes the payload and
/// applies it, in one transaction.
fn import(
    store: &mut Store,
    peer: PeerId,
    bundle: &[u8],
    epoch: u64,
    keys: (&Identity, &Identity),
) -> Duration {
    let start = Instant::now();
    let sender = keys.0.verifying_key();
    let opened = bundle::open(bundle, keys.1, |k| *k == sender).unwrap();
    let payload = Payload::decode(&opened.payload, &Limits::default()).unwrap();
    let t1 = start.elapsed();
    let tx = store.begin().unwrap();
    let mut node = tx.node().unwrap();
    node.handle_payload(peer, payload, epoch).unwrap();
    while node.poll_event().is_some() {}
    drop(node);
    let t2 = start.elapsed();
    tx.commit().unwrap();
    if std::env::var_os("BENCH_VERBOSE").is_some() {
        eprintln!(
            "  open+decode {t1:?}, engine {:?}, commit {:?}",
            t2 - t1,
            start.elapsed() - t2
        );
    }
    start.elapsed()
}

fn rate(n: usize, d: Duration) -> String {
    format!(
        "{:>9.0} msg/s ({:.3} s)",
        n as f64 / d.as_secs_f64(),
        d.as_secs_f64()
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    // `--n N` shrinks the first part (for profiling under valgrind).
    let n = args
        .iter()
        .position(|a| a == "--n")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(100_000);
    let history = if quick { 100_000 } else { 1_000_000 };
    let tmp = tempfile::tempdir().unwrap();

    println!("## One payload of {n} messages of {BODY} bytes");
    let (mut a, a_peer) = new_node(&tmp.path().join("a"), "a");
    let (mut b, b_peer) = new_node(&tmp.path().join("b"), "b");
    let (ka, kb) = (Identity::generate(), Identity::generate());
    println!("send    {}", rate(n, send(&mut a, n, 0)));
    let (bytes, records, t) = export(&mut a, a_peer, 0, (&ka, &kb));
    println!(
        "export  {}  [{records} records, bundle of {} bytes]",
        rate(n, t),
        bytes.len()
    );
    println!(
        "import  {}",
        rate(n, import(&mut b, b_peer, &bytes, 0, (&ka, &kb)))
    );
    let (acks, _, t) = export(&mut b, b_peer, 0, (&kb, &ka));
    println!("ack out {}", rate(n, t));
    println!(
        "ack in  {}",
        rate(n, import(&mut a, a_peer, &acks, 0, (&kb, &ka)))
    );

    if args.iter().any(|a| a == "--first-only") {
        return;
    }
    println!("\n## Export of 10 pending records: empty store vs {history} messages");
    let (mut empty, e_peer) = new_node(&tmp.path().join("empty"), "a");
    send(&mut empty, 10, 0);
    let (mut full, f_peer) = new_node(&tmp.path().join("full"), "a");
    // The history: sent, then acknowledged by the peer, so nothing is pending.
    let mut left = history;
    let mut ts = 0;
    while left > 0 {
        let chunk = left.min(200_000);
        send(&mut full, chunk, ts);
        export(&mut full, f_peer, ts as u64, (&ka, &kb));
        let tx = full.begin().unwrap();
        let log = tx.log(&group()).unwrap();
        drop(tx);
        let acks = Payload {
            acks: log[log.len() - chunk..].iter().map(|e| e.id).collect(),
            ..Payload::default()
        };
        let acks = bundle::seal(&acks.encode(), &kb, &ka.contact()).unwrap();
        import(&mut full, f_peer, &acks, ts as u64, (&kb, &ka));
        ts += chunk as i64;
        left -= chunk;
    }
    send(&mut full, 10, ts);
    let epoch = ts as u64 + 1;
    // Best of several runs, each in a fresh epoch with the records due again.
    let best = |store: &mut Store, peer| {
        (0..5)
            .map(|i| {
                let e = epoch + 64 * i;
                let (_, records, t) = export(store, peer, e, (&ka, &kb));
                assert_eq!(records, 10);
                t
            })
            .min()
            .unwrap()
    };
    let t_empty = best(&mut empty, e_peer);
    let t_full = best(&mut full, f_peer);
    println!("empty store      {:>8.3} ms", t_empty.as_secs_f64() * 1e3);
    println!(
        "{history} messages {:>8.3} ms  ({:.2}x)",
        t_full.as_secs_f64() * 1e3,
        t_full.as_secs_f64() / t_empty.as_secs_f64()
    );
}
