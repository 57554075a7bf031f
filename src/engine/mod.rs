//! The MVDS synchronization engine (DESIGN.md section 3), sans-IO.
//!
//! This module owns the protocol rules: which records exist for which peer,
//! when they are due, what a received payload changes and what reaches the
//! application. It never reads a clock, randomness, files or a database: the
//! epoch is an argument of every call, and all memory goes through the
//! [`State`] trait, which the SQLite store and [`MemState`] implement. It must
//! not import the store, the bundle format, the simulator or the CLI.

#[cfg(test)]
mod settings_tests;
mod state;
#[cfg(test)]
mod tests;

pub use state::{MemState, State, StateError, StateResult, Status};

use std::collections::{HashMap, VecDeque};

use crate::wire::{GroupId, Message, MessageId, Metadata, Payload};

/// The logical clock: a count of ticks kept by whoever drives the engine.
pub type Epoch = u64;

/// A peer, as numbered by the driver (a store row id, a simulator index).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PeerId(pub u64);

/// How a node hands a message to a peer (2/MVDS "Flow").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// Send the MESSAGE at once; the peer ACKs it. One trip when all goes well.
    #[default]
    Batch,
    /// OFFER, then REQUEST, then MESSAGE, then ACK. Saves bodies the peer
    /// already has, at the cost of two extra trips.
    Interactive,
}

/// The type of a record kept in state for a (peer, message) pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordType {
    Offer,
    Request,
    Message,
}

/// One record of state: what still has to reach one peer about one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    pub kind: RecordType,
    /// How many times the record was sent so far.
    pub send_count: u32,
    /// The epoch at which it is next due.
    pub send_epoch: Epoch,
}

impl Record {
    fn new(kind: RecordType, epoch: Epoch) -> Self {
        Record {
            kind,
            send_count: 0,
            send_epoch: epoch,
        }
    }
}

/// Retransmission schedule (2/MVDS "Retransmission"): after the n-th send the
/// record waits `base * 2^(n-1)` epochs, doubling up to `max`; past `max` the
/// interval starts again at `base`, so no record drifts out of reach and none
/// is ever given up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub base: u64,
    pub max: u64,
}

impl Default for Backoff {
    /// One epoch, then 2, 4, ... up to 32 epochs, then back to one. An epoch
    /// is one trip of the stick; a peer that stays away for weeks is still
    /// retried at least every 32 trips, and one that comes back gets the
    /// records again within the next short cycle.
    fn default() -> Self {
        Backoff { base: 1, max: 32 }
    }
}

impl Backoff {
    /// Epochs to wait after the `send_count`-th send (`send_count >= 1`).
    pub fn interval(&self, send_count: u32) -> u64 {
        let base = self.base.max(1);
        let max = self.max.max(base);
        // Number of distinct doublings before the bound: base, 2base, ... <= max.
        let steps = (max / base).ilog2() + 1;
        let exp = (send_count.saturating_sub(1)) % steps;
        (base << exp).min(max)
    }
}

/// Which rule spaces a record's sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Schedule {
    /// [`Settings::backoff`]: doubling up to a bound, then back to the base.
    #[default]
    Backoff,
    /// Wait `step * send_count` epochs after the `send_count`-th send, without
    /// bound: the rule of the Go reference implementation (`epoch + 2 *
    /// count`), kept so `mvds sim` can compare against it.
    Linear { step: u64 },
}

impl Schedule {
    /// Epochs to wait after the `send_count`-th send (`send_count >= 1`).
    pub fn interval(&self, backoff: &Backoff, send_count: u32) -> u64 {
        match *self {
            Schedule::Backoff => backoff.interval(send_count),
            Schedule::Linear { step } => step.max(1).saturating_mul(u64::from(send_count.max(1))),
        }
    }
}

/// Engine settings. All are plain numbers so the CLI and the simulator can
/// choose them; nothing here is read from the environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Mode for messages this node sends and forwards unless told otherwise.
    pub mode: Mode,
    pub backoff: Backoff,
    /// Which rule spaces retransmissions ([`Schedule::Backoff`] by default).
    pub schedule: Schedule,
    /// Extra payloads that repeat an ACK after the first (0 = the spec's
    /// letter: one ACK per MESSAGE received).
    pub ack_repeats: u32,
    /// When a payload arrives from a peer, make every record for that peer
    /// due now: the peer is evidently reachable.
    pub hasten_on_contact: bool,
    /// Make `ack_repeats` stop once they have done their job: when a payload
    /// arrives from a peer, the ACKs already sent to it at least once are
    /// forgotten (it was reachable, so they most likely arrived), and a
    /// MESSAGE already held is answered with a single ACK rather than a new
    /// run of repeats. Only efficiency is at stake: a peer that still lacks
    /// the ACK sends the MESSAGE again and gets a fresh one.
    pub settle_acks_on_contact: bool,
    /// Epochs a record waits after a send that the peer answered at once: a
    /// payload arriving from a peer in the epoch right after our last one to
    /// it says the peer was reachable then, so what we sent most likely
    /// arrived and its ACK is on the way. The records of that payload wait
    /// this long instead of their next backoff step (0 = off). They are sent
    /// again afterwards, so a wrong guess costs latency, never a message.
    pub reply_hold: u64,
    /// Most records in one payload; the rest waits for the next epoch.
    pub max_records: usize,
    /// Most message body bytes in one payload (at least one message is sent).
    pub max_body_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mode: Mode::Batch,
            backoff: Backoff::default(),
            schedule: Schedule::Backoff,
            ack_repeats: 0,
            hasten_on_contact: false,
            settle_acks_on_contact: false,
            reply_hold: 0,
            max_records: 1 << 19,
            max_body_bytes: 48 << 20,
        }
    }
}

/// What the engine tells its driver, in order, through [`Node::poll_event`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A message reached the application: once per message, after all of its
    /// parents. The node's own messages are delivered when sent.
    Delivered { id: MessageId, message: Message },
    /// A peer acknowledged a message: its record for that peer is gone.
    Acked { peer: PeerId, id: MessageId },
}

/// Counts of what one received payload contained and did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Received {
    pub acks: usize,
    pub offers: usize,
    pub requests: usize,
    pub messages: usize,
    /// Messages stored for the first time.
    pub new_messages: usize,
    /// Messages we already had (ACKed again, not delivered again).
    pub duplicates: usize,
    /// Messages for groups this node is not a member of: not stored, not ACKed.
    pub not_member: usize,
    /// REQUESTs not served: for messages this node does not hold, ephemeral
    /// ones, or ones of a group not shared with the requester.
    pub unknown_requests: usize,
}

/// Engine errors.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("not a member of group {0}")]
    NotMember(GroupId),
    #[error("message {0} exists already")]
    Duplicate(MessageId),
    #[error("parent {0} is not delivered on this node")]
    UnknownParent(MessageId),
    #[error(transparent)]
    State(#[from] StateError),
}

/// Orders messages so that every parent in the list comes before its children
/// (a stable topological sort): the receiver then delivers a whole chain from
/// one payload without parking anything as waiting.
fn parents_first(messages: &mut Vec<Message>) {
    let index: HashMap<MessageId, usize> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id(), i))
        .collect();
    if !messages
        .iter()
        .any(|m| m.parents().iter().any(|p| index.contains_key(p)))
    {
        return;
    }
    // 0: not yet seen, 1: on the walk's stack, 2: placed.
    let mut mark = vec![0u8; messages.len()];
    let mut order = Vec::with_capacity(messages.len());
    for start in 0..messages.len() {
        if mark[start] != 0 {
            continue;
        }
        // Iterative depth-first walk: a message is placed after its parents.
        mark[start] = 1;
        let mut stack = vec![(start, 0usize)];
        while let Some(&(i, mut next)) = stack.last() {
            let parents = messages[i].parents();
            let mut parent = None;
            while next < parents.len() && parent.is_none() {
                parent = index.get(&parents[next]).copied().filter(|&j| mark[j] == 0);
                next += 1;
            }
            let top = stack.len() - 1;
            stack[top].1 = next;
            match parent {
                Some(j) => {
                    mark[j] = 1;
                    stack.push((j, 0));
                }
                None => {
                    mark[i] = 2;
                    order.push(i);
                    stack.pop();
                }
            }
        }
    }
    let mut slots: Vec<Option<Message>> = messages.drain(..).map(Some).collect();
    messages.extend(
        order
            .into_iter()
            .map(|i| slots[i].take().expect("placed once")),
    );
}

/// One MVDS node: the protocol rules over a [`State`].
///
/// # Driving loop
///
/// The driver owns the clock and the transport. In each epoch `e`:
///
/// 1. [`Node::handle_payload`]`(from, payload, e)` for every payload received,
///    in any order (duplicates and reordering are fine);
/// 2. [`Node::send`]`(message, mode, e)` for every message the application
///    sends (use [`Node::compose`] to fill the parents with the group heads);
/// 3. [`Node::poll_transmit`]`(peer, e)` once for each peer: it returns the
///    peer's one payload of the epoch (ACKs, ephemeral messages and every due
///    record) or `None`; a second call in the same epoch returns `None`;
/// 4. [`Node::poll_event`] until `None`: delivered messages, in causal order,
///    and ACKs received.
///
/// [`Node::next_send_epoch`] tells when a peer next has something to send, so a
/// driver can sleep until then; calling `poll_transmit` early is harmless.
/// Then advance the epoch. Every change goes to the [`State`] as it happens;
/// a driver that persists it commits after step 4.
pub struct Node<S> {
    state: S,
    settings: Settings,
    events: VecDeque<Event>,
}

type Result<T> = std::result::Result<T, Error>;

impl<S: State> Node<S> {
    pub fn new(state: S, settings: Settings) -> Self {
        Node {
            state,
            settings,
            events: VecDeque::new(),
        }
    }

    pub fn state(&self) -> &S {
        &self.state
    }

    pub fn state_mut(&mut self) -> &mut S {
        &mut self.state
    }

    pub fn into_state(self) -> S {
        self.state
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// A new message for `group` whose parents are the group's current heads,
    /// so causal order follows from what this node has delivered.
    pub fn compose(
        &mut self,
        group: &GroupId,
        timestamp: i64,
        body: Vec<u8>,
        ephemeral: bool,
    ) -> Result<Message> {
        let parents = self.state.heads(group)?;
        Ok(Message {
            group_id: group.clone(),
            timestamp,
            body,
            metadata: Some(Metadata { parents, ephemeral }),
        })
    }

    /// Sends a message of this node to every peer the group is shared with.
    /// It is stored and delivered locally at once. Reliable messages get a
    /// record per peer (MESSAGE in batch mode, OFFER in interactive mode);
    /// ephemeral ones go into the next payload of each peer, once.
    pub fn send(&mut self, message: Message, mode: Mode, epoch: Epoch) -> Result<MessageId> {
        let id = self.send_inner(message, mode, epoch)?;
        self.state.flush()?;
        Ok(id)
    }

    fn send_inner(&mut self, message: Message, mode: Mode, epoch: Epoch) -> Result<MessageId> {
        let group = message.group_id.clone();
        if !self.state.is_member(&group)? {
            return Err(Error::NotMember(group));
        }
        let id = message.id();
        if self.state.message_status(&id)?.is_some() {
            return Err(Error::Duplicate(id));
        }
        if let Some(p) = self.first_undelivered(message.parents())? {
            return Err(Error::UnknownParent(p));
        }
        let peers = self.state.group_peers(&group)?;
        self.state
            .insert_message(&id, &message, Status::Delivered)?;
        if message.is_ephemeral() {
            for peer in peers {
                self.state.queue_ephemeral(peer, &id)?;
            }
        } else {
            let kind = match mode {
                Mode::Batch => RecordType::Message,
                Mode::Interactive => RecordType::Offer,
            };
            for peer in peers {
                self.state.set_record(peer, &id, Record::new(kind, epoch))?;
            }
        }
        self.deliver(id, message)?;
        Ok(id)
    }

    /// Applies one payload received from `from` (2/MVDS "Flow", both modes).
    pub fn handle_payload(
        &mut self,
        from: PeerId,
        payload: Payload,
        epoch: Epoch,
    ) -> Result<Received> {
        let rx = self.handle_payload_inner(from, payload, epoch)?;
        self.state.flush()?;
        Ok(rx)
    }

    fn handle_payload_inner(
        &mut self,
        from: PeerId,
        payload: Payload,
        epoch: Epoch,
    ) -> Result<Received> {
        let mut rx = Received {
            acks: payload.acks.len(),
            offers: payload.offers.len(),
            requests: payload.requests.len(),
            messages: payload.messages.len(),
            ..Received::default()
        };
        if self.settings.reply_hold > 0 {
            self.hold_answered(from, epoch)?;
        }
        if self.settings.hasten_on_contact {
            self.state.hasten_records(from, epoch)?;
        }
        if self.settings.settle_acks_on_contact && self.settings.ack_repeats > 0 {
            // An ACK with fewer sends left than it was queued with went out.
            self.state
                .drop_acks_below(from, 1 + self.settings.ack_repeats)?;
        }
        // ACK: the peer holds the message; whatever we still had for it goes.
        for id in &payload.acks {
            if self.state.remove_record(from, id)?.is_some() {
                self.events.push_back(Event::Acked {
                    peer: from,
                    id: *id,
                });
            }
        }
        for message in payload.messages {
            self.handle_message(from, message, epoch, &mut rx)?;
        }
        // OFFER: request what we lack; ACK what we hold, so the offerer stops.
        for id in &payload.offers {
            if self.state.message_status(id)?.is_some() {
                self.state.remove_record(from, id)?;
                self.state
                    .queue_ack(from, id, 1 + self.settings.ack_repeats)?;
            } else if self.state.record(from, id)?.is_none() {
                self.state
                    .set_record(from, id, Record::new(RecordType::Request, epoch))?;
            }
        }
        // REQUEST: the MESSAGE replaces any OFFER and is due now. Only peers
        // the message's group is shared with are served: knowing an id must
        // not be enough to fetch a message of a group one is not in.
        for id in &payload.requests {
            let message = self.state.message(id)?;
            let served = match &message {
                Some(m) if !m.is_ephemeral() => {
                    self.state.group_peers(&m.group_id)?.contains(&from)
                }
                _ => false,
            };
            if !served {
                rx.unknown_requests += 1;
                continue;
            }
            let record = match self.state.record(from, id)? {
                Some(r) if r.kind == RecordType::Message => Record {
                    send_epoch: epoch,
                    ..r
                },
                _ => Record::new(RecordType::Message, epoch),
            };
            self.state.set_record(from, id, record)?;
        }
        Ok(rx)
    }

    /// [`Settings::reply_hold`]: if our last payload to `from` went out in
    /// the previous epoch, its records (those whose `send_epoch` is exactly
    /// one backoff step after it) wait `reply_hold` epochs from that send.
    fn hold_answered(&mut self, from: PeerId, epoch: Epoch) -> Result<()> {
        let Some(sent) = epoch.checked_sub(1) else {
            return Ok(());
        };
        if self.state.last_transmit(from)? != Some(sent) {
            return Ok(());
        }
        let s = &self.settings;
        let hold = sent + s.reply_hold;
        for (id, record) in self.state.due_records(from, Epoch::MAX, usize::MAX)? {
            let step = s.schedule.interval(&s.backoff, record.send_count);
            if record.send_count > 0 && record.send_epoch == sent + step && hold > record.send_epoch
            {
                let held = Record {
                    send_epoch: hold,
                    ..record
                };
                self.state.set_record(from, &id, held)?;
            }
        }
        Ok(())
    }

    fn handle_message(
        &mut self,
        from: PeerId,
        message: Message,
        epoch: Epoch,
        rx: &mut Received,
    ) -> Result<()> {
        let id = message.id();
        let ack_sends = 1 + self.settings.ack_repeats;
        if self.state.message_status(&id)?.is_some() {
            rx.duplicates += 1;
            // Every reliable MESSAGE is ACKed, duplicates included (2/MVDS:
            // ACKs are not retransmitted, they answer each MESSAGE). The
            // sender holds it, so nothing more needs to go to it.
            // With settled ACKs a duplicate gets one ACK, not a new run of
            // repeats.
            if !message.is_ephemeral() {
                let sends = if self.settings.settle_acks_on_contact {
                    1
                } else {
                    ack_sends
                };
                self.state.queue_ack(from, &id, sends)?;
                self.state.remove_record(from, &id)?;
            }
            return Ok(());
        }
        // A message we do not hold can only have REQUEST records (to the
        // sender, or to another peer for a missing parent): all are answered.
        for peer in self.state.requests_for(&id)? {
            self.state.remove_record(peer, &id)?;
        }
        if !self.state.is_member(&message.group_id)? {
            rx.not_member += 1;
            return Ok(());
        }
        rx.new_messages += 1;
        if message.is_ephemeral() {
            // Not ACKed and not forwarded, but delivered causally like any
            // other message: delivering it at once, before parents its
            // sender named, broke "delivered only after all of its parents"
            // (DESIGN.md section 3; test `an_ephemeral_waits_for_its_parents`).
            return self.store_and_deliver(from, id, message, epoch);
        }
        self.state.queue_ack(from, &id, ack_sends)?;
        // Store-and-forward to the group's other peers (no record for a new
        // message can exist: the REQUESTs are gone).
        let kind = match self.settings.mode {
            Mode::Batch => RecordType::Message,
            Mode::Interactive => RecordType::Offer,
        };
        for peer in self.state.group_peers(&message.group_id)? {
            if peer != from {
                self.state.set_record(peer, &id, Record::new(kind, epoch))?;
            }
        }
        self.store_and_deliver(from, id, message, epoch)
    }

    /// Stores a new message received from `from` and delivers it, or, if some
    /// parent is not delivered yet, stores it as waiting. Causal delivery:
    /// wait for every parent that is not delivered yet and REQUEST those we do
    /// not even hold from the peer that sent the child.
    fn store_and_deliver(
        &mut self,
        from: PeerId,
        id: MessageId,
        message: Message,
        epoch: Epoch,
    ) -> Result<()> {
        let mut missing = 0;
        for parent in message.parents() {
            match self.state.message_status(parent)? {
                Some(Status::Delivered) => {}
                status => {
                    missing += 1;
                    self.state.add_waiting(&id, parent)?;
                    if status.is_none() && self.state.record(from, parent)?.is_none() {
                        self.state.set_record(
                            from,
                            parent,
                            Record::new(RecordType::Request, epoch),
                        )?;
                    }
                }
            }
        }
        if missing == 0 {
            self.state
                .insert_message(&id, &message, Status::Delivered)?;
            self.deliver(id, message)?;
        } else {
            self.state.insert_message(&id, &message, Status::Waiting)?;
        }
        Ok(())
    }

    /// Hands a message (stored as delivered already) to the application, then
    /// every waiting message this makes deliverable. A message is marked
    /// delivered when it joins the FIFO queue, after all of its parents joined
    /// it, so events come out in causal order and never twice.
    fn deliver(&mut self, id: MessageId, message: Message) -> Result<()> {
        let mut ready = VecDeque::from([(id, message)]);
        while let Some((id, message)) = ready.pop_front() {
            // Ephemeral messages are never heads: peers may never get them, and
            // a child naming one would wait forever.
            if !message.is_ephemeral() {
                for parent in message.parents() {
                    self.state.remove_head(&message.group_id, parent)?;
                }
                self.state.add_head(&message.group_id, &id)?;
            }
            for child in self.state.take_waiting(&id)? {
                if self.state.message_status(&child)? != Some(Status::Waiting) {
                    continue;
                }
                let Some(m) = self.state.message(&child)? else {
                    continue;
                };
                if self.first_undelivered(m.parents())?.is_none() {
                    self.state.mark_delivered(&child, &m.group_id)?;
                    ready.push_back((child, m));
                }
            }
            self.events.push_back(Event::Delivered { id, message });
        }
        Ok(())
    }

    fn first_undelivered(&mut self, ids: &[MessageId]) -> Result<Option<MessageId>> {
        for id in ids {
            if self.state.message_status(id)? != Some(Status::Delivered) {
                return Ok(Some(*id));
            }
        }
        Ok(None)
    }

    /// The peer's payload for this epoch: queued ACKs and ephemeral messages
    /// plus every due record, each then rescheduled by the backoff. `None`
    /// when there is nothing to send or a payload was already made this epoch.
    pub fn poll_transmit(&mut self, peer: PeerId, epoch: Epoch) -> Result<Option<Payload>> {
        let payload = self.poll_transmit_inner(peer, epoch)?;
        self.state.flush()?;
        Ok(payload)
    }

    fn poll_transmit_inner(&mut self, peer: PeerId, epoch: Epoch) -> Result<Option<Payload>> {
        if self.state.last_transmit(peer)? == Some(epoch) {
            return Ok(None);
        }
        let max = self.settings.max_records;
        let mut payload = Payload {
            acks: self.state.take_acks(peer, max)?,
            ..Payload::default()
        };
        let mut body_bytes = 0usize;
        for id in self.state.take_ephemeral(peer, max - payload.acks.len())? {
            if let Some(m) = self.state.message(&id)? {
                body_bytes += m.body.len();
                payload.messages.push(m);
            }
        }
        let room = max - payload.record_count();
        for (id, record) in self.state.due_records(peer, epoch, room)? {
            if record.kind == RecordType::Message {
                let Some(m) = self.state.message(&id)? else {
                    // Cannot happen with a consistent store; never loop on it.
                    self.state.remove_record(peer, &id)?;
                    continue;
                };
                if body_bytes > 0 && body_bytes + m.body.len() > self.settings.max_body_bytes {
                    break;
                }
                body_bytes += m.body.len();
                payload.messages.push(m);
            } else if record.kind == RecordType::Offer {
                payload.offers.push(id);
            } else {
                payload.requests.push(id);
            }
            let send_count = record.send_count + 1;
            let next = Record {
                kind: record.kind,
                send_count,
                send_epoch: epoch
                    + self
                        .settings
                        .schedule
                        .interval(&self.settings.backoff, send_count),
            };
            self.state.set_record(peer, &id, next)?;
        }
        if payload.is_empty() {
            return Ok(None);
        }
        parents_first(&mut payload.messages);
        self.state.set_last_transmit(peer, epoch)?;
        Ok(Some(payload))
    }

    /// The next epoch at which `peer` has something to send (`None`: nothing).
    pub fn next_send_epoch(&mut self, peer: PeerId, epoch: Epoch) -> Result<Option<Epoch>> {
        let next = if self.state.has_outbox(peer)? {
            Some(epoch)
        } else {
            self.state.next_send_epoch(peer)?
        };
        // The peer's payload of this epoch is made already, so nothing goes
        // out before the next one. Answering `epoch` here had a driver that
        // sleeps until the answer poll in vain, and spin (test
        // `next_send_epoch_skips_an_epoch_whose_payload_is_made`).
        if self.state.last_transmit(peer)? == Some(epoch) {
            return Ok(next.map(|e| e.max(epoch.saturating_add(1))));
        }
        Ok(next)
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }
}
