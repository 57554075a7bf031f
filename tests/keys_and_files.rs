//! Keys and files (issue 5): secrets are owner-only from creation, a key
//! file others can read is refused with a hint (as ssh does), and a missing
//! or damaged key file or store is a clear one-line error with exit code 3,
//! never a panic, and never made worse by the attempt.

mod common;

use std::path::Path;

use common::{Node, World, connect, group};

const STORE: i32 = 3;

/// alice and bob share a group; alice has a bundle for bob on disk.
fn pair() -> (World, Node, Node, std::path::PathBuf) {
    let w = World::new();
    let (a, b) = (w.node("alice", "batch"), w.node("bob", "batch"));
    connect(&a, &b);
    group("chat", &a, &[&b], &[(&a, &b)]);
    a.send("chat", "hello");
    let file = w.path("a.mvds");
    a.export_to(&b, &file);
    (w, a, b, file)
}

/// Every command that needs the node's secret keys.
fn key_commands(file: &Path, stick: &Path) -> Vec<Vec<String>> {
    [
        vec!["id"],
        vec!["import", file.to_str().unwrap()],
        vec!["export", "--to", "alice", "--dir", stick.to_str().unwrap()],
    ]
    .into_iter()
    .map(|c| c.into_iter().map(String::from).collect())
    .collect()
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[cfg(unix)]
#[test]
fn secrets_are_owner_only_from_creation() {
    let (_w, _a, b, file) = pair();
    b.import(&file);
    assert_eq!(mode(&b.dir.join("identity.key")), 0o600);
    // The database holds every message in clear: as private as the key.
    // SQLite removes -wal and -shm when the last connection closes: check
    // them while one is open.
    let db = rusqlite::Connection::open(b.dir.join("mvds.db")).unwrap();
    db.query_row("SELECT COUNT(*) FROM messages", [], |r| r.get::<_, i64>(0))
        .unwrap();
    for name in ["mvds.db", "mvds.db-wal", "mvds.db-shm"] {
        let m = mode(&b.dir.join(name));
        assert_eq!(m & 0o077, 0, "{name} is readable by others: {m:o}");
    }
}

#[cfg(unix)]
#[test]
fn a_key_file_others_can_read_is_refused_with_a_hint() {
    let (w, _a, b, file) = pair();
    let stick = w.folder("stick");
    let key = b.dir.join("identity.key");
    for bad in [0o644, 0o640, 0o604, 0o660, 0o602] {
        chmod(&key, bad);
        for args in key_commands(&file, &stick) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let err = b.refused(&args, STORE, &format!("permissions {bad:04o} for"));
            assert!(err.contains("are too open"), "{err}");
            assert!(err.contains("hint: ") && err.contains("chmod 600"), "{err}");
        }
    }
    assert_eq!(std::fs::read_dir(&stick).unwrap().count(), 0);
    // Following the hint is all it takes.
    chmod(&key, 0o600);
    b.import(&file);
    assert_eq!(b.log("chat"), ["hello"]);
}

#[test]
fn a_missing_or_corrupt_key_file_is_a_clear_error() {
    let (w, _a, b, file) = pair();
    let stick = w.folder("stick");
    let key = b.dir.join("identity.key");
    let good = std::fs::read_to_string(&key).unwrap();
    let cases: Vec<(&str, Option<String>, &str)> = vec![
        ("missing", None, "key file"),
        ("empty", Some(String::new()), "is corrupt"),
        ("garbage", Some("\u{1}\u{2}garbage".into()), "is corrupt"),
        (
            "half",
            Some(good[..good.len() / 2].to_string()),
            "is corrupt",
        ),
        (
            "bad seed",
            Some(good.replace("ed25519-seed ", "ed25519-seed zz")),
            "is corrupt",
        ),
        ("too large", Some("# x\n".repeat(2000)), "is corrupt"),
    ];
    for (name, content, what) in cases {
        std::fs::remove_file(&key).ok();
        if let Some(content) = &content {
            write_private(&key, content.as_bytes());
        }
        for args in key_commands(&file, &stick) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let err = b.refused(&args, STORE, what);
            assert!(err.contains("hint: "), "{name}: {err}");
        }
    }
    // A directory in place of the key file.
    std::fs::remove_file(&key).ok();
    std::fs::create_dir(&key).unwrap();
    b.refused(&["id"], STORE, "key file");
    std::fs::remove_dir(&key).unwrap();
    write_private(&key, good.as_bytes());
    b.import(&file);
}

fn write_private(path: &Path, bytes: &[u8]) {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    std::io::Write::write_all(&mut options.open(path).unwrap(), bytes).unwrap();
}

/// Runs every kind of command on a store in `dir` and expects a clear store
/// error (exit 3) containing `what`; the database file is not modified.
fn store_refused(node: &Node, file: &Path, what: &str) {
    let db = node.dir.join("mvds.db");
    let before = std::fs::read(&db).ok();
    for args in [
        vec!["status"],
        vec!["send", "chat", "x"],
        vec!["import", file.to_str().unwrap()],
        vec!["export", "--to", "alice", "-o", "-"],
        vec!["log", "chat"],
        vec!["tick"],
    ] {
        let err = node.fails(&args, STORE);
        let lines: Vec<&str> = err.lines().collect();
        assert!(lines[0].starts_with("mvds: "), "{args:?}: {err}");
        assert!(
            lines[0].contains(what),
            "{args:?}: expected '{what}' in: {err}"
        );
        assert!(lines.len() <= 2, "{args:?}: {err}");
        assert!(
            lines.get(1).is_none_or(|h| h.starts_with("hint: ")),
            "{err}"
        );
        // Compared as a flag: a failure would print megabytes of bytes.
        let same = std::fs::read(&db).ok() == before;
        assert!(same, "{args:?} changed the damaged store");
    }
}

#[test]
fn a_missing_or_damaged_store_is_a_clear_error() {
    let (_w, _a, b, file) = pair();
    let db = b.dir.join("mvds.db");
    // Fold the WAL into the database file so that file alone is the store.
    b.ok(&["status"]);
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    let good = std::fs::read(&db).unwrap();
    let reset = |bytes: &[u8]| {
        for f in ["mvds.db-wal", "mvds.db-shm"] {
            let _ = std::fs::remove_file(b.dir.join(f));
        }
        let _ = std::fs::remove_file(&db);
        write_private(&db, bytes);
    };

    reset(b"this is not a database, it is a text file people keep around");
    store_refused(&b, &file, "store is corrupt");
    // Cut in half, as a failing disk or a bad copy would leave it.
    reset(&good[..good.len() / 2]);
    store_refused(&b, &file, "store is corrupt");
    // Its header zeroed.
    let mut zeroed = good.clone();
    zeroed[..100].fill(0);
    reset(&zeroed);
    store_refused(&b, &file, "store is corrupt");
    // Empty, as a bad copy leaves it; and another program's database.
    reset(b"");
    store_refused(&b, &file, "holds no mvds schema");
    reset(b"");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine')")
        .unwrap();
    store_refused(&b, &file, "holds no mvds schema");

    // Newer than this mvds.
    reset(&good);
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("PRAGMA user_version = 999")
        .unwrap();
    store_refused(&b, &file, "schema version 999");

    // A directory where the database should be; then no database at all.
    for f in ["mvds.db", "mvds.db-wal", "mvds.db-shm"] {
        let _ = std::fs::remove_file(b.dir.join(f));
    }
    std::fs::create_dir(&db).unwrap();
    store_refused(&b, &file, "no mvds node");
    std::fs::remove_dir(&db).unwrap();
    store_refused(&b, &file, "no mvds node");

    // The store path is a file.
    let not_a_dir = b.dir.with_extension("file");
    std::fs::write(&not_a_dir, b"x").unwrap();
    let err = common::mvds()
        .args(["--store", not_a_dir.to_str().unwrap(), "status"])
        .output()
        .unwrap();
    assert_eq!(err.status.code(), Some(STORE));
    let stderr = String::from_utf8(err.stderr).unwrap();
    assert!(stderr.starts_with("mvds: no mvds node"), "{stderr}");
    assert!(!stderr.contains("internal error"), "{stderr}");

    // Restored from the backup, it works again.
    write_private(&db, &good);
    b.import(&file);
    assert_eq!(b.log("chat"), ["hello"]);
}

/// An `init` that fails after SQLite created the database file (here: the
/// WAL file cannot be created) leaves neither key nor database behind, so the
/// directory does not read as a damaged node and `init` can simply be rerun.
#[test]
fn a_failed_init_leaves_nothing_half_made() {
    let w = World::new();
    let dir = w.path("node");
    std::fs::create_dir_all(dir.join("mvds.db-wal")).unwrap();
    let out = common::mvds()
        .args(["--store", dir.to_str().unwrap(), "init"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("mvds: "), "{err}");
    assert!(!dir.join("mvds.db").exists(), "half-made database left");
    assert!(
        !dir.join("identity.key").exists(),
        "key without a store left"
    );
    std::fs::remove_dir(dir.join("mvds.db-wal")).unwrap();
    common::mvds()
        .args(["--store", dir.to_str().unwrap(), "init"])
        .assert()
        .success();
}
