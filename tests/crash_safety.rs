//! Crash safety (issue 5): `mvds send`, `export` and `import` killed with
//! SIGKILL at seeded random moments, as a dying battery would. After every
//! kill the store passes `PRAGMA integrity_check`, nothing that was stored or
//! delivered is lost, every bundle on the stick is complete, and the command
//! can simply be run again; at the end the two nodes converge.
//!
//! The kill delays are drawn (seeded) between 0 and a little more than the
//! time an uninterrupted run of the same command took, so the kills land in
//! every phase: start-up, reading, verification, the transaction, the file
//! write, the commit, and after the end.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use mvds::bundle;
use mvds::store::Store;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use common::{Log, Node, World, connect, group};

const SEED: u64 = 0xc4a5_4005;
/// Kills per command kind: 3 kinds, 210 trials in all.
const TRIALS_PER_KIND: usize = 70;

fn spawn(node: &Node, args: &[&str]) -> Child {
    node.process(args).spawn().expect("spawn mvds")
}

/// Runs `args` on `node` and sends SIGKILL after `delay`. Returns the id
/// `send` printed if the command finished first, and whether it was killed.
fn kill_after(node: &Node, args: &[&str], delay: Duration) -> (bool, String) {
    let mut child = spawn(node, args);
    std::thread::sleep(delay);
    // Kills the process if it still runs (SIGKILL on Unix); harmless if it
    // has exited already.
    child.kill().expect("kill");
    let out = child.wait_with_output().expect("wait");
    let killed = out.status.code().is_none();
    if !killed {
        assert!(
            out.status.success(),
            "mvds {args:?} failed on its own: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    (killed, String::from_utf8(out.stdout).unwrap())
}

/// How long an uninterrupted run of `args` takes.
fn duration(node: &Node, args: &[&str]) -> Duration {
    let start = Instant::now();
    let out = spawn(node, args).wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    start.elapsed()
}

fn integrity(node: &Node) {
    let store = Store::open(&node.dir).expect("the store opens after a kill");
    store
        .integrity_check()
        .unwrap_or_else(|e| panic!("{}: {e}", node.name));
}

/// Ids of the messages delivered on `node`, in its delivery order, read
/// from the database directly (a process per check would make the test
/// slow); the final check goes through `mvds log`.
fn delivered(node: &Node) -> Vec<String> {
    let db = rusqlite::Connection::open_with_flags(
        node.dir.join("mvds.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut stmt = db
        .prepare("SELECT id FROM messages WHERE seq IS NOT NULL ORDER BY seq")
        .unwrap();
    stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|id| hex::encode(id.unwrap()))
        .collect()
}

fn logged(node: &Node) -> BTreeSet<String> {
    let log: Log = node.json(&["log", "chat"]);
    log.messages.into_iter().map(|m| m.id).collect()
}

/// Every `*.mvds` file on the stick is a complete bundle that `to` opens
/// (`checked` remembers the files seen complete already); returns how many
/// there are and how many temporary files were left.
fn stick_is_sound(
    stick: &Path,
    to: &Node,
    from: &Node,
    checked: &mut BTreeSet<PathBuf>,
) -> (usize, usize) {
    let me = to.identity();
    let sender = from.identity().verifying_key();
    let (mut bundles, mut temps) = (0, 0);
    for entry in std::fs::read_dir(stick).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if name.ends_with(".mvds") && !name.starts_with('.') {
            if !checked.contains(&path) {
                let bytes = std::fs::read(&path).unwrap();
                bundle::open(bytes.as_slice(), &me, |k| *k == sender)
                    .unwrap_or_else(|e| panic!("{name} is not a complete bundle: {e}"));
                checked.insert(path);
            }
            bundles += 1;
        } else {
            // write_atomic's hidden temporary name: never `*.mvds`.
            assert!(
                name.starts_with('.') && name.ends_with(".tmp"),
                "unexpected file {name}"
            );
            temps += 1;
        }
    }
    (bundles, temps)
}

/// Exports with `tick` first, so the epoch's payload is always available.
fn export_args(stick: &Path, to: &Node) -> Vec<String> {
    ["export", "--to", &to.name, "--dir", stick.to_str().unwrap()]
        .map(String::from)
        .to_vec()
}

#[test]
fn kill_9_at_random_moments_loses_nothing() {
    let w = World::new();
    let (a, b) = (w.node("alice", "batch"), w.node("bob", "batch"));
    connect(&a, &b);
    group("chat", &a, &[&b], &[(&a, &b)]);
    let sticks = [w.folder("a-to-b"), w.folder("b-to-a")];
    let nodes = [&a, &b];

    // Calibration: the fastest of three uninterrupted runs of each command
    // (one slow run on a busy machine would push most kills past the end).
    a.send("chat", "first");
    let (mut send_time, mut export_time, mut import_time) =
        (Duration::MAX, Duration::MAX, Duration::MAX);
    for _ in 0..3 {
        send_time = send_time.min(duration(&a, &["send", "chat", "calibration"]));
        a.tick();
        export_time = export_time.min(duration(&a, &to_refs(&export_args(&sticks[0], &b))));
        let import = ["import", "--dir", sticks[0].to_str().unwrap()];
        import_time = import_time.min(duration(&b, &import));
    }
    println!("uninterrupted: send {send_time:?}, export {export_time:?}, import {import_time:?}");

    let mut rng = StdRng::seed_from_u64(SEED);
    let mut sent: BTreeSet<String> = delivered(&a).into_iter().collect();
    let mut killed = [0usize; 3];
    let mut checked = BTreeSet::new();
    let mut kinds: Vec<usize> = (0..3 * TRIALS_PER_KIND).map(|i| i % 3).collect();
    // A seeded order, so a command often meets the leftovers of another.
    for i in (1..kinds.len()).rev() {
        kinds.swap(i, rng.random_range(0..=i));
    }
    for (trial, &kind) in kinds.iter().enumerate() {
        let dir = rng.random_range(0..2usize);
        let (from, to) = (nodes[dir], nodes[1 - dir]);
        let stick = &sticks[dir];
        let before = [delivered(&a), delivered(&b)];
        let text = format!("trial {trial}");
        let (was_killed, victim) = match kind {
            0 => {
                let delay = random_delay(&mut rng, send_time);
                let (k, out) = kill_after(from, &["send", "chat", &text], delay);
                if !k {
                    sent.insert(out.trim().to_string());
                }
                (k, from)
            }
            1 => {
                from.tick();
                let delay = random_delay(&mut rng, export_time);
                let (k, _) = kill_after(from, &to_refs(&export_args(stick, to)), delay);
                (k, from)
            }
            _ => {
                from.tick();
                from.ok(&to_refs(&export_args(stick, to)));
                let delay = random_delay(&mut rng, import_time);
                let args = ["import", "--dir", stick.to_str().unwrap()];
                let (k, _) = kill_after(to, &args, delay);
                (k, to)
            }
        };
        if was_killed {
            killed[kind] += 1;
        }

        // The store is sound and nothing delivered was lost.
        integrity(victim);
        let after = [delivered(&a), delivered(&b)];
        for (n, (old, new)) in before.iter().zip(&after).enumerate() {
            assert!(
                new.starts_with(old),
                "trial {trial}: {} lost delivered messages",
                nodes[n].name
            );
        }
        for id in &sent {
            assert!(
                after.iter().any(|log| log.contains(id)),
                "trial {trial}: sent message {id} lost"
            );
        }
        // Every bundle on the stick is complete.
        stick_is_sound(stick, to, from, &mut checked);

        // The command can simply be run again.
        match kind {
            0 => {
                let id = from.send("chat", &format!("{text} again"));
                sent.insert(id);
            }
            1 => {
                // 7 when the killed export had committed its epoch.
                let out = from.output(&to_refs(&export_args(stick, to)));
                assert!(
                    matches!(out.status.code(), Some(0 | 7)),
                    "trial {trial}: export again: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            _ => {
                to.ok(&["import", "--dir", stick.to_str().unwrap()]);
            }
        }
    }

    // Finish the exchange: both nodes end with the same log, holding every
    // message that was ever reported sent, and nothing pending.
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds <= 40, "the nodes did not converge");
        for dir in 0..2 {
            let (from, to) = (nodes[dir], nodes[1 - dir]);
            from.ok(&["tick", "16"]);
            from.ok(&to_refs(&export_args(&sticks[dir], to)));
            let r: common::Imported = to.json(&["import", "--dir", sticks[dir].to_str().unwrap()]);
            assert_eq!(r.rejected, 0, "stray temporary files must be ignored");
        }
        let (la, lb) = (delivered(&a), delivered(&b));
        let same: BTreeSet<_> = la.iter().collect::<BTreeSet<_>>();
        if same == lb.iter().collect() && a.pending("bob") == 0 && b.pending("alice") == 0 {
            for id in &sent {
                assert!(la.contains(id), "message {id} never arrived");
            }
            // And as `mvds log` shows them.
            assert_eq!(logged(&a), logged(&b));
            assert_eq!(logged(&a), la.iter().cloned().collect());
            break;
        }
    }
    integrity(&a);
    integrity(&b);
    let temps: usize = (0..2)
        .map(|d| stick_is_sound(&sticks[d], nodes[1 - d], nodes[d], &mut checked).1)
        .sum();
    println!(
        "{} trials: killed mid-run send {}, export {}, import {} (the rest finished first); \
         {} messages converged in {rounds} rounds; {temps} temporary files left by killed exports",
        kinds.len(),
        killed[0],
        killed[1],
        killed[2],
        sent.len(),
    );
    // A crash test in which nothing crashed proves nothing.
    for (kind, k) in killed.iter().enumerate() {
        assert!(
            *k >= TRIALS_PER_KIND / 4,
            "only {k} of {TRIALS_PER_KIND} runs of kind {kind} were killed mid-run"
        );
    }
}

fn random_delay(rng: &mut StdRng, typical: Duration) -> Duration {
    let max = (typical.as_micros() as u64 * 5 / 4).max(1000);
    Duration::from_micros(rng.random_range(0..=max))
}

fn to_refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// Copies every file of a node directory (no process may be running).
fn snapshot(node: &Node) -> Vec<(PathBuf, Vec<u8>)> {
    std::fs::read_dir(&node.dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect()
}

/// Puts the node directory back as `snapshot` found it: the state a kill
/// just before the commit leaves (SQLite ignores uncommitted WAL frames).
fn restore(node: &Node, snapshot: &[(PathBuf, Vec<u8>)]) {
    for e in std::fs::read_dir(&node.dir).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    for (path, bytes) in snapshot {
        std::fs::write(path, bytes).unwrap();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = node.dir.join("identity.key");
        std::fs::set_permissions(key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

#[test]
fn a_commit_lost_after_the_file_was_written() {
    // The narrowest window, reached deterministically: the export's file is
    // complete but its transaction never committed; the import applied
    // nothing but the bundle is still on the stick.
    let w = World::new();
    let (a, b) = (w.node("alice", "batch"), w.node("bob", "batch"));
    connect(&a, &b);
    group("chat", &a, &[&b], &[(&a, &b)]);
    let stick = w.folder("stick");
    a.send("chat", "one");
    let before = snapshot(&a);
    a.ok(&to_refs(&export_args(&stick, &b)));
    restore(&a, &before);
    integrity(&a);
    // The export is simply run again: a second file with the same payload.
    a.ok(&to_refs(&export_args(&stick, &b)));
    let mut checked = BTreeSet::new();
    assert_eq!(stick_is_sound(&stick, &b, &a, &mut checked), (2, 0));

    let before = snapshot(&b);
    b.ok(&["import", "--dir", stick.to_str().unwrap()]);
    restore(&b, &before);
    integrity(&b);
    assert!(delivered(&b).is_empty());
    let r: common::Imported = b.json(&["import", "--dir", stick.to_str().unwrap()]);
    // Both files are applied (the second as a retransmission), the message
    // is delivered once.
    assert_eq!((r.imported, r.delivered), (2, 1));
    assert_eq!(b.log("chat"), ["one"]);
    b.tick();
    b.ok(&["export", "--to", "alice", "--dir", stick.to_str().unwrap()]);
    a.ok(&["import", "--dir", stick.to_str().unwrap()]);
    assert_eq!(a.pending("bob"), 0);
}
