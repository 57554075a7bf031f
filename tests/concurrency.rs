//! Concurrency (issue 5): several `mvds` processes on one store at once, as
//! two cron jobs would run them. Each command either succeeds or, when it
//! waited too long for the store, fails with exit 4 ("store is busy") and
//! changes nothing; the store is never corrupt and no message is lost or
//! delivered twice. A peer never gets two payloads in one epoch.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use mvds::store::Store;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use common::{Node, World, connect, group};

const SEED: u64 = 0xc0c0_4005;
const ROUNDS: usize = 25;
const BUSY: i32 = 4;
const ALREADY_EXPORTED: i32 = 7;

/// Starts every command, a few milliseconds apart (seeded), and waits for
/// all of them.
fn all_at_once(rng: &mut StdRng, jobs: &[(&Node, Vec<String>)]) -> Vec<Output> {
    let children: Vec<_> = jobs
        .iter()
        .map(|(node, args)| {
            std::thread::sleep(Duration::from_micros(rng.random_range(0..3000)));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            node.process(&args).spawn().expect("spawn mvds")
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

fn integrity(node: &Node) {
    Store::open(&node.dir)
        .expect("open the store")
        .integrity_check()
        .unwrap_or_else(|e| panic!("{}: {e}", node.name));
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// Bundles on `stick`.
fn bundles(stick: &Path) -> usize {
    std::fs::read_dir(stick)
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            name.to_str().unwrap().ends_with(".mvds")
        })
        .count()
}

#[test]
fn imports_and_exports_at_once_never_corrupt_or_lose() {
    let w = World::new();
    let (a, b, c) = w.trio();
    connect(&a, &b);
    connect(&b, &c);
    group("chat", &a, &[&b, &c], &[(&a, &b), (&c, &b)]);
    let from_bob = w.folder("from-bob");
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();

    let mut expected: Vec<String> = Vec::new();
    for round in 0..ROUNDS {
        let fa = w.path(&format!("a{round}.mvds"));
        let fc = w.path(&format!("c{round}.mvds"));
        for (node, file) in [(&a, &fa), (&c, &fc)] {
            let text = format!("{} {round}", node.name);
            node.send("chat", &text);
            expected.push(text);
            node.tick();
            node.export_to(&b, file);
        }
        b.tick();
        let on_stick = bundles(&from_bob);
        let before = b.log("chat");
        let (fa, fc) = (fa.to_str().unwrap(), fc.to_str().unwrap());
        let export = strings(&[
            "export",
            "--to",
            "alice",
            "--dir",
            from_bob.to_str().unwrap(),
        ]);
        // Two imports of different bundles, the same bundle twice, and two
        // exports to the same peer in the same epoch, in a seeded order.
        let mut jobs = vec![
            (&b, strings(&["import", fa, "--json"])),
            (&b, strings(&["import", fc, "--json"])),
            (&b, strings(&["import", fa, "--json"])),
            (&b, export.clone()),
            (&b, export.clone()),
        ];
        for i in (1..jobs.len()).rev() {
            jobs.swap(i, rng.random_range(0..=i));
        }
        let outputs = all_at_once(&mut rng, &jobs);

        integrity(&b);
        let mut exports_ok = 0;
        let mut imported_fa = 0;
        for ((_, args), out) in jobs.iter().zip(&outputs) {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!stderr.contains("internal error"), "{stderr}");
            match out.status.code() {
                Some(0) if args[0] == "export" => exports_ok += 1,
                Some(0) => {
                    let r: common::Imported = serde_json::from_slice(&out.stdout).unwrap();
                    if args[1] == fa {
                        imported_fa += r.imported;
                    }
                    *outcomes
                        .entry(if r.imported == 1 {
                            "import applied"
                        } else {
                            "import already imported"
                        })
                        .or_default() += 1;
                    continue;
                }
                Some(ALREADY_EXPORTED) if args[0] == "export" => {
                    assert!(stderr.contains("exported in epoch"), "{stderr}");
                    *outcomes.entry("export refused: epoch used").or_default() += 1;
                    continue;
                }
                Some(BUSY) => {
                    assert!(stderr.starts_with("mvds: the store is busy"), "{stderr}");
                    *outcomes.entry("busy").or_default() += 1;
                    // Waiting is all it takes: the same command again works
                    // (an export finds the epoch used if the other one ran).
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    let again = b.output(&args);
                    assert!(matches!(again.status.code(), Some(0 | ALREADY_EXPORTED)));
                    continue;
                }
                other => panic!("mvds {args:?} exited with {other:?}: {stderr}"),
            }
            *outcomes.entry("export written").or_default() += 1;
        }
        // One payload per peer per epoch, even when two exports race.
        assert!(
            exports_ok <= 1,
            "round {round}: {exports_ok} exports in one epoch"
        );
        assert_eq!(bundles(&from_bob), on_stick + 1, "round {round}");
        // The same bundle imported twice at once is applied once.
        assert!(imported_fa <= 1, "round {round}: applied twice");
        let after = b.log("chat");
        assert!(after.starts_with(&before), "round {round}: messages lost");
        let mut want = expected.clone();
        want.sort();
        let mut got = after.clone();
        got.sort();
        assert_eq!(got, want, "round {round}: each message once, none lost");
        // The peers get bob's ACKs, as usual.
        a.ok(&["import", "--dir", from_bob.to_str().unwrap()]);
    }
    // The last round's export may have run before its imports: one more
    // exchange carries the ACKs it could not hold yet.
    b.tick();
    b.ok(&[
        "export",
        "--to",
        "alice",
        "--dir",
        from_bob.to_str().unwrap(),
    ]);
    a.ok(&["import", "--dir", from_bob.to_str().unwrap()]);
    integrity(&a);
    assert_eq!(
        a.pending("bob"),
        0,
        "bob acknowledged everything alice sent"
    );
    println!("{ROUNDS} rounds of 5 concurrent commands: {outcomes:?}");
}

#[test]
fn an_import_that_waits_too_long_fails_cleanly_and_can_be_rerun() {
    let w = World::new();
    let (a, b) = (w.node("alice", "batch"), w.node("bob", "batch"));
    connect(&a, &b);
    group("chat", &a, &[&b], &[(&a, &b)]);
    a.send("chat", "hello");
    let file = w.path("a.mvds");
    a.export_to(&b, &file);
    let before = b.dump();
    // Another process holds the write lock for longer than mvds waits (5 s).
    let db = rusqlite::Connection::open(b.dir.join("mvds.db")).unwrap();
    db.execute_batch("BEGIN IMMEDIATE").unwrap();
    let err = b.refused(
        &["import", file.to_str().unwrap()],
        BUSY,
        "the store is busy",
    );
    assert!(err.contains("hint: "), "{err}");
    db.execute_batch("ROLLBACK").unwrap();
    drop(db);
    assert_eq!(b.dump(), before);
    integrity(&b);
    b.import(&file);
    assert_eq!(b.log("chat"), ["hello"]);
}
