//! The node store (DESIGN.md section 4): one SQLite database per node
//! directory holding identity settings, peers, groups, messages, per-peer
//! state, the epoch and import history.
//!
//! It owns the schema, migrations and transactions, and implements the
//! engine's [`State`](crate::engine::State) as [`SqlState`]. Every command runs
//! in one [`Tx`]: it happens whole or not at all. It knows nothing of bundles,
//! key files or the command line.

mod schema;
mod state;

pub use state::SqlState;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

use crate::engine::{Backoff, Epoch, Mode, Node, PeerId, Settings};
use crate::wire::{GroupId, MessageId};

/// File name of the database inside a node directory.
pub const DB_FILE: &str = "mvds.db";

/// How long a command waits for another process's transaction.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("no mvds node in {dir}")]
    NotInitialized { dir: PathBuf },
    #[error("{dir} holds an mvds node already")]
    AlreadyInitialized { dir: PathBuf },
    #[error("the store has schema version {found}; this mvds knows up to {supported}")]
    TooNew { found: u32, supported: u32 },
    #[error("the store is busy: another mvds command is using it")]
    Busy,
    #[error("the store is corrupt: {0}")]
    Corrupt(String),
    #[error("a peer named '{0}' exists already")]
    DuplicatePeer(String),
    #[error("this key belongs to peer '{0}' already")]
    DuplicateKey(String),
    #[error("a group named '{0}' exists already")]
    DuplicateGroup(String),
    #[error("this group id is joined already as '{0}'")]
    DuplicateGroupId(String),
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                StoreError::Corrupt(e.to_string())
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

type Result<T> = std::result::Result<T, StoreError>;

/// Node-wide settings kept in the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The node's own name (for people; peers name it as they like).
    pub name: String,
    /// Engine settings; `settings.mode` is the node's default mode.
    pub settings: Settings,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerRow {
    pub id: PeerId,
    pub name: String,
    pub signing_key: [u8; 32],
    pub recipient: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRow {
    pub name: String,
    pub group_id: GroupId,
    /// Local names of the peers the group is shared with.
    pub peers: Vec<String>,
}

/// A delivered message, as `mvds log` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    /// Position in this node's delivery order (causal).
    pub seq: u64,
    pub id: MessageId,
    pub timestamp: i64,
    pub body: Vec<u8>,
    pub parents: Vec<MessageId>,
    pub ephemeral: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerStatus {
    pub name: String,
    pub offers: u64,
    pub requests: u64,
    pub messages: u64,
    pub acks_queued: u64,
    pub next_send_epoch: Option<Epoch>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupStatus {
    pub name: String,
    pub group_id: GroupId,
    pub peers: Vec<String>,
    pub delivered: u64,
    pub waiting: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusReport {
    pub name: String,
    pub epoch: Epoch,
    pub peers: Vec<PeerStatus>,
    pub groups: Vec<GroupStatus>,
}

/// An open node store.
pub struct Store {
    conn: Connection,
    dir: PathBuf,
}

impl Store {
    /// Creates a new store in `dir` (created if missing). Refuses to touch an
    /// existing one.
    pub fn create(dir: &Path, config: &Config) -> Result<Store> {
        let db = dir.join(DB_FILE);
        if db.exists() {
            return Err(StoreError::AlreadyInitialized {
                dir: dir.to_path_buf(),
            });
        }
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Corrupt(format!("cannot create {}: {e}", dir.display())))?;
        create_private(&db)
            .map_err(|e| StoreError::Corrupt(format!("cannot create {}: {e}", db.display())))?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&db, flags)?;
        let mut store = Store::setup(conn, dir, true)?;
        let tx = store.begin()?;
        tx.set_config(config)?;
        tx.set_epoch(0)?;
        tx.commit()?;
        Ok(store)
    }

    /// Opens the store in `dir`, upgrading its schema if it is older.
    pub fn open(dir: &Path) -> Result<Store> {
        let db = dir.join(DB_FILE);
        if !db.is_file() {
            return Err(StoreError::NotInitialized {
                dir: dir.to_path_buf(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&db, flags)?;
        Store::setup(conn, dir, false)
    }

    fn setup(mut conn: Connection, dir: &Path, create: bool) -> Result<Store> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Only `create` starts from schema version 0. Opening a database
        // without an mvds schema (a file emptied by a bad copy, another
        // program's database) must fail before anything writes to it, rather
        // than quietly turn it into a new, empty node.
        if !create && schema::version(&conn)? == 0 {
            return Err(StoreError::Corrupt(
                "the database holds no mvds schema".into(),
            ));
        }
        conn.set_prepared_statement_cache_capacity(64);
        // WAL is set outside migrations (it cannot change inside a
        // transaction); FULL sync makes a committed command survive power loss.
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Corrupt(format!(
                "cannot use WAL journal mode (got {mode})"
            )));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        // A large import touches many pages (ids are random, so inserts land
        // all over the indexes); a 64 MiB cache keeps them from spilling.
        conn.pragma_update(None, "cache_size", -65536)?;
        schema::upgrade(&mut conn)?;
        Ok(Store {
            conn,
            dir: dir.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Starts the command's transaction. It takes the write lock at once
    /// (`BEGIN IMMEDIATE`), waiting up to 5 s for another process.
    pub fn begin(&mut self) -> Result<Tx<'_>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Ok(Tx { tx })
    }

    /// `PRAGMA integrity_check`: `Ok` when SQLite finds nothing wrong.
    pub fn integrity_check(&self) -> Result<()> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        if rows == ["ok"] {
            Ok(())
        } else {
            Err(StoreError::Corrupt(rows.join("; ")))
        }
    }
}

/// Creates the empty database file readable and writable by its owner only:
/// it holds every message in clear, so it is as private as the key file.
/// SQLite gives the `-wal` and `-shm` files it creates later the same mode.
fn create_private(db: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(db).map(drop)
}

/// One command's transaction. Dropping it without [`Tx::commit`] rolls back.
pub struct Tx<'a> {
    tx: rusqlite::Transaction<'a>,
}

fn get_config(tx: &rusqlite::Transaction<'_>, key: &str) -> Result<Option<String>> {
    Ok(tx
        .query_row("SELECT value FROM config WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

fn parse_config<T: std::str::FromStr>(value: Option<String>, key: &str) -> Result<T> {
    value
        .ok_or_else(|| StoreError::Corrupt(format!("config '{key}' is missing")))?
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("config '{key}' is malformed")))
}

impl Tx<'_> {
    pub fn commit(self) -> Result<()> {
        Ok(self.tx.commit()?)
    }

    fn set(&self, key: &str, value: &str) -> Result<()> {
        self.tx.execute(
            "INSERT OR REPLACE INTO config (key, value) VALUES (?1, ?2)",
            [key, value],
        )?;
        Ok(())
    }

    fn get<T: std::str::FromStr>(&self, key: &str) -> Result<T> {
        parse_config(get_config(&self.tx, key)?, key)
    }

    pub fn epoch(&self) -> Result<Epoch> {
        self.get("epoch")
    }

    pub fn set_epoch(&self, epoch: Epoch) -> Result<()> {
        self.set("epoch", &epoch.to_string())
    }

    pub fn config(&self) -> Result<Config> {
        let mode = match self.get::<String>("mode")?.as_str() {
            "batch" => Mode::Batch,
            "interactive" => Mode::Interactive,
            other => return Err(StoreError::Corrupt(format!("unknown mode '{other}'"))),
        };
        Ok(Config {
            name: self.get("name")?,
            settings: Settings {
                mode,
                backoff: Backoff {
                    base: self.get("backoff_base")?,
                    max: self.get("backoff_max")?,
                },
                ack_repeats: self.get("ack_repeats")?,
                hasten_on_contact: self.get("hasten_on_contact")?,
                ..Settings::default()
            },
        })
    }

    pub fn set_config(&self, config: &Config) -> Result<()> {
        let s = &config.settings;
        self.set("name", &config.name)?;
        self.set(
            "mode",
            match s.mode {
                Mode::Batch => "batch",
                Mode::Interactive => "interactive",
            },
        )?;
        self.set("backoff_base", &s.backoff.base.to_string())?;
        self.set("backoff_max", &s.backoff.max.to_string())?;
        self.set("ack_repeats", &s.ack_repeats.to_string())?;
        self.set("hasten_on_contact", &s.hasten_on_contact.to_string())
    }

    pub fn add_peer(&self, name: &str, signing_key: &[u8; 32], recipient: &str) -> Result<PeerId> {
        if self.peer_by_name(name)?.is_some() {
            return Err(StoreError::DuplicatePeer(name.to_string()));
        }
        if let Some(p) = self.peer_by_key(signing_key)? {
            return Err(StoreError::DuplicateKey(p.name));
        }
        self.tx.execute(
            "INSERT INTO peers (name, signing_key, recipient) VALUES (?1, ?2, ?3)",
            params![name, &signing_key[..], recipient],
        )?;
        Ok(PeerId(self.tx.last_insert_rowid() as u64))
    }

    fn peers_where(&self, filter: &str, arg: &dyn rusqlite::ToSql) -> Result<Vec<PeerRow>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "SELECT id, name, signing_key, recipient FROM peers WHERE {filter} ORDER BY name"
        ))?;
        let rows = stmt
            .query_map([arg], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(id, name, key, recipient)| {
                Ok(PeerRow {
                    id: PeerId(id as u64),
                    name,
                    signing_key: key
                        .as_slice()
                        .try_into()
                        .map_err(|_| StoreError::Corrupt("a peer key is malformed".into()))?,
                    recipient,
                })
            })
            .collect()
    }

    pub fn peers(&self) -> Result<Vec<PeerRow>> {
        self.peers_where("?1", &1)
    }

    pub fn peer_by_name(&self, name: &str) -> Result<Option<PeerRow>> {
        Ok(self.peers_where("name = ?1", &name)?.pop())
    }

    pub fn peer_by_key(&self, signing_key: &[u8; 32]) -> Result<Option<PeerRow>> {
        Ok(self
            .peers_where("signing_key = ?1", &&signing_key[..])?
            .pop())
    }

    /// Creates or joins a group under a local name.
    pub fn add_group(&self, name: &str, group_id: &GroupId) -> Result<()> {
        if self.group_by_name(name)?.is_some() {
            return Err(StoreError::DuplicateGroup(name.to_string()));
        }
        let existing: Option<String> = self
            .tx
            .query_row(
                "SELECT name FROM groups WHERE gid = ?1",
                [&group_id.0],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(existing) = existing {
            return Err(StoreError::DuplicateGroupId(existing));
        }
        self.tx.execute(
            "INSERT INTO groups (gid, name) VALUES (?1, ?2)",
            params![&group_id.0, name],
        )?;
        Ok(())
    }

    fn groups_where(&self, filter: &str, arg: &dyn rusqlite::ToSql) -> Result<Vec<GroupRow>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "SELECT g.gid, g.name, p.name FROM groups g
             LEFT JOIN shares s ON s.gid = g.gid LEFT JOIN peers p ON p.id = s.peer
             WHERE {filter} ORDER BY g.name, p.name"
        ))?;
        let rows = stmt
            .query_map([arg], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut groups: Vec<GroupRow> = Vec::new();
        for (gid, name, peer) in rows {
            if groups.last().is_none_or(|g| g.name != name) {
                groups.push(GroupRow {
                    name,
                    group_id: GroupId(gid),
                    peers: Vec::new(),
                });
            }
            if let Some(peer) = peer {
                groups.last_mut().expect("pushed above").peers.push(peer);
            }
        }
        Ok(groups)
    }

    pub fn groups(&self) -> Result<Vec<GroupRow>> {
        self.groups_where("?1", &1)
    }

    pub fn group_by_name(&self, name: &str) -> Result<Option<GroupRow>> {
        Ok(self.groups_where("g.name = ?1", &name)?.pop())
    }

    /// Syncs the group with `peer` from now on (idempotent). Messages already
    /// held are offered too, so a peer added late catches up.
    pub fn share(&self, group: &GroupId, peer: PeerId) -> Result<()> {
        let added = self.tx.execute(
            "INSERT OR IGNORE INTO shares (gid, peer) VALUES (?1, ?2)",
            params![&group.0, peer.0 as i64],
        )?;
        if added == 1 {
            let epoch = self.epoch()?;
            let kind = match self.config()?.settings.mode {
                Mode::Batch => 2,
                Mode::Interactive => 0,
            };
            self.tx.execute(
                "INSERT OR IGNORE INTO records (peer, id, kind, send_count, send_epoch)
                 SELECT ?2, id, ?3, 0, ?4 FROM messages WHERE gid = ?1 AND ephemeral = 0",
                params![&group.0, peer.0 as i64, kind, epoch as i64],
            )?;
        }
        Ok(())
    }

    /// The engine over this transaction, with the node's settings.
    pub fn node(&self) -> Result<Node<SqlState<'_>>> {
        let settings = self.config()?.settings;
        Ok(Node::new(SqlState::new(&self.tx)?, settings))
    }

    /// Remembers an imported bundle; `false` if it was imported before.
    pub fn record_import(&self, digest: &[u8; 32], sender: PeerId) -> Result<bool> {
        let epoch = self.epoch()?;
        let n = self.tx.execute(
            "INSERT OR IGNORE INTO imports (digest, peer, epoch) VALUES (?1, ?2, ?3)",
            params![&digest[..], sender.0 as i64, epoch as i64],
        )?;
        Ok(n == 1)
    }

    /// Delivered messages of a group in delivery (causal) order.
    pub fn log(&self, group: &GroupId) -> Result<Vec<LogEntry>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT seq, id, timestamp, body, parents, ephemeral FROM messages
             WHERE gid = ?1 AND seq IS NOT NULL ORDER BY seq",
        )?;
        let rows = stmt
            .query_map([&group.0], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                    r.get::<_, Option<Vec<u8>>>(4)?,
                    r.get::<_, bool>(5)?,
                ))
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(seq, id, timestamp, body, parents, ephemeral)| {
                Ok(LogEntry {
                    seq: seq as u64,
                    id: state::id_from(id)?,
                    timestamp,
                    body,
                    parents: state::parents_from(parents)?.unwrap_or_default(),
                    ephemeral,
                })
            })
            .collect()
    }

    pub fn status(&self) -> Result<StatusReport> {
        let mut peers = Vec::new();
        for p in self.peers()? {
            let id = p.id.0 as i64;
            let count = |kind: i64| -> Result<u64> {
                Ok(self.tx.query_row(
                    "SELECT COUNT(*) FROM records WHERE peer = ?1 AND kind = ?2",
                    [id, kind],
                    |r| r.get::<_, i64>(0),
                )? as u64)
            };
            let acks_queued: i64 =
                self.tx
                    .query_row("SELECT COUNT(*) FROM acks WHERE peer = ?1", [id], |r| {
                        r.get(0)
                    })?;
            let next: Option<i64> = self.tx.query_row(
                "SELECT MIN(send_epoch) FROM records WHERE peer = ?1",
                [id],
                |r| r.get(0),
            )?;
            peers.push(PeerStatus {
                name: p.name,
                offers: count(0)?,
                requests: count(1)?,
                messages: count(2)?,
                acks_queued: acks_queued as u64,
                next_send_epoch: next.map(|e| e as Epoch),
            });
        }
        let mut groups = Vec::new();
        for g in self.groups()? {
            let (delivered, waiting): (i64, i64) = self.tx.query_row(
                "SELECT COUNT(seq), COUNT(*) - COUNT(seq) FROM messages WHERE gid = ?1",
                [&g.group_id.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            groups.push(GroupStatus {
                name: g.name,
                group_id: g.group_id,
                peers: g.peers,
                delivered: delivered as u64,
                waiting: waiting as u64,
            });
        }
        Ok(StatusReport {
            name: self.config()?.name,
            epoch: self.epoch()?,
            peers,
            groups,
        })
    }
}

#[cfg(test)]
mod tests;
