//! Every kind of bad input to `mvds import`: a clear one-line error with a
//! hint, the documented exit code, and the store exactly as before.

mod common;

use std::path::{Path, PathBuf};

use common::{Node, World, connect, group};

const REJECTED: i32 = 5;
const NOT_FOR_US: i32 = 6;

/// alice and bob share a group; alice has a valid bundle for bob on disk.
struct Setup {
    w: World,
    a: Node,
    b: Node,
    bundle: PathBuf,
}

fn setup() -> Setup {
    let w = World::new();
    let (a, b) = (w.node("alice", "batch"), w.node("bob", "batch"));
    connect(&a, &b);
    group("chat", &a, &[&b], &[(&a, &b)]);
    a.send("chat", "hello");
    let bundle = w.path("good.mvds");
    a.export_to(&b, &bundle);
    Setup { w, a, b, bundle }
}

/// Imports `file` into `node`, expects `code` and a message containing
/// `what`, and checks that the store did not change.
fn refused(node: &Node, file: &Path, code: i32, what: &str) -> String {
    let before = node.dump();
    let err = node.fails(&["import", file.to_str().unwrap()], code);
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines[0].starts_with("mvds: "), "{err}");
    assert!(lines[0].contains(what), "expected '{what}' in: {err}");
    assert!(lines.len() <= 2, "more than an error and a hint: {err}");
    if let Some(hint) = lines.get(1) {
        assert!(hint.starts_with("hint: "), "{err}");
    }
    assert_eq!(node.dump(), before, "the store changed");
    err
}

fn write(s: &Setup, name: &str, bytes: &[u8]) -> PathBuf {
    let path = s.w.path(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn the_good_bundle_is_accepted() {
    // The control for every test below: the same setup imports fine.
    let s = setup();
    let before = s.b.dump();
    s.b.import(&s.bundle);
    assert_ne!(s.b.dump(), before);
    assert_eq!(s.b.log("chat"), ["hello"]);
}

#[test]
fn unknown_sender() {
    let s = setup();
    let stranger = s.w.node("stranger", "batch");
    stranger.ok(&["peer", "add", "bob", &s.b.contact()]);
    let file = s.w.path("stranger.mvds");
    stranger.export_to(&s.b, &file);
    let err = refused(&s.b, &file, REJECTED, "unknown sender");
    assert!(err.contains("hint: add the sender"), "{err}");
}

#[test]
fn tampered() {
    let s = setup();
    let mut bytes = std::fs::read(&s.bundle).unwrap();
    let at = bytes.len() - 40;
    bytes[at] ^= 0x01;
    let file = write(&s, "tampered.mvds", &bytes);
    refused(&s.b, &file, REJECTED, "damaged");
}

#[test]
fn truncated() {
    let s = setup();
    let bytes = std::fs::read(&s.bundle).unwrap();
    for cut in [bytes.len() - 1, bytes.len() / 2, 200, 20, 9] {
        let file = write(&s, &format!("cut{cut}.mvds"), &bytes[..cut]);
        let before = s.b.dump();
        let err = s.b.fails(&["import", file.to_str().unwrap()], REJECTED);
        assert!(err.starts_with("mvds: "), "{err}");
        assert_eq!(s.b.dump(), before, "cut at {cut}");
    }
    // age detects the missing end of its STREAM.
    let file = write(&s, "short.mvds", &bytes[..bytes.len() - 1]);
    refused(&s.b, &file, REJECTED, "cut short");
}

#[test]
fn not_for_us() {
    let s = setup();
    let carol = s.w.node("carol", "batch");
    connect(&s.a, &carol);
    s.a.ok(&["group", "share", "chat", "carol"]);
    let file = s.w.path("for-carol.mvds");
    s.a.export_to(&carol, &file);
    let err = refused(&s.b, &file, NOT_FOR_US, "not addressed to this node");
    assert!(err.contains("hint: "), "{err}");
}

#[test]
fn unknown_version() {
    let s = setup();
    let mut bytes = std::fs::read(&s.bundle).unwrap();
    bytes[8..10].copy_from_slice(&99u16.to_be_bytes());
    let file = write(&s, "v99.mvds", &bytes);
    let err = refused(&s.b, &file, REJECTED, "version 99");
    assert!(err.contains("upgrade"), "{err}");
}

#[test]
fn garbage() {
    let s = setup();
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let file = write(&s, "garbage.mvds", &bytes);
    refused(&s.b, &file, REJECTED, "not an mvds bundle");
    // Garbage after a valid header is refused by age.
    let mut bytes = std::fs::read(&s.bundle).unwrap()[..10].to_vec();
    bytes.extend_from_slice(b"this is not an age file at all\n");
    let file = write(&s, "header-then-garbage.mvds", &bytes);
    refused(&s.b, &file, REJECTED, "bundle");
}

#[test]
fn empty() {
    let s = setup();
    let file = write(&s, "empty.mvds", b"");
    refused(&s.b, &file, REJECTED, "empty");
}

#[test]
fn a_directory() {
    let s = setup();
    let dir = s.w.folder("some-dir");
    let err = refused(&s.b, &dir, REJECTED, "directory");
    assert!(err.contains("--dir"), "{err}");
}

#[test]
fn a_missing_file() {
    let s = setup();
    refused(&s.b, &s.w.path("nowhere.mvds"), REJECTED, "cannot read");
}

#[test]
fn one_bad_file_spoils_the_whole_command() {
    // Explicit files are all-or-nothing: the good one is not applied either.
    let s = setup();
    let file = write(&s, "empty.mvds", b"");
    let before = s.b.dump();
    s.b.fails(
        &["import", s.bundle.to_str().unwrap(), file.to_str().unwrap()],
        REJECTED,
    );
    assert_eq!(s.b.dump(), before);
}

#[test]
fn bad_raw_payloads() {
    let s = setup();
    let file = write(&s, "bad.pb", &[0xca, 0xb8, 0x02, 0x03, 1, 2, 3]);
    let before = s.b.dump();
    let err = s.b.fails(
        &["import", "--raw", "--from", "alice", file.to_str().unwrap()],
        REJECTED,
    );
    assert!(err.contains("not a valid MVDS payload"), "{err}");
    assert_eq!(s.b.dump(), before);
    // A raw payload from a peer that does not exist.
    let err = s.b.fails(
        &[
            "import",
            "--raw",
            "--from",
            "nobody",
            file.to_str().unwrap(),
        ],
        2,
    );
    assert!(err.contains("no peer named 'nobody'"), "{err}");
}

#[test]
fn a_folder_skips_damaged_files_and_says_so() {
    let s = setup();
    let stick = s.w.folder("stick");
    std::fs::copy(&s.bundle, stick.join("good.mvds")).unwrap();
    std::fs::write(stick.join("bad.mvds"), b"garbage").unwrap();
    std::fs::write(stick.join("notes.txt"), b"not a bundle, not looked at").unwrap();
    let out =
        s.b.output(&["import", "--dir", stick.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(REJECTED));
    let r: common::Imported = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((r.imported, r.rejected), (1, 1));
    let bad = r.bundles.iter().find(|b| b.status == "rejected").unwrap();
    assert!(bad.source.ends_with("bad.mvds"));
    assert!(bad.error.as_deref().unwrap().contains("not an mvds bundle"));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("bad.mvds"), "{stderr}");
    assert_eq!(s.b.log("chat"), ["hello"]);
}

#[test]
fn a_replay_is_a_no_op() {
    let s = setup();
    s.b.import(&s.bundle);
    let before = s.b.dump();
    let out = s.b.import(&s.bundle);
    assert!(out.contains("already imported"), "{out}");
    assert_eq!(s.b.dump(), before);
}

#[test]
fn too_large() {
    let s = setup();
    // Sparse: a gigabyte that costs no disk, refused before it is read.
    let file = s.w.path("huge.mvds");
    std::fs::File::create(&file)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    refused(&s.b, &file, REJECTED, "larger than");
    let err = s.b.fails(
        &["import", "--raw", "--from", "alice", file.to_str().unwrap()],
        REJECTED,
    );
    assert!(err.contains("larger than"), "{err}");
}
