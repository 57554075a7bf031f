//! The engine's memory: the [`State`] trait and [`MemState`], its in-memory
//! implementation (used by the simulator and the tests).
//!
//! The engine reads and writes its state only through this trait, one call at
//! a time, so a store can answer from indexes: exporting for one peer touches
//! that peer's due records, not the whole history. The SQLite node store
//! implements it over one transaction; the engine never knows which it has.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use crate::wire::{GroupId, Message, MessageId};

use super::{Epoch, PeerId, Record, RecordType};

/// Errors of a state backend (a database error, say), passed through as is.
pub type StateError = Box<dyn std::error::Error + Send + Sync>;
pub type StateResult<T> = Result<T, StateError>;

/// Whether a stored message has reached the application yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Stored, waiting for parents that are not delivered yet.
    Waiting,
    /// Delivered to the application (exactly once).
    Delivered,
}

/// Everything the engine remembers between calls.
///
/// Records are keyed by (peer, message id): one record per pair, whose type
/// changes as the interactive flow advances. ACKs and ephemeral messages sit in
/// a per-peer outbox until the next payload; they are never retransmitted.
pub trait State {
    /// Whether this node takes part in the group.
    fn is_member(&mut self, group: &GroupId) -> StateResult<bool>;
    /// The peers this node shares (syncs) the group with.
    fn group_peers(&mut self, group: &GroupId) -> StateResult<Vec<PeerId>>;

    fn message_status(&mut self, id: &MessageId) -> StateResult<Option<Status>>;
    fn message(&mut self, id: &MessageId) -> StateResult<Option<Message>>;
    fn insert_message(
        &mut self,
        id: &MessageId,
        message: &Message,
        status: Status,
    ) -> StateResult<()>;
    fn mark_delivered(&mut self, id: &MessageId, group: &GroupId) -> StateResult<()>;

    /// Remembers that `child` waits for `parent`.
    fn add_waiting(&mut self, child: &MessageId, parent: &MessageId) -> StateResult<()>;
    /// Returns (in id order) and forgets the messages that were waiting for `parent`.
    fn take_waiting(&mut self, parent: &MessageId) -> StateResult<Vec<MessageId>>;

    /// The group's delivered messages that no delivered message names as parent.
    fn heads(&mut self, group: &GroupId) -> StateResult<Vec<MessageId>>;
    fn add_head(&mut self, group: &GroupId, id: &MessageId) -> StateResult<()>;
    fn remove_head(&mut self, group: &GroupId, id: &MessageId) -> StateResult<()>;

    fn record(&mut self, peer: PeerId, id: &MessageId) -> StateResult<Option<Record>>;
    /// Inserts or replaces the record for (peer, id).
    fn set_record(&mut self, peer: PeerId, id: &MessageId, record: Record) -> StateResult<()>;
    /// Removes the record for (peer, id); returns it if there was one.
    fn remove_record(&mut self, peer: PeerId, id: &MessageId) -> StateResult<Option<Record>>;
    /// The peers this node has a REQUEST record for `id` with.
    fn requests_for(&mut self, id: &MessageId) -> StateResult<Vec<PeerId>>;
    /// Up to `limit` records for `peer` with `send_epoch <= epoch`, oldest first.
    fn due_records(
        &mut self,
        peer: PeerId,
        epoch: Epoch,
        limit: usize,
    ) -> StateResult<Vec<(MessageId, Record)>>;
    /// Moves every record for `peer` due after `epoch` to `epoch`.
    fn hasten_records(&mut self, peer: PeerId, epoch: Epoch) -> StateResult<()>;
    /// The earliest `send_epoch` among the peer's records.
    fn next_send_epoch(&mut self, peer: PeerId) -> StateResult<Option<Epoch>>;

    /// Queues an ACK for the next `sends` payloads to `peer` (keeps the larger
    /// count if one is queued already).
    fn queue_ack(&mut self, peer: PeerId, id: &MessageId, sends: u32) -> StateResult<()>;
    /// Takes up to `limit` queued ACKs for one payload, counting one send each.
    fn take_acks(&mut self, peer: PeerId, limit: usize) -> StateResult<Vec<MessageId>>;
    /// Forgets the ACKs queued for `peer` that have fewer than `sends` sends
    /// left (used by [`Settings::settle_acks_on_contact`]).
    ///
    /// [`Settings::settle_acks_on_contact`]: super::Settings::settle_acks_on_contact
    fn drop_acks_below(&mut self, peer: PeerId, sends: u32) -> StateResult<()>;
    /// Whether ACKs or ephemeral messages wait for the next payload to `peer`.
    fn has_outbox(&mut self, peer: PeerId) -> StateResult<bool>;
    fn queue_ephemeral(&mut self, peer: PeerId, id: &MessageId) -> StateResult<()>;
    fn take_ephemeral(&mut self, peer: PeerId, limit: usize) -> StateResult<Vec<MessageId>>;

    /// The epoch of the last payload made for `peer`.
    fn last_transmit(&mut self, peer: PeerId) -> StateResult<Option<Epoch>>;
    fn set_last_transmit(&mut self, peer: PeerId, epoch: Epoch) -> StateResult<()>;

    /// Called by the engine at the end of each of its calls (`send`,
    /// `handle_payload`, `poll_transmit`): a backend that buffers writes must
    /// have written them all when this returns.
    fn flush(&mut self) -> StateResult<()> {
        Ok(())
    }
}

/// In-memory [`State`]: hash maps plus a due-order index per peer.
#[derive(Clone, Debug, Default)]
pub struct MemState {
    groups: HashMap<GroupId, BTreeSet<PeerId>>,
    messages: HashMap<MessageId, (Message, Status)>,
    waiting: HashMap<MessageId, BTreeSet<MessageId>>,
    heads: HashMap<GroupId, BTreeSet<MessageId>>,
    records: HashMap<(PeerId, MessageId), Record>,
    by_message: HashMap<MessageId, BTreeSet<PeerId>>,
    due: BTreeSet<(PeerId, Epoch, MessageId)>,
    acks: HashMap<PeerId, BTreeMap<MessageId, u32>>,
    ephemeral: HashMap<PeerId, VecDeque<MessageId>>,
    last_transmit: HashMap<PeerId, Epoch>,
}

impl MemState {
    pub fn new() -> Self {
        Self::default()
    }

    /// Joins a group (if not yet a member) and shares it with `peers`.
    pub fn share(&mut self, group: &GroupId, peers: impl IntoIterator<Item = PeerId>) {
        self.groups.entry(group.clone()).or_default().extend(peers);
    }

    /// Number of (peer, message) records in flight.
    pub fn record_count(&self) -> usize {
        self.records.len()
    }

    /// Number of records in flight towards one peer.
    pub fn records_to(&self, peer: PeerId) -> usize {
        self.due
            .range((peer, 0, MessageId([0; 32]))..=(peer, Epoch::MAX, MessageId([0xff; 32])))
            .count()
    }

    /// Ids of all stored messages (delivered or waiting).
    pub fn message_ids(&self) -> impl Iterator<Item = (&MessageId, Status)> {
        self.messages.iter().map(|(id, (_, s))| (id, *s))
    }
}

impl State for MemState {
    fn is_member(&mut self, group: &GroupId) -> StateResult<bool> {
        Ok(self.groups.contains_key(group))
    }

    fn group_peers(&mut self, group: &GroupId) -> StateResult<Vec<PeerId>> {
        Ok(self
            .groups
            .get(group)
            .map(|p| p.iter().copied().collect())
            .unwrap_or_default())
    }

    fn message_status(&mut self, id: &MessageId) -> StateResult<Option<Status>> {
        Ok(self.messages.get(id).map(|(_, s)| *s))
    }

    fn message(&mut self, id: &MessageId) -> StateResult<Option<Message>> {
        Ok(self.messages.get(id).map(|(m, _)| m.clone()))
    }

    fn insert_message(
        &mut self,
        id: &MessageId,
        message: &Message,
        status: Status,
    ) -> StateResult<()> {
        self.messages.insert(*id, (message.clone(), status));
        Ok(())
    }

    fn mark_delivered(&mut self, id: &MessageId, _group: &GroupId) -> StateResult<()> {
        if let Some((_, s)) = self.messages.get_mut(id) {
            *s = Status::Delivered;
        }
        Ok(())
    }

    fn add_waiting(&mut self, child: &MessageId, parent: &MessageId) -> StateResult<()> {
        self.waiting.entry(*parent).or_default().insert(*child);
        Ok(())
    }

    fn take_waiting(&mut self, parent: &MessageId) -> StateResult<Vec<MessageId>> {
        Ok(self
            .waiting
            .remove(parent)
            .map(|c| c.into_iter().collect())
            .unwrap_or_default())
    }

    fn heads(&mut self, group: &GroupId) -> StateResult<Vec<MessageId>> {
        Ok(self
            .heads
            .get(group)
            .map(|h| h.iter().copied().collect())
            .unwrap_or_default())
    }

    fn add_head(&mut self, group: &GroupId, id: &MessageId) -> StateResult<()> {
        self.heads.entry(group.clone()).or_default().insert(*id);
        Ok(())
    }

    fn remove_head(&mut self, group: &GroupId, id: &MessageId) -> StateResult<()> {
        if let Some(h) = self.heads.get_mut(group) {
            h.remove(id);
        }
        Ok(())
    }

    fn record(&mut self, peer: PeerId, id: &MessageId) -> StateResult<Option<Record>> {
        Ok(self.records.get(&(peer, *id)).copied())
    }

    fn set_record(&mut self, peer: PeerId, id: &MessageId, record: Record) -> StateResult<()> {
        if let Some(old) = self.records.insert((peer, *id), record) {
            self.due.remove(&(peer, old.send_epoch, *id));
        }
        self.due.insert((peer, record.send_epoch, *id));
        self.by_message.entry(*id).or_default().insert(peer);
        Ok(())
    }

    fn remove_record(&mut self, peer: PeerId, id: &MessageId) -> StateResult<Option<Record>> {
        let old = self.records.remove(&(peer, *id));
        if let Some(old) = old {
            self.due.remove(&(peer, old.send_epoch, *id));
            if let Some(peers) = self.by_message.get_mut(id) {
                peers.remove(&peer);
                if peers.is_empty() {
                    self.by_message.remove(id);
                }
            }
        }
        Ok(old)
    }

    fn requests_for(&mut self, id: &MessageId) -> StateResult<Vec<PeerId>> {
        Ok(self
            .by_message
            .get(id)
            .into_iter()
            .flatten()
            .filter(|p| self.records[&(**p, *id)].kind == RecordType::Request)
            .copied()
            .collect())
    }

    fn due_records(
        &mut self,
        peer: PeerId,
        epoch: Epoch,
        limit: usize,
    ) -> StateResult<Vec<(MessageId, Record)>> {
        Ok(self
            .due
            .range((peer, 0, MessageId([0; 32]))..=(peer, epoch, MessageId([0xff; 32])))
            .take(limit)
            .map(|(p, _, id)| (*id, self.records[&(*p, *id)]))
            .collect())
    }

    fn hasten_records(&mut self, peer: PeerId, epoch: Epoch) -> StateResult<()> {
        let later: Vec<_> = self
            .due
            .range(
                (peer, epoch + 1, MessageId([0; 32]))..=(peer, Epoch::MAX, MessageId([0xff; 32])),
            )
            .map(|(_, _, id)| *id)
            .collect();
        for id in later {
            let mut r = self.records[&(peer, id)];
            r.send_epoch = epoch;
            self.set_record(peer, &id, r)?;
        }
        Ok(())
    }

    fn next_send_epoch(&mut self, peer: PeerId) -> StateResult<Option<Epoch>> {
        Ok(self
            .due
            .range((peer, 0, MessageId([0; 32]))..=(peer, Epoch::MAX, MessageId([0xff; 32])))
            .next()
            .map(|(_, e, _)| *e))
    }

    fn queue_ack(&mut self, peer: PeerId, id: &MessageId, sends: u32) -> StateResult<()> {
        let n = self.acks.entry(peer).or_default().entry(*id).or_insert(0);
        *n = (*n).max(sends);
        Ok(())
    }

    fn take_acks(&mut self, peer: PeerId, limit: usize) -> StateResult<Vec<MessageId>> {
        let Some(queue) = self.acks.get_mut(&peer) else {
            return Ok(Vec::new());
        };
        let ids: Vec<MessageId> = queue.keys().take(limit).copied().collect();
        for id in &ids {
            let n = queue.get_mut(id).expect("taken from the queue");
            *n -= 1;
            if *n == 0 {
                queue.remove(id);
            }
        }
        Ok(ids)
    }

    fn drop_acks_below(&mut self, peer: PeerId, sends: u32) -> StateResult<()> {
        if let Some(queue) = self.acks.get_mut(&peer) {
            queue.retain(|_, n| *n >= sends);
        }
        Ok(())
    }

    fn has_outbox(&mut self, peer: PeerId) -> StateResult<bool> {
        Ok(self.acks.get(&peer).is_some_and(|q| !q.is_empty())
            || self.ephemeral.get(&peer).is_some_and(|q| !q.is_empty()))
    }

    fn queue_ephemeral(&mut self, peer: PeerId, id: &MessageId) -> StateResult<()> {
        self.ephemeral.entry(peer).or_default().push_back(*id);
        Ok(())
    }

    fn take_ephemeral(&mut self, peer: PeerId, limit: usize) -> StateResult<Vec<MessageId>> {
        let Some(queue) = self.ephemeral.get_mut(&peer) else {
            return Ok(Vec::new());
        };
        let n = limit.min(queue.len());
        Ok(queue.drain(..n).collect())
    }

    fn last_transmit(&mut self, peer: PeerId) -> StateResult<Option<Epoch>> {
        Ok(self.last_transmit.get(&peer).copied())
    }

    fn set_last_transmit(&mut self, peer: PeerId, epoch: Epoch) -> StateResult<()> {
        self.last_transmit.insert(peer, epoch);
        Ok(())
    }
}
