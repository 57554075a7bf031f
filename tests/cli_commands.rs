//! The command line itself: store selection, names, ids, timestamps, exit
//! codes and the JSON schemas of docs/cli.md (read back with serde, never by
//! comparing strings).

mod common;

use common::{World, carry, connect, group, mvds};

#[derive(serde::Deserialize)]
struct PeerList {
    peers: Vec<Peer>,
}

#[derive(serde::Deserialize)]
struct Peer {
    name: String,
    fingerprint: String,
    contact: String,
    groups: Vec<String>,
}

#[derive(serde::Deserialize)]
struct Inspected {
    format: String,
    version: Option<u16>,
    bytes: usize,
    for_us: Option<bool>,
    sender: Option<Sender>,
    payload: Option<Payload>,
}

#[derive(serde::Deserialize)]
struct Sender {
    name: Option<String>,
    fingerprint: String,
}

#[derive(serde::Deserialize)]
struct Payload {
    acks: Vec<String>,
    offers: Vec<String>,
    requests: Vec<String>,
    messages: Vec<Message>,
}

#[derive(serde::Deserialize)]
struct Message {
    id: String,
    group_id: String,
    group: Option<String>,
    timestamp: i64,
    parents: Vec<String>,
    ephemeral: bool,
    size: usize,
    body: Option<String>,
    body_hex: Option<String>,
}

#[test]
fn store_falls_back_to_mvds_home() {
    let w = World::new();
    let home = w.path("home");
    mvds()
        .env("MVDS_HOME", &home)
        .args(["init", "--name", "h"])
        .assert()
        .success();
    assert!(home.join("mvds.db").is_file());
    // --store wins over MVDS_HOME.
    let other = w.path("other");
    mvds()
        .env("MVDS_HOME", &home)
        .args(["--store", other.to_str().unwrap(), "init"])
        .assert()
        .success();
    let out = mvds()
        .env("MVDS_HOME", &other)
        .args(["status", "--json"])
        .output()
        .unwrap();
    let status: common::Status = serde_json::from_slice(&out.stdout).unwrap();
    // The default name is the directory's.
    assert_eq!(status.name, "other");
}

#[cfg(target_os = "linux")]
#[test]
fn store_falls_back_to_the_platform_data_directory() {
    let w = World::new();
    let data = w.path("xdg-data");
    mvds()
        .env("XDG_DATA_HOME", &data)
        .args(["init", "--name", "d"])
        .assert()
        .success();
    assert!(data.join("mvds").join("mvds.db").is_file());
}

#[test]
fn init_refuses_to_overwrite_and_keys_are_private() {
    let w = World::new();
    let a = w.node("alice", "batch");
    let before = a.dump();
    let err = a.fails(&["init"], 3);
    assert!(err.contains("holds an mvds node already"), "{err}");
    assert_eq!(a.dump(), before);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(a.dir.join("identity.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "key readable by others: {mode:o}");
    }
}

#[test]
fn commands_without_a_store_say_how_to_make_one() {
    let w = World::new();
    let out = mvds()
        .args(["--store", w.path("none").to_str().unwrap(), "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("mvds: no mvds node in"), "{err}");
    assert!(err.contains("hint: run `mvds init`"), "{err}");
}

#[test]
fn usage_errors() {
    let w = World::new();
    let a = w.node("alice", "batch");
    assert!(
        a.fails(&["send", "nochat", "x"], 2)
            .contains("no group named 'nochat'")
    );
    assert!(
        a.fails(&["export", "--to", "nobody", "-o", "x"], 2)
            .contains("no peer named")
    );
    assert!(
        a.fails(&["peer", "add", "bob", "mvds1garbage"], 2)
            .contains("hint: ")
    );
    assert!(
        a.fails(&["peer", "add", "me", &a.contact()], 2)
            .contains("own contact")
    );
    assert!(
        a.fails(&["group", "join", "g", "not-hex"], 2)
            .contains("not a group id")
    );
    assert!(
        a.fails(&["group", "create", "bad name"], 2)
            .contains("not a valid group name")
    );
    // clap's own usage errors use the same code.
    a.fails(&["export", "--to", "bob"], 2);
    a.fails(&["frobnicate"], 2);
    let b = w.node("bob", "batch");
    a.ok(&["peer", "add", "bob", &b.contact()]);
    assert!(
        a.fails(&["peer", "add", "bob2", &b.contact()], 2)
            .contains("belongs to peer 'bob'")
    );
    assert!(
        a.fails(&["peer", "add", "bob", &w.node("c", "batch").contact()], 2)
            .contains("exists already")
    );
}

#[test]
fn same_text_in_the_same_second_gets_a_new_id() {
    let w = World::new();
    let a = w.node("alice", "batch");
    a.ok(&["group", "create", "chat"]);
    let one = a.send("chat", "same");
    let two = a.send("chat", "same");
    assert_ne!(one, two);
    let log: common::Log = a.json(&["log", "chat"]);
    assert_eq!(log.messages[0].timestamp, 1_700_000_000);
    assert_eq!(log.messages[1].timestamp, 1_700_000_001);
    assert_eq!(log.messages[1].parents, [one]);
}

#[test]
fn send_reads_stdin_and_files_and_binary_bodies_stay_intact() {
    let w = World::new();
    let a = w.node("alice", "batch");
    a.ok(&["group", "create", "chat"]);
    a.cmd()
        .args(["send", "chat"])
        .write_stdin("from stdin")
        .assert()
        .success();
    let file = w.path("blob");
    std::fs::write(&file, [0xff, 0x00, 0xfe]).unwrap();
    a.ok(&[
        "send",
        "chat",
        "--file",
        file.to_str().unwrap(),
        "--ephemeral",
    ]);
    let log: common::Log = a.json(&["log", "chat"]);
    assert_eq!(log.messages[0].body.as_deref(), Some("from stdin"));
    assert_eq!(log.messages[1].body, None);
    assert_eq!(log.messages[1].body_hex.as_deref(), Some("ff00fe"));
    assert!(log.messages[1].ephemeral);
}

#[test]
fn json_schemas() {
    let w = World::new();
    let (a, b) = (w.node("alice", "batch"), w.node("bob", "interactive"));
    connect(&a, &b);
    let gid = group("chat", &a, &[&b], &[(&a, &b)]);
    let id = a.send("chat", "hi");

    let peers: PeerList = a.json(&["peer", "list"]);
    assert_eq!(peers.peers.len(), 1);
    assert_eq!(peers.peers[0].name, "bob");
    assert_eq!(peers.peers[0].contact, b.contact());
    assert_eq!(peers.peers[0].groups, ["chat"]);
    assert_eq!(peers.peers[0].fingerprint.len(), 16);

    let s = a.status();
    assert_eq!(
        (s.name.as_str(), s.epoch, s.mode.as_str()),
        ("alice", 0, "batch")
    );
    assert_eq!(s.peers[0].messages, 1);
    assert_eq!(s.peers[0].next_send_epoch, Some(0));
    assert_eq!(s.groups[0].group_id, gid);
    assert_eq!((s.groups[0].delivered, s.groups[0].waiting), (1, 0));
    assert_eq!(b.status().mode, "interactive");

    let file = w.path("x.mvds");
    let e: common::Exported = a.json(&["export", "--to", "bob", "-o", file.to_str().unwrap()]);
    assert_eq!((e.records, e.messages, e.acks, e.raw), (1, 1, 0, false));
    assert_eq!(e.file.as_deref(), file.to_str());
    assert_eq!(e.bytes as u64, std::fs::metadata(&file).unwrap().len());

    // The recipient can read the bundle without importing it...
    let i: Inspected = b.json(&["inspect", file.to_str().unwrap()]);
    assert_eq!(
        (i.format.as_str(), i.version, i.for_us),
        ("bundle", Some(1), Some(true))
    );
    assert_eq!(i.bytes as u64, std::fs::metadata(&file).unwrap().len());
    let sender = i.sender.unwrap();
    assert_eq!(sender.name.as_deref(), Some("alice"));
    assert_eq!(sender.fingerprint, peers_fingerprint(&b, "alice"));
    let p = i.payload.unwrap();
    assert!(p.acks.is_empty() && p.offers.is_empty() && p.requests.is_empty());
    let m = &p.messages[0];
    assert_eq!(
        (m.id.as_str(), m.group_id.as_str()),
        (id.as_str(), gid.as_str())
    );
    assert_eq!(
        (m.group.as_deref(), m.body.as_deref(), m.size),
        (Some("chat"), Some("hi"), 2)
    );
    assert_eq!(
        (m.timestamp, m.ephemeral, m.body_hex.clone()),
        (1_700_000_000, false, None)
    );
    assert!(m.parents.is_empty());
    assert!(b.log("chat").is_empty(), "inspect imported something");
    // ...anyone else sees only the clear-text header.
    let i: Inspected = a.json(&["inspect", file.to_str().unwrap()]);
    assert_eq!(
        (i.for_us, i.sender.is_none(), i.payload.is_none()),
        (Some(false), true, true)
    );

    let r: common::Imported = b.json(&["import", file.to_str().unwrap()]);
    assert_eq!(
        (r.imported, r.already_imported, r.not_for_us, r.rejected),
        (1, 0, 0, 0)
    );
    assert_eq!(r.delivered, 1);
    let bundle = &r.bundles[0];
    assert_eq!(
        (bundle.status.as_str(), bundle.sender.as_deref()),
        ("imported", Some("alice"))
    );
    assert_eq!(
        (bundle.messages, bundle.new_messages, bundle.duplicates),
        (1, 1, 0)
    );
    assert_eq!(bundle.source, file.to_str().unwrap());
    assert!(r.unknown_groups.is_empty());

    let log: common::Log = b.json(&["log", "chat"]);
    assert_eq!(
        (log.group.as_str(), log.group_id.as_str()),
        ("chat", gid.as_str())
    );
    assert_eq!(
        (log.messages[0].seq, log.messages[0].id.as_str()),
        (1, id.as_str())
    );
}

fn peers_fingerprint(node: &common::Node, name: &str) -> String {
    let peers: PeerList = node.json(&["peer", "list"]);
    peers
        .peers
        .into_iter()
        .find(|p| p.name == name)
        .unwrap()
        .fingerprint
}

#[test]
fn messages_for_groups_not_joined_are_reported() {
    let w = World::new();
    let (a, b) = (w.node("alice", "batch"), w.node("bob", "batch"));
    connect(&a, &b);
    let gid = a.ok(&["group", "create", "secret"]).trim().to_string();
    a.ok(&["group", "share", "secret", "bob"]);
    a.send("secret", "psst");
    let file = w.path("x.mvds");
    a.export_to(&b, &file);
    let out = b.output(&["import", file.to_str().unwrap()]);
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(&format!("mvds group join NAME {gid}")),
        "{err}"
    );
    let r: common::Imported = b.json(&["import", file.to_str().unwrap()]);
    assert_eq!(r.already_imported, 1);
    assert_eq!(r.unknown_groups, Vec::<String>::new());
    // As the hint says: join, and the sender's retransmission delivers it.
    b.ok(&["group", "join", "secret", &gid]);
    a.tick();
    carry(&w, &a, &b);
    assert_eq!(b.log("secret"), ["psst"]);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let w = World::new();
    let a = w.node("alice", "batch");
    a.ok(&["group", "create", "chat"]);
    for i in 0..200 {
        a.send("chat", &format!("message {i} {}", "x".repeat(100)));
    }
    // `mvds log chat | head -c 10`: the reader goes away early.
    let mut child = a.process(&["log", "chat"]).spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn help_lists_the_exit_codes() {
    let out = mvds().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("Exit codes"), "{help}");
}

#[test]
fn export_to_stdout_keeps_stdout_for_the_bundle() {
    let w = World::new();
    let (a, b) = (w.node("alice", "batch"), w.node("bob", "batch"));
    connect(&a, &b);
    let out = a.output(&["export", "--to", "bob", "-o", "-", "--json"]);
    assert!(out.status.success());
    assert!(
        out.stdout.starts_with(b"MVDSBNDL"),
        "stdout is not the bundle"
    );
    let e: common::Exported = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!((e.file, e.bytes), (None, out.stdout.len()));
}

#[test]
fn a_bad_timestamp_is_a_usage_error() {
    let w = World::new();
    let a = w.node("alice", "batch");
    a.ok(&["group", "create", "chat"]);
    let out = a
        .cmd()
        .env("MVDS_TIMESTAMP", "soon")
        .args(["send", "chat", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("MVDS_TIMESTAMP")
    );
}

#[test]
fn a_failed_export_changes_nothing() {
    let w = World::new();
    let (a, b) = (w.node("alice", "batch"), w.node("bob", "batch"));
    connect(&a, &b);
    group("chat", &a, &[&b], &[(&a, &b)]);
    a.send("chat", "hi");
    let before = a.dump();
    let nowhere = w.path("no/such/dir/x.mvds");
    let err = a.fails(
        &["export", "--to", "bob", "-o", nowhere.to_str().unwrap()],
        1,
    );
    assert!(err.starts_with("mvds: cannot write"), "{err}");
    assert_eq!(a.dump(), before);
    // The epoch's payload was not used up: the export can simply be redone.
    let file = w.path("x.mvds");
    a.export_to(&b, &file);
    b.import(&file);
    assert_eq!(b.log("chat"), ["hi"]);
}

#[test]
fn a_busy_store_is_reported_with_its_own_exit_code() {
    let w = World::new();
    let a = w.node("alice", "batch");
    a.ok(&["group", "create", "chat"]);
    let before = a.dump();
    let db = rusqlite::Connection::open(a.dir.join("mvds.db")).unwrap();
    db.execute_batch("BEGIN IMMEDIATE").unwrap();
    let err = a.fails(&["send", "chat", "blocked"], 4);
    assert!(err.contains("busy"), "{err}");
    assert!(err.contains("hint: "), "{err}");
    db.execute_batch("ROLLBACK").unwrap();
    assert_eq!(a.dump(), before);
    a.send("chat", "now it works");
}

#[test]
fn the_demo_runs_and_shows_its_commands() {
    let w = World::new();
    let keep = w.path("demo");
    let out = mvds()
        .args(["demo", "--keep", keep.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("$ mvds --store bob import --dir stick"),
        "{stdout}"
    );
    assert!(
        stdout.contains("$ mvds --store alice send chat 'hello from alice'"),
        "{stdout}"
    );
    // The kept nodes are real: carol got alice's messages through bob.
    let carol = mvds()
        .args([
            "--store",
            keep.join("carol").to_str().unwrap(),
            "log",
            "chat",
            "--json",
        ])
        .output()
        .unwrap();
    let log: common::Log = serde_json::from_slice(&carol.stdout).unwrap();
    let bodies: Vec<_> = log
        .messages
        .iter()
        .filter_map(|m| m.body.as_deref())
        .collect();
    assert!(bodies.contains(&"hello from alice"), "{bodies:?}");
    // And nothing is pending anywhere at the end.
    for node in ["alice", "bob", "carol"] {
        let out = mvds()
            .args([
                "--store",
                keep.join(node).to_str().unwrap(),
                "status",
                "--json",
            ])
            .output()
            .unwrap();
        let s: common::Status = serde_json::from_slice(&out.stdout).unwrap();
        for p in s.peers {
            assert_eq!(
                p.messages + p.offers + p.requests,
                0,
                "{node} -> {}",
                p.name
            );
        }
    }
}

#[test]
fn inspect_raw_payloads_and_bundles_without_a_node() {
    let w = World::new();
    let (a, b) = (w.node("alice", "batch"), w.node("bob", "batch"));
    connect(&a, &b);
    group("chat", &a, &[&b], &[(&a, &b)]);
    a.send("chat", "raw text");
    let raw = w.path("x.pb");
    a.ok(&[
        "export",
        "--to",
        "bob",
        "--raw",
        "-o",
        raw.to_str().unwrap(),
    ]);
    let i: Inspected = b.json(&["inspect", "--raw", raw.to_str().unwrap()]);
    assert_eq!(
        (i.format.as_str(), i.version, i.for_us),
        ("raw", None, None)
    );
    let p = i.payload.unwrap();
    assert_eq!(p.messages[0].body.as_deref(), Some("raw text"));
    assert_eq!(p.messages[0].group.as_deref(), Some("chat"));

    // Without any node, a bundle shows its clear-text header only.
    a.tick();
    let file = w.path("x.mvds");
    a.export_to(&b, &file);
    let out = mvds()
        .args(["--store", w.path("none").to_str().unwrap()])
        .args(["inspect", file.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let i: Inspected = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (i.version, i.for_us, i.payload.is_none()),
        (Some(1), None, true)
    );
    // A bad file is refused the same way as by import.
    let bad = w.path("bad.mvds");
    std::fs::write(&bad, b"nope").unwrap();
    b.fails(&["inspect", bad.to_str().unwrap()], 5);
}

#[test]
fn an_export_into_a_closed_pipe_fails_and_changes_nothing() {
    let w = World::new();
    let (a, b) = (w.node("alice", "batch"), w.node("bob", "batch"));
    connect(&a, &b);
    group("chat", &a, &[&b], &[(&a, &b)]);
    // Enough to overflow the pipe buffer before anyone reads it.
    let big = w.path("big");
    std::fs::write(&big, vec![7u8; 4 << 20]).unwrap();
    a.ok(&["send", "chat", "--file", big.to_str().unwrap()]);
    let before = a.dump();
    let mut child = a
        .process(&["export", "--to", "bob", "-o", "-"])
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("mvds: cannot write the bundle to stdout"),
        "{err}"
    );
    assert_eq!(a.dump(), before);
}
