//! End-to-end synchronization through the CLI: real processes, one directory
//! per node, bundles as files (and pipes).

mod common;

use common::{World, carry, connect, group};

#[test]
fn two_nodes_in_batch_mode() {
    let w = World::new();
    let (a, b) = (w.node("alice", "batch"), w.node("bob", "batch"));
    connect(&a, &b);
    group("chat", &a, &[&b], &[(&a, &b)]);
    a.send("chat", "one");
    a.send("chat", "two");
    assert_eq!(a.pending("bob"), 2);

    // One trip: the messages arrive, in order.
    carry(&w, &a, &b);
    assert_eq!(b.log("chat"), ["one", "two"]);
    b.send("chat", "three");
    // The way back carries bob's ACKs and his message.
    carry(&w, &b, &a);
    assert_eq!(a.log("chat"), ["one", "two", "three"]);
    assert_eq!(a.pending("bob"), 0);
    assert_eq!(b.pending("alice"), 1);
    a.tick();
    carry(&w, &a, &b);
    assert_eq!(b.pending("alice"), 0);
    // Causal order: each message names the previous head as parent.
    let log: common::Log = b.json(&["log", "chat"]);
    assert_eq!(log.messages[1].parents, [log.messages[0].id.clone()]);
    assert_eq!(log.messages[2].parents, [log.messages[1].id.clone()]);
}

#[test]
fn two_nodes_in_interactive_mode() {
    let w = World::new();
    let (a, b) = (w.node("alice", "interactive"), w.node("bob", "interactive"));
    connect(&a, &b);
    group("chat", &a, &[&b], &[(&a, &b)]);
    a.send("chat", "hello");
    let s = a.status();
    assert_eq!(s.mode, "interactive");
    assert_eq!((s.peers[0].offers, s.peers[0].messages), (1, 0));

    // OFFER: bob learns of it and will REQUEST it; nothing is delivered yet.
    carry(&w, &a, &b);
    assert!(b.log("chat").is_empty());
    assert_eq!(b.status().peers[0].requests, 1);
    // REQUEST: alice answers with the MESSAGE in her next epoch.
    carry(&w, &b, &a);
    assert_eq!(a.status().peers[0].messages, 1);
    a.tick();
    carry(&w, &a, &b);
    assert_eq!(b.log("chat"), ["hello"]);
    // ACK: alice forgets the record.
    b.tick();
    carry(&w, &b, &a);
    assert_eq!(a.pending("bob"), 0);
    assert_eq!(b.pending("alice"), 0);
}

#[test]
fn send_mode_overrides_the_node_mode() {
    let w = World::new();
    let (a, b) = (w.node("alice", "batch"), w.node("bob", "batch"));
    connect(&a, &b);
    group("chat", &a, &[&b], &[(&a, &b)]);
    a.ok(&["send", "chat", "offered", "--mode", "interactive"]);
    let p = &a.status().peers[0];
    assert_eq!((p.offers, p.messages), (1, 0));
}

#[test]
fn a_relay_carries_between_nodes_that_never_meet() {
    let w = World::new();
    let (a, b, c) = w.trio();
    connect(&a, &b);
    connect(&b, &c);
    group("chat", &a, &[&b, &c], &[(&a, &b), (&b, &c)]);
    a.send("chat", "from alice");
    carry(&w, &a, &b);
    carry(&w, &b, &c);
    assert_eq!(c.log("chat"), ["from alice"]);
    c.send("chat", "from carol");
    b.tick();
    carry(&w, &c, &b);
    carry(&w, &b, &a);
    assert_eq!(a.log("chat"), ["from alice", "from carol"]);
    // Everyone has everything; the last ACKs settle the state.
    a.tick();
    c.tick();
    carry(&w, &a, &b);
    b.tick();
    carry(&w, &b, &c);
    assert_eq!((a.pending("bob"), c.pending("bob")), (0, 0));
    assert_eq!((b.pending("alice"), b.pending("carol")), (0, 0));
}

#[test]
fn a_lost_bundle_is_recovered_by_retransmission() {
    let w = World::new();
    let (a, b) = (w.node("alice", "batch"), w.node("bob", "batch"));
    connect(&a, &b);
    group("chat", &a, &[&b], &[(&a, &b)]);
    a.send("chat", "lost once");
    let lost = w.path("lost.mvds");
    a.export_to(&b, &lost);
    std::fs::remove_file(&lost).unwrap();
    // One payload per peer per epoch: the next one needs a tick.
    let err = a.fails(&["export", "--to", "bob", "-o", "again.mvds"], 7);
    assert!(err.contains("mvds tick"), "{err}");
    a.tick();
    carry(&w, &a, &b);
    assert_eq!(b.log("chat"), ["lost once"]);
}

#[test]
fn a_lost_ack_is_recovered_by_retransmission() {
    let w = World::new();
    let (a, b) = (w.node("alice", "batch"), w.node("bob", "batch"));
    connect(&a, &b);
    group("chat", &a, &[&b], &[(&a, &b)]);
    a.send("chat", "hello");
    carry(&w, &a, &b);
    // bob's ACK is lost on the way back.
    let lost = w.path("ack.mvds");
    b.export_to(&a, &lost);
    std::fs::remove_file(&lost).unwrap();
    // alice sends the same payload again: a new bundle, not a replay, so bob
    // ACKs again instead of ignoring it.
    a.tick();
    let again = w.path("again.mvds");
    a.export_to(&b, &again);
    let imported: common::Imported = b.json(&["import", again.to_str().unwrap()]);
    assert_eq!((imported.imported, imported.bundles[0].duplicates), (1, 1));
    b.tick();
    carry(&w, &b, &a);
    assert_eq!(a.pending("bob"), 0);
    assert_eq!(b.log("chat"), ["hello"]);
}

#[test]
fn duplicated_and_reordered_bundles() {
    let w = World::new();
    let (a, b) = (w.node("alice", "batch"), w.node("bob", "batch"));
    connect(&a, &b);
    group("chat", &a, &[&b], &[(&a, &b)]);
    a.send("chat", "first");
    let first = w.path("1.mvds");
    a.export_to(&b, &first);
    // Epoch 1 retransmits "first"; by epoch 2 it waits for its backoff, so
    // the bundle of epoch 2 holds only "second", whose parent is "first".
    a.tick();
    a.export_to(&b, &w.path("retransmission.mvds"));
    a.tick();
    a.send("chat", "second");
    let second = w.path("2.mvds");
    a.export_to(&b, &second);

    b.import(&second);
    assert!(b.log("chat").is_empty(), "delivered before its parent");
    assert_eq!(b.status().groups[0].waiting, 1);
    b.import(&second);
    b.import(&first);
    b.import(&first);
    assert_eq!(b.log("chat"), ["first", "second"]);
    let again: common::Imported =
        b.json(&["import", first.to_str().unwrap(), second.to_str().unwrap()]);
    assert_eq!((again.imported, again.already_imported), (0, 2));
    assert_eq!(b.log("chat"), ["first", "second"]);
    assert_eq!(b.status().groups[0].delivered, 2);
}

#[test]
fn three_peers_through_one_folder() {
    let w = World::new();
    let stick = w.folder("stick");
    let nodes = [
        w.node("alice", "batch"),
        w.node("bob", "batch"),
        w.node("carol", "interactive"),
    ];
    let [a, b, c] = &nodes;
    connect(a, b);
    connect(b, c);
    connect(a, c);
    group("chat", a, &[b, c], &[(a, b), (b, c), (a, c)]);
    for n in &nodes {
        n.send("chat", &format!("hi from {}", n.name));
    }
    let dir = stick.to_str().unwrap();
    // Rounds of: everyone writes for everyone, then everyone reads the folder.
    for round in 0..4 {
        for n in &nodes {
            for p in &nodes {
                if p.name != n.name {
                    n.ok(&["export", "--to", &p.name, "--dir", dir]);
                }
            }
        }
        for n in &nodes {
            let r: common::Imported = n.json(&["import", "--dir", dir]);
            assert_eq!(r.rejected, 0);
            if round == 0 {
                // Of the 6 bundles, 2 are for this node.
                assert_eq!((r.imported, r.not_for_us), (2, 4));
            }
            n.tick();
        }
    }
    for n in &nodes {
        let mut log = n.log("chat");
        log.sort();
        assert_eq!(
            log,
            ["hi from alice", "hi from bob", "hi from carol"],
            "{}",
            n.name
        );
        for p in &nodes {
            if p.name != n.name {
                assert_eq!(n.pending(&p.name), 0, "{} -> {}", n.name, p.name);
            }
        }
    }
    // File names say nothing about who sent a bundle or whom it is for: no
    // node names, and no fingerprints.
    let fingerprints: Vec<String> = nodes.iter().map(|n| n.fingerprint()).collect();
    for entry in std::fs::read_dir(&stick).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(name.ends_with(".mvds"), "{name}");
        assert!(
            !["alice", "bob", "carol"].iter().any(|n| name.contains(n)),
            "{name}"
        );
        assert!(!fingerprints.iter().any(|f| name.contains(f)), "{name}");
    }
}

#[test]
fn bundles_flow_through_a_pipe() {
    let w = World::new();
    let (a, b) = (w.node("alice", "batch"), w.node("bob", "batch"));
    connect(&a, &b);
    group("chat", &a, &[&b], &[(&a, &b)]);
    a.send("chat", "through a pipe");
    let mut export = a
        .process(&["export", "--to", "bob", "-o", "-"])
        .spawn()
        .unwrap();
    let import = b
        .process(&["import", "-", "--json"])
        .stdin(export.stdout.take().unwrap())
        .output()
        .unwrap();
    let export = export.wait_with_output().unwrap();
    assert!(export.status.success());
    // Nothing but the bundle on the pipe, nothing extra on stderr either.
    assert!(
        export.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    let r: common::Imported = serde_json::from_slice(&import.stdout).unwrap();
    assert_eq!((r.imported, r.bundles[0].source.as_str()), (1, "-"));
    assert_eq!(b.log("chat"), ["through a pipe"]);
}

#[test]
fn raw_payload_round_trip() {
    let w = World::new();
    let (a, b) = (w.node("alice", "batch"), w.node("bob", "batch"));
    connect(&a, &b);
    let gid = group("chat", &a, &[&b], &[(&a, &b)]);
    a.send("chat", "raw");
    let file = w.path("a.pb");
    let e: common::Exported = a.json(&[
        "export",
        "--to",
        "bob",
        "--raw",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert!(e.raw);
    // It is a bare 2/MVDS payload that any implementation can decode.
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(e.bytes, bytes.len());
    let payload = mvds::wire::Payload::decode(&bytes, &mvds::wire::Limits::default()).unwrap();
    assert_eq!(payload.messages.len(), 1);
    assert_eq!(payload.messages[0].body, b"raw");
    assert_eq!(payload.messages[0].group_id.to_string(), gid);

    let err = b.fails(&["import", "--raw", file.to_str().unwrap()], 2);
    assert!(err.contains("--from"), "{err}");
    b.ok(&["import", "--raw", "--from", "alice", file.to_str().unwrap()]);
    assert_eq!(b.log("chat"), ["raw"]);
    let back = w.path("b.pb");
    b.ok(&[
        "export",
        "--to",
        "alice",
        "--raw",
        "-o",
        back.to_str().unwrap(),
    ]);
    a.ok(&["import", "--raw", "--from", "bob", back.to_str().unwrap()]);
    assert_eq!(a.pending("bob"), 0);
}

#[test]
fn nothing_due_gives_an_empty_but_valid_bundle() {
    let w = World::new();
    let (a, b) = (w.node("alice", "batch"), w.node("bob", "batch"));
    connect(&a, &b);
    let file = w.path("empty.mvds");
    let e: common::Exported = a.json(&["export", "--to", "bob", "-o", file.to_str().unwrap()]);
    assert_eq!((e.records, e.epoch, e.peer.as_str()), (0, 0, "bob"));
    let r: common::Imported = b.json(&["import", file.to_str().unwrap()]);
    assert_eq!(r.imported, 1);
    // The epoch's one payload is used up, even an empty one.
    a.fails(&["export", "--to", "bob", "-o", "again.mvds"], 7);
}

#[test]
fn a_relay_forwards_in_its_own_mode() {
    let w = World::new();
    let (a, b, c) = (
        w.node("alice", "batch"),
        w.node("bob", "interactive"),
        w.node("carol", "batch"),
    );
    connect(&a, &b);
    connect(&b, &c);
    group("chat", &a, &[&b, &c], &[(&a, &b), (&b, &c)]);
    a.send("chat", "via an interactive relay");
    carry(&w, &a, &b);
    // bob got the MESSAGE in batch mode but offers it onwards.
    let to_carol = b
        .status()
        .peers
        .into_iter()
        .find(|p| p.name == "carol")
        .unwrap();
    assert_eq!((to_carol.offers, to_carol.messages), (1, 0));
    carry(&w, &b, &c); // OFFER
    carry(&w, &c, &b); // REQUEST
    b.tick();
    carry(&w, &b, &c); // MESSAGE
    assert_eq!(c.log("chat"), ["via an interactive relay"]);
}
