//! Shared helpers for the CLI tests: every node is a directory, every command
//! a real `mvds` process, every bundle a real file.

#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde::de::DeserializeOwned;
use tempfile::TempDir;

/// A fixed clock for `send`, so runs are reproducible.
pub const TIMESTAMP: &str = "1700000000";

/// A test world: a temporary directory holding node directories and files.
pub struct World {
    pub root: TempDir,
}

impl World {
    pub fn new() -> World {
        World {
            root: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    /// `mvds init` a node named `name` in `<root>/<name>`.
    pub fn node(&self, name: &str, mode: &str) -> Node {
        let node = Node {
            name: name.to_string(),
            dir: self.path(name),
            cwd: self.root.path().to_path_buf(),
        };
        node.ok(&["init", "--name", name, "--mode", mode]);
        node
    }

    /// A directory to use as the USB stick / shared folder.
    /// Three batch-mode nodes: alice, bob and carol (no peers yet).
    pub fn trio(&self) -> (Node, Node, Node) {
        (
            self.node("alice", "batch"),
            self.node("bob", "batch"),
            self.node("carol", "batch"),
        )
    }

    pub fn folder(&self, name: &str) -> PathBuf {
        let dir = self.path(name);
        std::fs::create_dir_all(&dir).expect("create folder");
        dir
    }
}

pub struct Node {
    pub name: String,
    pub dir: PathBuf,
    cwd: PathBuf,
}

/// An `mvds` process with no environment leaking in from the developer's.
pub fn mvds() -> Command {
    let mut cmd = Command::cargo_bin("mvds").expect("the mvds binary");
    cmd.env_remove("MVDS_HOME").env("MVDS_TIMESTAMP", TIMESTAMP);
    cmd
}

impl Node {
    pub fn cmd(&self) -> Command {
        let mut cmd = mvds();
        cmd.current_dir(&self.cwd).arg("--store").arg(&self.dir);
        cmd
    }

    /// A plain `std::process::Command` running `mvds --store DIR ARGS`,
    /// with stdin closed and stdout/stderr piped: for tests that spawn,
    /// connect pipes or kill the process.
    pub fn process(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mvds"));
        cmd.env_remove("MVDS_HOME")
            .env("MVDS_TIMESTAMP", TIMESTAMP)
            .current_dir(&self.cwd)
            .arg("--store")
            .arg(&self.dir)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        cmd
    }

    pub fn output(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run mvds")
    }

    /// Runs a command that must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.output(args);
        assert!(
            out.status.success(),
            "{}: mvds {args:?} failed with {}\nstdout: {}\nstderr: {}",
            self.name,
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// Runs a command that must fail with `code`; returns its stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.output(args);
        let stderr = String::from_utf8(out.stderr).expect("utf-8 stderr");
        assert_eq!(
            out.status.code(),
            Some(code),
            "{}: mvds {args:?}: expected exit {code}\nstdout: {}\nstderr: {stderr}",
            self.name,
            String::from_utf8_lossy(&out.stdout),
        );
        assert!(!stderr.contains("panicked"), "panic: {stderr}");
        // What src/main.rs's panic hook prints instead of a panic message.
        assert!(!stderr.contains("internal error"), "panic: {stderr}");
        assert!(!stderr.contains("RUST_BACKTRACE"), "backtrace: {stderr}");
        stderr
    }

    /// Runs a command with `--json` and deserializes what it printed.
    pub fn json<T: DeserializeOwned>(&self, args: &[&str]) -> T {
        let mut args = args.to_vec();
        args.push("--json");
        let out = self.ok(&args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("bad JSON ({e}): {out}"))
    }

    pub fn contact(&self) -> String {
        self.ok(&["id"]).trim().to_string()
    }

    /// The node's key fingerprint, as `peer list` and `inspect` show it.
    pub fn fingerprint(&self) -> String {
        let contact: mvds::bundle::Contact = self.contact().parse().unwrap();
        contact.fingerprint()
    }

    /// Sends `text` to `group`; returns the message id.
    pub fn send(&self, group: &str, text: &str) -> String {
        self.ok(&["send", group, text]).trim().to_string()
    }

    /// Exports the payload for `peer` into `file`.
    pub fn export_to(&self, peer: &Node, file: &Path) {
        self.ok(&["export", "--to", &peer.name, "-o", file.to_str().unwrap()]);
    }

    pub fn import(&self, file: &Path) -> String {
        self.ok(&["import", file.to_str().unwrap()])
    }

    pub fn tick(&self) {
        self.ok(&["tick"]);
    }

    /// Message bodies of a group, in the order `mvds log` gives them.
    pub fn log(&self, group: &str) -> Vec<String> {
        let log: Log = self.json(&["log", group]);
        log.messages
            .into_iter()
            .map(|m| m.body.expect("text body"))
            .collect()
    }

    pub fn status(&self) -> Status {
        self.json(&["status"])
    }

    /// Records still pending towards `peer` (messages, offers, requests).
    pub fn pending(&self, peer: &str) -> u64 {
        let s = self.status();
        let p = s
            .peers
            .iter()
            .find(|p| p.name == peer)
            .expect("peer in status");
        p.messages + p.offers + p.requests
    }

    /// Runs `args`, expects exit `code` and a one-line error containing
    /// `what` (plus at most one `hint:` line), and checks that the store is
    /// exactly as before. Returns stderr.
    pub fn refused(&self, args: &[&str], code: i32, what: &str) -> String {
        let before = self.dump();
        let err = self.fails(args, code);
        let lines: Vec<&str> = err.lines().collect();
        assert!(
            lines.first().is_some_and(|l| l.starts_with("mvds: ")),
            "{args:?}: {err}"
        );
        assert!(lines[0].contains(what), "expected '{what}' in: {err}");
        assert!(lines.len() <= 2, "more than an error and a hint: {err}");
        if let Some(hint) = lines.get(1) {
            assert!(hint.starts_with("hint: "), "{err}");
        }
        assert_eq!(self.dump(), before, "{args:?}: the store changed");
        err
    }

    /// The node's secret keys, loaded through the library as `mvds` does.
    pub fn identity(&self) -> mvds::bundle::Identity {
        mvds::bundle::Identity::load(&self.dir.join("identity.key")).expect("load the key file")
    }

    /// The node's raw secret keys, read from its key file (format in
    /// docs/bundle-format.md), for tests that must sign or decrypt by hand.
    pub fn secret_keys(&self) -> (ed25519_dalek::SigningKey, age::x25519::Identity) {
        let text = std::fs::read_to_string(self.dir.join("identity.key")).expect("key file");
        let seed = text
            .lines()
            .find_map(|l| l.strip_prefix("ed25519-seed "))
            .expect("ed25519-seed line");
        let seed: [u8; 32] = hex::decode(seed.trim()).unwrap().try_into().unwrap();
        let age = text
            .lines()
            .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
            .expect("age line")
            .parse()
            .expect("age identity");
        (ed25519_dalek::SigningKey::from_bytes(&seed), age)
    }

    /// Everything the node holds: every row of every table of its database,
    /// plus its key file. Two dumps are equal when the store is unchanged.
    pub fn dump(&self) -> Vec<String> {
        let db = rusqlite::Connection::open_with_flags(
            self.dir.join("mvds.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open the store read-only");
        let tables: Vec<String> = db
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!tables.is_empty(), "the store has no tables");
        let mut dump = Vec::new();
        for table in tables {
            let mut stmt = db.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
            let columns = stmt.column_count();
            let mut rows: Vec<String> = stmt
                .query_map([], |r| {
                    let mut row = format!("{table}:");
                    for i in 0..columns {
                        let v: rusqlite::types::Value = r.get(i)?;
                        row.push_str(&format!(" {v:?}"));
                    }
                    Ok(row)
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            rows.sort();
            dump.extend(rows);
        }
        // A test may have removed or damaged the key file on purpose.
        match std::fs::read(self.dir.join("identity.key")) {
            Ok(key) => dump.push(format!("identity.key: {}", hex::encode(key))),
            Err(e) => dump.push(format!("identity.key: {:?}", e.kind())),
        }
        dump
    }
}

/// Each node adds the other as a peer under its node name.
pub fn connect(a: &Node, b: &Node) {
    a.ok(&["peer", "add", &b.name, &b.contact()]);
    b.ok(&["peer", "add", &a.name, &a.contact()]);
}

/// `owner` creates `group`, the others join it; every node shares it with
/// the peers listed for it in `links` (pairs of node names).
pub fn group(group: &str, owner: &Node, others: &[&Node], links: &[(&Node, &Node)]) -> String {
    let id = owner.ok(&["group", "create", group]).trim().to_string();
    for n in others {
        n.ok(&["group", "join", group, &id]);
    }
    for (a, b) in links {
        a.ok(&["group", "share", group, &b.name]);
        b.ok(&["group", "share", group, &a.name]);
    }
    id
}

/// Export from `from` to `to` through a file, then import it; returns the file.
pub fn carry(world: &World, from: &Node, to: &Node) -> PathBuf {
    let file = world.path(&format!(
        "{}-to-{}-{}.mvds",
        from.name,
        to.name,
        rand_suffix()
    ));
    from.export_to(to, &file);
    to.import(&file);
    file
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed).to_string()
}

// The documented JSON schemas (docs/cli.md), as a script would read them.

#[derive(serde::Deserialize, Debug)]
pub struct Status {
    pub name: String,
    pub epoch: u64,
    pub mode: String,
    pub peers: Vec<PeerStatus>,
    pub groups: Vec<GroupStatus>,
}

#[derive(serde::Deserialize, Debug)]
pub struct PeerStatus {
    pub name: String,
    pub offers: u64,
    pub requests: u64,
    pub messages: u64,
    pub acks_queued: u64,
    pub next_send_epoch: Option<u64>,
}

#[derive(serde::Deserialize, Debug)]
pub struct GroupStatus {
    pub name: String,
    pub group_id: String,
    pub peers: Vec<String>,
    pub delivered: u64,
    pub waiting: u64,
}

#[derive(serde::Deserialize, Debug)]
pub struct Log {
    pub group: String,
    pub group_id: String,
    pub messages: Vec<LogEntry>,
}

#[derive(serde::Deserialize, Debug)]
pub struct LogEntry {
    pub seq: u64,
    pub id: String,
    pub timestamp: i64,
    pub body: Option<String>,
    pub body_hex: Option<String>,
    pub parents: Vec<String>,
    pub ephemeral: bool,
}

#[derive(serde::Deserialize, Debug)]
pub struct Imported {
    pub imported: usize,
    pub already_imported: usize,
    pub not_for_us: usize,
    pub rejected: usize,
    pub delivered: usize,
    pub unknown_groups: Vec<String>,
    pub bundles: Vec<ImportedBundle>,
}

#[derive(serde::Deserialize, Debug)]
pub struct ImportedBundle {
    pub source: String,
    pub status: String,
    pub sender: Option<String>,
    pub error: Option<String>,
    pub acks: usize,
    pub offers: usize,
    pub requests: usize,
    pub messages: usize,
    pub new_messages: usize,
    pub duplicates: usize,
    pub not_member: usize,
}

#[derive(serde::Deserialize, Debug)]
pub struct Exported {
    pub peer: String,
    pub epoch: u64,
    pub raw: bool,
    pub file: Option<String>,
    pub bytes: usize,
    pub records: usize,
    pub acks: usize,
    pub offers: usize,
    pub requests: usize,
    pub messages: usize,
}
