//! The database schema and its migrations.
//!
//! `PRAGMA user_version` holds the number of migrations applied. Each
//! migration runs in its own transaction; a database with a higher version
//! than this binary knows is refused rather than guessed at.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "
    CREATE TABLE config (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE peers (
        id            INTEGER PRIMARY KEY,
        name          TEXT NOT NULL UNIQUE,
        signing_key   BLOB NOT NULL UNIQUE,
        recipient     TEXT NOT NULL,
        last_transmit INTEGER
    );

    CREATE TABLE groups (
        gid  BLOB PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    ) WITHOUT ROWID;

    CREATE TABLE shares (
        gid  BLOB NOT NULL REFERENCES groups (gid),
        peer INTEGER NOT NULL REFERENCES peers (id),
        PRIMARY KEY (gid, peer)
    ) WITHOUT ROWID;

    -- parents: the 32-byte parent ids concatenated, NULL without metadata.
    -- seq: delivery order (causal) within the group, NULL while waiting.
    CREATE TABLE messages (
        id        BLOB PRIMARY KEY,
        gid       BLOB NOT NULL,
        timestamp INTEGER NOT NULL,
        body      BLOB NOT NULL,
        parents   BLOB,
        ephemeral INTEGER NOT NULL,
        seq       INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX messages_log ON messages (gid, seq);

    CREATE TABLE waiting (
        parent BLOB NOT NULL,
        child  BLOB NOT NULL,
        PRIMARY KEY (parent, child)
    ) WITHOUT ROWID;

    CREATE TABLE heads (
        gid BLOB NOT NULL,
        id  BLOB NOT NULL,
        PRIMARY KEY (gid, id)
    ) WITHOUT ROWID;

    -- kind: 0 OFFER, 1 REQUEST, 2 MESSAGE.
    CREATE TABLE records (
        peer       INTEGER NOT NULL REFERENCES peers (id),
        id         BLOB NOT NULL,
        kind       INTEGER NOT NULL,
        send_count INTEGER NOT NULL,
        send_epoch INTEGER NOT NULL,
        PRIMARY KEY (peer, id)
    ) WITHOUT ROWID;
    CREATE INDEX records_due ON records (peer, send_epoch);
    CREATE INDEX records_requests ON records (id) WHERE kind = 1;

    CREATE TABLE acks (
        peer  INTEGER NOT NULL REFERENCES peers (id),
        id    BLOB NOT NULL,
        sends INTEGER NOT NULL,
        PRIMARY KEY (peer, id)
    ) WITHOUT ROWID;

    CREATE TABLE ephemeral_out (
        seq  INTEGER PRIMARY KEY,
        peer INTEGER NOT NULL REFERENCES peers (id),
        id   BLOB NOT NULL
    );
    CREATE INDEX ephemeral_out_peer ON ephemeral_out (peer, seq);

    CREATE TABLE imports (
        digest BLOB PRIMARY KEY,
        peer   INTEGER NOT NULL,
        epoch  INTEGER NOT NULL
    ) WITHOUT ROWID;
    ",
];

/// The schema version this binary writes.
pub const VERSION: u32 = MIGRATIONS.len() as u32;

pub fn version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Brings the database up to [`VERSION`], one transaction per migration.
pub fn upgrade(conn: &mut Connection) -> Result<(), StoreError> {
    let found = version(conn)?;
    if found > VERSION {
        return Err(StoreError::TooNew {
            found,
            supported: VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as u32 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
