//! [`SqlState`]: the engine's [`State`] over one SQLite transaction.
//!
//! Every call is one indexed statement (prepared once, cached), so the cost of
//! an export grows with what is due for that peer and the cost of an import
//! with what the payload holds, never with the size of the history. Group
//! membership and shares are read once per transaction (the engine never
//! changes them); group heads and delivery counters are kept in memory and
//! written back at [`State::flush`], which the engine calls at the end of each
//! of its calls: a chain of 100,000 messages rewrites the heads once, not
//! 100,000 times.

use std::collections::{BTreeSet, HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::engine::{Epoch, PeerId, Record, RecordType, State, StateResult, Status};
use crate::wire::{GroupId, Message, MessageId, Metadata};

use super::StoreError;

pub struct SqlState<'a> {
    conn: &'a Connection,
    shares: HashMap<GroupId, Vec<PeerId>>,
    members: HashSet<GroupId>,
    /// Next delivery sequence number per group (loaded on first use).
    next_seq: HashMap<GroupId, i64>,
    /// Heads per group: (as stored, as now). Written back on flush.
    heads: HashMap<GroupId, (BTreeSet<MessageId>, BTreeSet<MessageId>)>,
    /// Rows in `waiting`; lets the common case (nothing waits) skip a query.
    waiting: u64,
    /// Whether any REQUEST record may exist (false lets arrivals skip a query).
    may_have_requests: bool,
    /// What this transaction knows of message statuses (`None`: absent).
    status: HashMap<MessageId, Option<Status>>,
    /// What this transaction knows of records (`None`: absent).
    records: HashMap<(PeerId, MessageId), Option<Record>>,
}

pub(super) fn id_from(bytes: Vec<u8>) -> Result<MessageId, StoreError> {
    <[u8; 32]>::try_from(bytes.as_slice())
        .map(MessageId)
        .map_err(|_| StoreError::Corrupt(format!("a stored id is {} bytes", bytes.len())))
}

pub(super) fn parents_from(blob: Option<Vec<u8>>) -> Result<Option<Vec<MessageId>>, StoreError> {
    let Some(blob) = blob else { return Ok(None) };
    if blob.len() % 32 != 0 {
        return Err(StoreError::Corrupt(
            "a stored parent list is malformed".into(),
        ));
    }
    Ok(Some(
        blob.chunks_exact(32)
            .map(|c| MessageId(c.try_into().expect("chunks of 32")))
            .collect(),
    ))
}

/// SQLite integers are i64: epochs and limits past i64::MAX (the engine asks
/// for "every record" with `Epoch::MAX`) saturate instead of wrapping to -1.
fn sat(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn status_of(delivered: bool) -> Status {
    if delivered {
        Status::Delivered
    } else {
        Status::Waiting
    }
}

fn kind_code(kind: RecordType) -> i64 {
    match kind {
        RecordType::Offer => 0,
        RecordType::Request => 1,
        RecordType::Message => 2,
    }
}

fn record_from(row: &Row<'_>, at: usize) -> rusqlite::Result<Result<Record, StoreError>> {
    let kind = match row.get::<_, i64>(at)? {
        0 => RecordType::Offer,
        1 => RecordType::Request,
        2 => RecordType::Message,
        k => return Ok(Err(StoreError::Corrupt(format!("unknown record kind {k}")))),
    };
    Ok(Ok(Record {
        kind,
        send_count: row.get(at + 1)?,
        send_epoch: row.get::<_, i64>(at + 2)? as Epoch,
    }))
}

impl<'a> SqlState<'a> {
    pub(super) fn new(conn: &'a Connection) -> Result<Self, StoreError> {
        let mut members = HashSet::new();
        let mut stmt = conn.prepare("SELECT gid FROM groups")?;
        for gid in stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))? {
            members.insert(GroupId(gid?));
        }
        let mut shares: HashMap<GroupId, Vec<PeerId>> = HashMap::new();
        let mut stmt = conn.prepare("SELECT gid, peer FROM shares ORDER BY gid, peer")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (gid, peer) = row?;
            shares
                .entry(GroupId(gid))
                .or_default()
                .push(PeerId(peer as u64));
        }
        let waiting: i64 = conn.query_row("SELECT COUNT(*) FROM waiting", [], |r| r.get(0))?;
        let may_have_requests = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM records WHERE kind = 1)",
            [],
            |r| r.get(0),
        )?;
        Ok(SqlState {
            conn,
            shares,
            members,
            next_seq: HashMap::new(),
            heads: HashMap::new(),
            waiting: waiting as u64,
            may_have_requests,
            status: HashMap::new(),
            records: HashMap::new(),
        })
    }

    fn take_seq(&mut self, group: &GroupId) -> StateResult<i64> {
        if !self.next_seq.contains_key(group) {
            let next: i64 = self
                .conn
                .prepare_cached("SELECT IFNULL(MAX(seq), 0) + 1 FROM messages WHERE gid = ?1")?
                .query_row([&group.0], |r| r.get(0))?;
            self.next_seq.insert(group.clone(), next);
        }
        let next = self.next_seq.get_mut(group).expect("inserted above");
        *next += 1;
        Ok(*next - 1)
    }

    fn heads_mut(&mut self, group: &GroupId) -> StateResult<&mut BTreeSet<MessageId>> {
        if !self.heads.contains_key(group) {
            let ids = self
                .conn
                .prepare_cached("SELECT id FROM heads WHERE gid = ?1")?
                .query_map([&group.0], |r| r.get::<_, Vec<u8>>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            let stored = ids
                .into_iter()
                .map(id_from)
                .collect::<Result<BTreeSet<_>, _>>()?;
            self.heads.insert(group.clone(), (stored.clone(), stored));
        }
        Ok(&mut self.heads.get_mut(group).expect("inserted above").1)
    }
}

impl State for SqlState<'_> {
    fn is_member(&mut self, group: &GroupId) -> StateResult<bool> {
        Ok(self.members.contains(group))
    }

    fn group_peers(&mut self, group: &GroupId) -> StateResult<Vec<PeerId>> {
        Ok(self.shares.get(group).cloned().unwrap_or_default())
    }

    fn message_status(&mut self, id: &MessageId) -> StateResult<Option<Status>> {
        if let Some(known) = self.status.get(id) {
            return Ok(*known);
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq IS NOT NULL FROM messages WHERE id = ?1")?;
        let delivered: Option<bool> = stmt.query_row([&id.0], |r| r.get(0)).optional()?;
        let status = delivered.map(status_of);
        self.status.insert(*id, status);
        Ok(status)
    }

    fn message(&mut self, id: &MessageId) -> StateResult<Option<Message>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT gid, timestamp, body, parents, ephemeral FROM messages WHERE id = ?1",
        )?;
        let row = stmt
            .query_row([&id.0], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, Option<Vec<u8>>>(3)?,
                    r.get::<_, bool>(4)?,
                ))
            })
            .optional()?;
        let Some((gid, timestamp, body, parents, ephemeral)) = row else {
            return Ok(None);
        };
        Ok(Some(Message {
            group_id: GroupId(gid),
            timestamp,
            body,
            metadata: parents_from(parents)?.map(|parents| Metadata { parents, ephemeral }),
        }))
    }

    fn insert_message(
        &mut self,
        id: &MessageId,
        message: &Message,
        status: Status,
    ) -> StateResult<()> {
        let seq = match status {
            Status::Delivered => Some(self.take_seq(&message.group_id)?),
            Status::Waiting => None,
        };
        let parents: Option<Vec<u8>> = message
            .metadata
            .as_ref()
            .map(|m| m.parents.iter().flat_map(|p| p.0).collect());
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO messages (id, gid, timestamp, body, parents, ephemeral, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        stmt.execute(params![
            &id.0,
            &message.group_id.0,
            message.timestamp,
            &message.body,
            parents,
            message.is_ephemeral(),
            seq
        ])?;
        self.status.insert(*id, Some(status));
        Ok(())
    }

    fn mark_delivered(&mut self, id: &MessageId, group: &GroupId) -> StateResult<()> {
        let seq = self.take_seq(group)?;
        let mut stmt = self
            .conn
            .prepare_cached("UPDATE messages SET seq = ?2 WHERE id = ?1 AND seq IS NULL")?;
        stmt.execute(params![&id.0, seq])?;
        self.status.insert(*id, Some(Status::Delivered));
        Ok(())
    }

    fn add_waiting(&mut self, child: &MessageId, parent: &MessageId) -> StateResult<()> {
        let mut stmt = self
            .conn
            .prepare_cached("INSERT OR IGNORE INTO waiting (parent, child) VALUES (?1, ?2)")?;
        self.waiting += stmt.execute(params![&parent.0, &child.0])? as u64;
        Ok(())
    }

    fn take_waiting(&mut self, parent: &MessageId) -> StateResult<Vec<MessageId>> {
        if self.waiting == 0 {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare_cached("DELETE FROM waiting WHERE parent = ?1 RETURNING child")?;
        let mut children = stmt
            .query_map([&parent.0], |r| r.get::<_, Vec<u8>>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        // RETURNING has no defined order; the trait promises id order.
        children.sort_unstable();
        self.waiting -= children.len() as u64;
        Ok(children
            .into_iter()
            .map(id_from)
            .collect::<Result<_, _>>()?)
    }

    fn heads(&mut self, group: &GroupId) -> StateResult<Vec<MessageId>> {
        Ok(self.heads_mut(group)?.iter().copied().collect())
    }

    fn add_head(&mut self, group: &GroupId, id: &MessageId) -> StateResult<()> {
        self.heads_mut(group)?.insert(*id);
        Ok(())
    }

    fn remove_head(&mut self, group: &GroupId, id: &MessageId) -> StateResult<()> {
        self.heads_mut(group)?.remove(id);
        Ok(())
    }

    fn record(&mut self, peer: PeerId, id: &MessageId) -> StateResult<Option<Record>> {
        if let Some(known) = self.records.get(&(peer, *id)) {
            return Ok(*known);
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, send_count, send_epoch FROM records WHERE peer = ?1 AND id = ?2",
        )?;
        let r = stmt
            .query_row(params![peer.0 as i64, &id.0], |r| record_from(r, 0))
            .optional()?
            .transpose()?;
        self.records.insert((peer, *id), r);
        Ok(r)
    }

    fn set_record(&mut self, peer: PeerId, id: &MessageId, record: Record) -> StateResult<()> {
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO records (peer, id, kind, send_count, send_epoch)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (peer, id) DO UPDATE SET kind = excluded.kind,
                 send_count = excluded.send_count, send_epoch = excluded.send_epoch",
        )?;
        stmt.execute(params![
            peer.0 as i64,
            &id.0,
            kind_code(record.kind),
            record.send_count,
            sat(record.send_epoch)
        ])?;
        self.may_have_requests |= record.kind == RecordType::Request;
        self.records.insert((peer, *id), Some(record));
        Ok(())
    }

    fn remove_record(&mut self, peer: PeerId, id: &MessageId) -> StateResult<Option<Record>> {
        if let Some(None) = self.records.get(&(peer, *id)) {
            return Ok(None);
        }
        let mut stmt = self.conn.prepare_cached(
            "DELETE FROM records WHERE peer = ?1 AND id = ?2
             RETURNING kind, send_count, send_epoch",
        )?;
        let r = stmt
            .query_row(params![peer.0 as i64, &id.0], |r| record_from(r, 0))
            .optional()?
            .transpose()?;
        self.records.insert((peer, *id), None);
        Ok(r)
    }

    fn requests_for(&mut self, id: &MessageId) -> StateResult<Vec<PeerId>> {
        if !self.may_have_requests {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT peer FROM records WHERE id = ?1 AND kind = 1 ORDER BY peer")?;
        let peers = stmt
            .query_map([&id.0], |r| r.get::<_, i64>(0))?
            .map(|p| p.map(|p| PeerId(p as u64)))
            .collect::<Result<_, _>>()?;
        Ok(peers)
    }

    fn due_records(
        &mut self,
        peer: PeerId,
        epoch: Epoch,
        limit: usize,
    ) -> StateResult<Vec<(MessageId, Record)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, kind, send_count, send_epoch FROM records
             WHERE peer = ?1 AND send_epoch <= ?2 ORDER BY send_epoch, id LIMIT ?3",
        )?;
        let rows = stmt
            .query_map(params![peer.0 as i64, sat(epoch), sat(limit as u64)], |r| {
                Ok((r.get::<_, Vec<u8>>(0)?, record_from(r, 1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, record) in rows {
            out.push((id_from(id)?, record?));
        }
        Ok(out)
    }

    fn hasten_records(&mut self, peer: PeerId, epoch: Epoch) -> StateResult<()> {
        let mut stmt = self.conn.prepare_cached(
            "UPDATE records SET send_epoch = ?2 WHERE peer = ?1 AND send_epoch > ?2",
        )?;
        stmt.execute(params![peer.0 as i64, sat(epoch)])?;
        // Cached send epochs of this peer's records are stale now.
        self.records.retain(|(p, _), _| *p != peer);
        Ok(())
    }

    fn next_send_epoch(&mut self, peer: PeerId) -> StateResult<Option<Epoch>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT MIN(send_epoch) FROM records WHERE peer = ?1")?;
        let e: Option<i64> = stmt.query_row([peer.0 as i64], |r| r.get(0))?;
        Ok(e.map(|e| e as Epoch))
    }

    fn queue_ack(&mut self, peer: PeerId, id: &MessageId, sends: u32) -> StateResult<()> {
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO acks (peer, id, sends) VALUES (?1, ?2, ?3)
             ON CONFLICT (peer, id) DO UPDATE SET sends = MAX(sends, excluded.sends)",
        )?;
        stmt.execute(params![peer.0 as i64, &id.0, sends])?;
        Ok(())
    }

    fn take_acks(&mut self, peer: PeerId, limit: usize) -> StateResult<Vec<MessageId>> {
        let ids = {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT id FROM acks WHERE peer = ?1 ORDER BY id LIMIT ?2")?;
            stmt.query_map(params![peer.0 as i64, sat(limit as u64)], |r| {
                r.get::<_, Vec<u8>>(0)
            })?
            .collect::<Result<Vec<_>, _>>()?
        };
        let mut dec = self
            .conn
            .prepare_cached("UPDATE acks SET sends = sends - 1 WHERE peer = ?1 AND id = ?2")?;
        for id in &ids {
            dec.execute(params![peer.0 as i64, id])?;
        }
        self.conn
            .prepare_cached("DELETE FROM acks WHERE peer = ?1 AND sends <= 0")?
            .execute([peer.0 as i64])?;
        Ok(ids.into_iter().map(id_from).collect::<Result<_, _>>()?)
    }

    fn drop_acks_below(&mut self, peer: PeerId, sends: u32) -> StateResult<()> {
        let mut stmt = self
            .conn
            .prepare_cached("DELETE FROM acks WHERE peer = ?1 AND sends < ?2")?;
        stmt.execute(params![peer.0 as i64, sends])?;
        Ok(())
    }

    fn has_outbox(&mut self, peer: PeerId) -> StateResult<bool> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM acks WHERE peer = ?1)
                 OR EXISTS (SELECT 1 FROM ephemeral_out WHERE peer = ?1)",
        )?;
        Ok(stmt.query_row([peer.0 as i64], |r| r.get(0))?)
    }

    fn queue_ephemeral(&mut self, peer: PeerId, id: &MessageId) -> StateResult<()> {
        let mut stmt = self
            .conn
            .prepare_cached("INSERT INTO ephemeral_out (peer, id) VALUES (?1, ?2)")?;
        stmt.execute(params![peer.0 as i64, &id.0])?;
        Ok(())
    }

    fn take_ephemeral(&mut self, peer: PeerId, limit: usize) -> StateResult<Vec<MessageId>> {
        let mut stmt = self.conn.prepare_cached(
            "DELETE FROM ephemeral_out WHERE seq IN
               (SELECT seq FROM ephemeral_out WHERE peer = ?1 ORDER BY seq LIMIT ?2)
             RETURNING seq, id",
        )?;
        let mut rows = stmt
            .query_map(params![peer.0 as i64, sat(limit as u64)], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        // RETURNING gives no order guarantee; the queue is FIFO.
        rows.sort_unstable_by_key(|(seq, _)| *seq);
        Ok(rows
            .into_iter()
            .map(|(_, id)| id_from(id))
            .collect::<Result<_, _>>()?)
    }

    fn last_transmit(&mut self, peer: PeerId) -> StateResult<Option<Epoch>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT last_transmit FROM peers WHERE id = ?1")?;
        let e: Option<Option<i64>> = stmt.query_row([peer.0 as i64], |r| r.get(0)).optional()?;
        Ok(e.flatten().map(|e| e as Epoch))
    }

    fn set_last_transmit(&mut self, peer: PeerId, epoch: Epoch) -> StateResult<()> {
        let mut stmt = self
            .conn
            .prepare_cached("UPDATE peers SET last_transmit = ?2 WHERE id = ?1")?;
        stmt.execute(params![peer.0 as i64, sat(epoch)])?;
        Ok(())
    }

    fn flush(&mut self) -> StateResult<()> {
        for (group, (stored, now)) in &mut self.heads {
            if stored == now {
                continue;
            }
            let mut del = self
                .conn
                .prepare_cached("DELETE FROM heads WHERE gid = ?1 AND id = ?2")?;
            for id in stored.difference(now) {
                del.execute(params![&group.0, &id.0])?;
            }
            let mut add = self
                .conn
                .prepare_cached("INSERT INTO heads (gid, id) VALUES (?1, ?2)")?;
            for id in now.difference(stored) {
                add.execute(params![&group.0, &id.0])?;
            }
            stored.clone_from(now);
        }
        Ok(())
    }
}
