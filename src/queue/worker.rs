//! One process's membership in a queue's consumer group: claims, releases and deletions on the
//! partitions it owns, and the commits that make deletions durable.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;

use super::config::{Mode, Settings};
use super::deleted;
use super::envelope::{self, PayloadKind};
use super::error::{QueueError, Result};
use super::report;
use super::tracker::{Fetched, Item, PartitionState, Refusal};
use crate::kafka::admin::Inspector;
use crate::kafka::consumer::{Committed, GroupConsumer, GroupListener, Polled, Start};
use crate::kafka::stats::ClientStatistics;
use crate::kafka::Error as KafkaError;
use crate::process::fork::ProcessBound;

/// Brokers accept 4096 bytes of commit metadata by default (`offset.metadata.max.bytes`).
pub const METADATA_BUDGET: usize = 4000;

/// In fast commit mode, deletions are committed at least this often while claiming.
const FAST_COMMIT_INTERVAL: Duration = Duration::from_millis(100);

/// The longest lease: a century, in effect forever.
const MAX_LEASE: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// The longest single wait inside claimItem, so that lease expiry and delays are noticed.
const POLL_SLICE: Duration = Duration::from_millis(100);

/// A worker whose commits have had no answer for this many `timeout_ms` is replaced. A group
/// coordinator's broker that dies is fenced after `broker.session.timeout.ms` (9 s by
/// default) and the group is served by a new coordinator a moment later: with the default
/// `timeout_ms` of 5 s, a member that reaches it within 15 s keeps its partitions and goes on
/// where it was. A new member would wait for the old one's session to end first.
const UNCONFIRMED_TIMEOUTS: u32 = 3;

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// The partitions this process owns, shared with the rebalance callbacks.
#[derive(Default)]
pub struct Partitions {
    states: Mutex<BTreeMap<i32, PartitionState>>,
    warned_overflow: Mutex<bool>,
}

impl Partitions {
    /// What to commit: the partitions whose deleted list changed, and with `giving_up` (the
    /// worker is about to lose them) also those whose leases changed.
    fn commits(
        &self,
        states: &mut BTreeMap<i32, PartitionState>,
        only: Option<&[i32]>,
        giving_up: bool,
    ) -> Vec<Committed> {
        let mut commits = Vec::new();
        let now_ms = now_ms();
        for (p, state) in states.iter() {
            let due = if giving_up {
                state.needs_final_commit()
            } else {
                state.is_dirty()
            };
            if only.is_some_and(|o| !o.contains(p)) || !due {
                continue;
            }
            let (offset, encoded) = state.commit_point(METADATA_BUDGET, now_ms, giving_up);
            if encoded.leases_left_out > 0 {
                report::warn(&format!(
                    "kafka_queue: partition {p}: {} leases do not fit into Kafka's commit \
                     metadata; if this worker gives the partition up, their items can be claimed \
                     before their leases end",
                    encoded.leases_left_out
                ));
            }
            if encoded.runs_left_out > 0 {
                let mut warned = self.warned_overflow.lock();
                if !*warned {
                    *warned = true;
                    report::warn(&format!(
                        "kafka_queue: the deleted list of partition {p} has more gaps than fit in \
                         Kafka's commit metadata; {} runs stay in memory until the oldest \
                         unfinished item is deleted (a crash before then re-delivers them)",
                        encoded.runs_left_out
                    ));
                }
            }
            commits.push(Committed {
                partition: *p,
                offset,
                metadata: encoded.metadata,
            });
        }
        commits
    }
}

impl GroupListener for Partitions {
    fn assigned(&self, starts: Vec<Start>) {
        let mut states = self.states.lock();
        for Start {
            committed: c,
            high_watermark,
        } in starts
        {
            let done = match deleted::decode(c.offset, &c.metadata) {
                // A writer cannot have read past the end of the partition: if it seems to, the
                // topic was re-created or the metadata is not ours to trust.
                Ok(d) if d.read_to <= high_watermark.max(c.offset) => (d.done, d.leases),
                Ok(d) => {
                    report::warn(&format!(
                        "kafka_queue: partition {}: the committed deleted list was written \
                         after reading to offset {}, past the partition's end ({high_watermark}); \
                         it is ignored and items above offset {} may be delivered again",
                        c.partition, d.read_to, c.offset
                    ));
                    Default::default()
                }
                Err(e) => {
                    report::warn(&format!(
                        "kafka_queue: partition {}: {}; deleted items above offset {} may be \
                         delivered again",
                        c.partition, e.0, c.offset
                    ));
                    Default::default()
                }
            };
            let (done, leases) = done;
            states.insert(
                c.partition,
                PartitionState::new(c.partition, c.offset, done).with_leases(leases),
            );
        }
    }

    fn revoking(&self, partitions: &[i32]) -> Vec<Committed> {
        let mut states = self.states.lock();
        let commits = self.commits(&mut states, Some(partitions), true);
        for p in partitions {
            states.remove(p);
        }
        commits
    }
}

/// A claimed item, as handed to the caller.
pub type Claimed = Arc<Item>;

pub struct Worker {
    consumer: GroupConsumer,
    inspector: Arc<ProcessBound<Inspector>>,
    topic: String,
    group: String,
    partitions: Arc<Partitions>,
    commit_mode: Mode,
    claim_wait: Duration,
    join_wait: Duration,
    /// When this worker joined the group.
    joined: Instant,
    /// Whether a claim of this worker has handed out an item.
    handed_out: AtomicBool,
    last_commit: Mutex<Instant>,
    membership_lost: AtomicBool,
    /// Since when this worker's strict commits have had no answer (the coordinator failing
    /// over, or out of reach): until one is answered it hands nothing out.
    unconfirmed_since: Mutex<Option<Instant>>,
    /// How long it may stay so before it gives its partitions up and is replaced.
    unconfirmed_limit: Duration,
    idle_leave: Option<Duration>,
    /// When PHP last used this worker (a claim's end, a delete, a release).
    last_used: Mutex<Instant>,
    /// When a claim last found the queue drained, or waited for it in vain.
    drained_at: Mutex<Option<Instant>>,
    /// What the last full look at the topic found: the partitions this worker did not own
    /// then held no live items, at these high watermarks.
    others_empty: Mutex<Option<OthersEmpty>>,
}

/// The partitions of the topic and, for those another worker owned, their high watermarks
/// when they were found to hold no live items. Deletions only make fewer items live, so they
/// still hold none while their high watermarks have not moved.
struct OthersEmpty {
    partition_count: usize,
    highs: BTreeMap<i32, i64>,
}

impl Worker {
    pub fn new(
        settings: &Settings,
        topic: &str,
        inspector: Arc<ProcessBound<Inspector>>,
    ) -> Result<Self> {
        let partitions = Arc::new(Partitions::default());
        let group = settings.group_for(topic);
        let consumer = GroupConsumer::new(
            &settings.client(),
            &group,
            topic,
            Arc::clone(&partitions) as Arc<dyn GroupListener>,
        )
        .map_err(|e| QueueError::kafka(format!("cannot join group \"{group}\""), e))?;
        Ok(Worker {
            consumer,
            inspector,
            topic: topic.to_string(),
            group,
            partitions,
            commit_mode: settings.commit,
            claim_wait: settings.claim_wait,
            join_wait: settings.join_wait,
            joined: Instant::now(),
            handed_out: AtomicBool::new(false),
            last_commit: Mutex::new(Instant::now()),
            membership_lost: AtomicBool::new(false),
            unconfirmed_since: Mutex::new(None),
            unconfirmed_limit: settings.timeout * UNCONFIRMED_TIMEOUTS,
            idle_leave: settings.idle_leave,
            last_used: Mutex::new(Instant::now()),
            drained_at: Mutex::new(None),
            others_empty: Mutex::new(None),
        })
    }

    /// Claims the next item, waiting at most the claim wait; `None` at once when every owned
    /// partition is known to be drained.
    pub fn claim(&self, lease: Duration) -> Result<Option<Claimed>> {
        let claimed = self.claim_within(lease);
        if matches!(claimed, Ok(Some(_))) {
            self.handed_out.store(true, Ordering::Relaxed);
        }
        self.used();
        claimed
    }

    fn used(&self) {
        *self.last_used.lock() = Instant::now();
    }

    /// Whether this worker should give its partitions back: it holds no running claim and has
    /// not been used for the idle time.
    pub fn idle(&self, now: Instant) -> bool {
        let Some(idle_leave) = self.idle_leave else {
            return false;
        };
        now.duration_since(*self.last_used.lock()) >= idle_leave
            && !self
                .partitions
                .states
                .lock()
                .values()
                .any(|s| s.has_running_claims(now))
    }

    /// Claims the next item. On a queue found drained, the claim answers at once; a claim that
    /// comes again within the claim wait after that answer (a worker polling in a loop) waits
    /// instead, up to the claim wait, for an item to arrive, and asks the brokers nothing of
    /// its own: it is handed the item as soon as the consumer's fetch brings it. Until it hands out
    /// its first item, a worker that joined a busy queue waits up to the join wait for the
    /// group to hand it partitions.
    fn claim_within(&self, lease: Duration) -> Result<Option<Claimed>> {
        // A lease longer than a century means "until released": it keeps Instant arithmetic
        // from overflowing.
        let lease = lease.min(MAX_LEASE);
        let mut now = Instant::now();
        let deadline = now + self.claim_wait;
        // Taken: a claim that hands out an item leaves it empty.
        let waiting = self
            .drained_at
            .lock()
            .take()
            .is_some_and(|at| now.duration_since(at) < self.claim_wait);
        let mut wait = Duration::ZERO;
        loop {
            if !self.confirmed()? {
                return Ok(None);
            }
            if let Some(item) = self.claim_ready(now, lease) {
                return Ok(Some(item));
            }
            // Take what librdkafka already holds before deciding anything; the first look
            // does not wait.
            if let Some(item) = self.take_one(wait, now + lease)? {
                return Ok(Some(item));
            }
            now = Instant::now();
            let drained = !waiting && self.drained();
            // Not drained before this worker's first item: the items are in partitions the
            // group has yet to move to it, or has just moved (a worker that joins a busy queue).
            let deadline = if !self.handed_out.load(Ordering::Relaxed) {
                deadline.max(self.joined + self.join_wait)
            } else {
                deadline
            };
            if drained || now >= deadline {
                if drained || waiting {
                    *self.drained_at.lock() = Some(now);
                }
                self.commit_if_due(now, true)?;
                return Ok(None);
            }
            self.commit_if_due(now, false)?;
            if self.membership_lost() {
                return Ok(None);
            }
            wait = deadline.saturating_duration_since(now).min(POLL_SLICE);
        }
    }

    /// Polls for one record and hands it to its partition's state; returns it claimed when it
    /// is claimable now. A refused principal or connection is an error of the claim, not an
    /// empty queue; other consumer errors are reported and the claim goes on.
    fn take_one(&self, wait: Duration, expires: Instant) -> Result<Option<Claimed>> {
        Ok(
            match self
                .consumer
                .poll(wait, |r| (r.partition, r.offset, to_item(&r)))
            {
                Polled::Record((partition, offset, item)) => {
                    let mut states = self.partitions.states.lock();
                    let Some(state) = states.get_mut(&partition) else {
                        return Ok(None);
                    };
                    if offset < state.base()
                        && self
                            .consumer
                            .cached_high_watermark(partition)
                            .is_some_and(|high| high < state.base())
                    {
                        // The log ends below the committed base: the topic was re-created.
                        state.restart_at(offset);
                    }
                    let fetched = state.fetched(offset, item, now_ms());
                    let lost = state.take_lost_to_retention();
                    if lost > 0 {
                        report::warn(&format!(
                        "kafka_queue: {lost} items of topic \"{}\", partition {partition}, were \
                         removed by Kafka's retention before they were processed",
                        self.topic
                    ));
                    }
                    match fetched {
                        Fetched::Claimable => state.claim_ready(expires),
                        Fetched::Repeat { first } => {
                            report::warn(&format!(
                                "kafka_queue: topic \"{}\", partition {partition}: the record at \
                                 offset {offset} repeats the one at offset {first} (a producer \
                                 retry wrote it twice); it is not handed out",
                                self.topic
                            ));
                            None
                        }
                        Fetched::AlreadyDone | Fetched::Delayed | Fetched::BelowBase => None,
                    }
                }
                Polled::Nothing => None,
                Polled::Error(e) if e.is_access_denied() => {
                    return Err(QueueError::kafka(
                        format!("cannot claim from topic \"{}\"", self.topic),
                        e,
                    ))
                }
                Polled::Error(e) => {
                    report::warn(&format!("kafka_queue: consumer: {e}"));
                    None
                }
            },
        )
    }

    fn claim_ready(&self, now: Instant, lease: Duration) -> Option<Claimed> {
        let now_ms = now_ms();
        let mut states = self.partitions.states.lock();
        for state in states.values_mut() {
            state.refresh(now, now_ms);
            if let Some(item) = state.claim_ready(now + lease) {
                return Some(item);
            }
        }
        None
    }

    /// The queue is known to hold nothing this worker could claim: every partition it owns has
    /// been read up to its end, and no other partition of the topic has live items (which a
    /// rebalance could still hand over, or which another worker is busy with).
    ///
    /// The cached watermarks of the last fetch responses answer for free when items are left.
    /// When they say "drained", the leaders are asked for their high watermarks (one request
    /// each, through the inspector's connection, which no long-polling fetch holds up), so
    /// that an item produced a moment ago is not missed because its fetch response is still on
    /// its way. The other partitions are looked at in full (watermarks and the group's
    /// deleted lists) only when one of them has grown since it was last found empty.
    fn drained(&self) -> bool {
        if !self.consumer.assignment_seen() {
            return false;
        }
        let owned: BTreeMap<i32, i64> = {
            let states = self.partitions.states.lock();
            if states.values().any(|s| s.has_ready()) {
                return false;
            }
            states.iter().map(|(&p, s)| (p, s.next_fetch())).collect()
        };
        let read_to_end = |next: i64, high: Option<i64>| high.is_some_and(|h| next >= h);
        if !owned
            .iter()
            .all(|(&p, &next)| read_to_end(next, self.consumer.cached_high_watermark(p)))
        {
            return false;
        }
        let Some(inspector) = self.inspector.get() else {
            return false;
        };
        let mut others_empty = self.others_empty.lock();
        if let Some(known) = others_empty.as_ref() {
            let Ok(highs) = inspector.high_watermarks(&self.topic, known.partition_count) else {
                return false;
            };
            if !owned
                .iter()
                .all(|(&p, &next)| read_to_end(next, highs.get(p as usize).copied()))
            {
                return false;
            }
            let others_unchanged = (0..known.partition_count as i32)
                .filter(|p| !owned.contains_key(p))
                .all(|p| known.highs.get(&p) == highs.get(p as usize));
            if others_unchanged {
                return true;
            }
        }
        let Ok(views) = inspector.partitions(&self.topic, &self.group) else {
            return false;
        };
        let drained = views.iter().all(|v| match owned.get(&v.partition) {
            Some(&next) => next >= v.high,
            None => {
                let (base, metadata) = v.committed.clone().unwrap_or((v.low, String::new()));
                let done = deleted::decode(base, &metadata)
                    .map(|d| d.done)
                    .unwrap_or_default();
                deleted::live_items(base, &done, v.low, v.high) == 0
            }
        });
        *others_empty = drained.then(|| OthersEmpty {
            partition_count: views.len(),
            highs: views
                .iter()
                .filter(|v| !owned.contains_key(&v.partition))
                .map(|v| (v.partition, v.high))
                .collect(),
        });
        drained
    }

    fn with_state<T>(
        &self,
        partition: i32,
        f: impl FnOnce(&mut PartitionState) -> Result<T, Refusal>,
    ) -> Result<T, Refusal> {
        let mut states = self.partitions.states.lock();
        f(states.get_mut(&partition).ok_or(Refusal::NotHeld)?)
    }

    /// The held item at that position, if the id matches.
    pub fn held(&self, partition: i32, offset: i64, item_id: &str) -> Result<Claimed, Refusal> {
        self.with_state(partition, |s| s.held_item(offset, item_id))
    }

    pub fn delete(
        &self,
        partition: i32,
        offset: i64,
        item_id: &str,
    ) -> Result<Result<(), Refusal>> {
        self.used();
        if let Err(e) = self.with_state(partition, |s| s.delete(offset, item_id)) {
            return Ok(Err(e));
        }
        match self.commit_mode {
            Mode::Strict => self.commit_now(true)?,
            Mode::Fast => self.commit_if_due(Instant::now(), false)?,
        }
        if self.membership_lost() {
            // The deletion could not be committed: the partition's new owner will deliver the
            // item again, as after a worker's death.
            return Ok(Err(Refusal::NotHeld));
        }
        Ok(Ok(()))
    }

    /// The group dropped this worker (its session expired while the brokers were out of
    /// reach, or it was fenced), or it was given partitions whose deleted lists it could not
    /// read: it must be replaced.
    pub fn membership_lost(&self) -> bool {
        self.membership_lost.load(Ordering::Relaxed) || self.consumer.start_failed()
    }

    pub fn release(&self, partition: i32, offset: i64, item_id: &str) -> Result<(), Refusal> {
        self.used();
        self.with_state(partition, |s| s.release(offset, item_id))
    }

    /// The group consumer's latest librdkafka statistics, when they are turned on.
    pub fn statistics(&self) -> Option<ClientStatistics> {
        self.consumer.statistics()
    }

    /// Items claimed and not yet deleted or released, by this process.
    pub fn claimed_count(&self) -> usize {
        self.partitions
            .states
            .lock()
            .values()
            .map(|s| s.claimed_count())
            .sum()
    }

    /// Runs `f` on the state of an owned partition.
    pub fn inspect<T>(
        &self,
        partition: i32,
        f: impl FnOnce(&mut PartitionState) -> T,
    ) -> Option<T> {
        self.partitions.states.lock().get_mut(&partition).map(f)
    }

    fn commit_if_due(&self, now: Instant, force: bool) -> Result<()> {
        let due = force || now.duration_since(*self.last_commit.lock()) >= FAST_COMMIT_INTERVAL;
        if due {
            self.commit_now(self.commit_mode == Mode::Strict || force)?;
        }
        Ok(())
    }

    /// Commits every changed deleted list; `strict` waits for the broker. When the group says
    /// this worker is no longer a member, everything it held is dropped (its partitions belong
    /// to others) and the worker is marked for replacement; that is not an error of the call.
    pub fn commit_now(&self, strict: bool) -> Result<()> {
        self.commit_states(strict, false)
    }

    fn commit_states(&self, strict: bool, giving_up: bool) -> Result<()> {
        let commits = {
            let mut states = self.partitions.states.lock();
            self.partitions.commits(&mut states, None, giving_up)
        };
        *self.last_commit.lock() = Instant::now();
        if commits.is_empty() {
            return Ok(());
        }
        match self.consumer.commit(&commits, strict) {
            Ok(()) => *self.unconfirmed_since.lock() = None,
            Err(e @ KafkaError::NotAMember(_)) => {
                self.give_up_partitions();
                report::warn(&format!(
                    "kafka_queue: topic \"{}\": {e}; the items this worker held go to the \
                     partitions' new owners, and a new worker joins the group",
                    self.topic
                ));
                return Ok(());
            }
            Err(e) => {
                if matches!(e, KafkaError::TimedOut | KafkaError::Unreachable(_)) {
                    // No answer: the group may have given these partitions to another member
                    // meanwhile (a session expires while the coordinator is out of reach), so
                    // nothing held here is handed out until a commit is answered (a fenced
                    // worker whose commits kept timing out re-delivered items that the
                    // partition's new owner had deleted: chaos scenario `fenced`). The
                    // membership is kept meanwhile: a coordinator that fails over keeps the
                    // group's members, and a new member would wait for this one's session
                    // to end before it got any partition.
                    let since = *self
                        .unconfirmed_since
                        .lock()
                        .get_or_insert_with(Instant::now);
                    if since.elapsed() >= self.unconfirmed_limit {
                        self.give_up_partitions();
                    }
                }
                return Err(QueueError::kafka(
                    format!(
                        "deletions on topic \"{}\" are not confirmed by Kafka (those items may \
                         be delivered again)",
                        self.topic
                    ),
                    e,
                ));
            }
        }
        let mut states = self.partitions.states.lock();
        for c in &commits {
            if let Some(state) = states.get_mut(&c.partition) {
                if state.base() == c.offset {
                    state.committed(giving_up);
                }
            }
        }
        Ok(())
    }

    /// Whether this worker may hand items out: its last strict commit was answered, or a
    /// commit of every owned partition's state, sent now, is. A commit that still gets no
    /// answer is an empty claim, not an error.
    fn confirmed(&self) -> Result<bool> {
        if self.unconfirmed_since.lock().is_none() {
            return Ok(true);
        }
        self.partitions
            .states
            .lock()
            .values_mut()
            .for_each(PartitionState::recommit);
        match self.commit_states(true, false) {
            Ok(()) => {
                // Nothing owned: nothing to prove.
                *self.unconfirmed_since.lock() = None;
                Ok(true)
            }
            Err(QueueError::Kafka {
                error: KafkaError::TimedOut | KafkaError::Unreachable(_),
                ..
            }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Drops everything held (the partitions belong to others now, or may) and marks the
    /// worker for replacement by a new group member at the next claim.
    fn give_up_partitions(&self) {
        self.partitions.states.lock().clear();
        self.membership_lost.store(true, Ordering::Relaxed);
    }

    /// Commits what is left, leases included, and leaves the group, within the configured
    /// timeout.
    pub fn close(self) {
        if let Err(e) = self.commit_states(true, true) {
            report::warn(&format!(
                "kafka_queue: could not commit deleted items when leaving the group; they may be \
                 delivered again: {e}"
            ));
        }
        if !self.consumer.close() {
            report::warn("kafka_queue: the consumer could not leave its group in time (brokers unreachable?); it was abandoned");
        }
    }
}

/// Turns a fetched record into an item. A record this extension did not write is delivered as
/// a plain string, with an id made of its position, rather than dropped.
fn to_item(record: &crate::kafka::consumer::Record<'_>) -> Item {
    let created_ms = record.timestamp_ms.unwrap_or_else(now_ms);
    match envelope::decode(record.value) {
        Ok(env) => Item {
            id: env.item_id.to_string(),
            kind: env.kind,
            payload: env.payload.to_vec(),
            created_ms,
            not_before_ms: env.not_before_ms,
            partition: record.partition,
            offset: record.offset,
        },
        Err(_) => Item {
            id: format!("{}@{}", record.partition, record.offset),
            kind: PayloadKind::RawString,
            payload: record.value.to_vec(),
            created_ms,
            not_before_ms: None,
            partition: record.partition,
            offset: record.offset,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(offset: i64) -> Item {
        Item {
            id: format!("item-{offset}"),
            kind: PayloadKind::RawString,
            payload: Vec::new(),
            created_ms: 0,
            not_before_ms: None,
            partition: 0,
            offset,
        }
    }

    fn start(committed: Committed) -> Start {
        Start {
            committed,
            high_watermark: 3,
        }
    }

    /// An owner of partition 0, never committed, that has read its three records.
    fn owner_of_three_records() -> Partitions {
        let owner = Partitions::default();
        owner.assigned(vec![start(Committed {
            partition: 0,
            offset: 0,
            metadata: String::new(),
        })]);
        {
            let mut states = owner.states.lock();
            let state = states.get_mut(&0).expect("assigned");
            for offset in 0..3 {
                assert_eq!(
                    state.fetched(offset, item(offset), now_ms()),
                    Fetched::Claimable
                );
            }
        }
        owner
    }

    #[test]
    fn a_revoked_partition_passes_its_deletions_and_leases_to_the_next_owner() {
        let old = owner_of_three_records();
        {
            let mut states = old.states.lock();
            let state = states.get_mut(&0).expect("assigned");
            let lease_end = Instant::now() + Duration::from_secs(60);
            let leased = state.claim_ready(lease_end).expect("offset 0");
            let deleted = state.claim_ready(lease_end).expect("offset 1");
            assert_eq!((leased.offset, deleted.offset), (0, 1));
            state.delete(deleted.offset, &deleted.id).unwrap();
        }

        let commits = old.revoking(&[0]);
        assert_eq!(commits.len(), 1, "the partition's final commit");
        assert!(old.states.lock().is_empty(), "the old owner forgets it");

        let new = Partitions::default();
        new.assigned(commits.into_iter().map(start).collect());
        let mut states = new.states.lock();
        let state = states.get_mut(&0).expect("assigned");
        let now = now_ms();
        let fetched: Vec<Fetched> = (state.next_fetch()..3)
            .map(|offset| state.fetched(offset, item(offset), now))
            .collect();
        assert_eq!(
            fetched,
            [Fetched::Delayed, Fetched::AlreadyDone, Fetched::Claimable],
            "offset 0 waits out the old owner's lease, offset 1 stays deleted"
        );
        let far = Instant::now() + Duration::from_secs(120);
        assert_eq!(state.claim_ready(far).map(|i| i.offset), Some(2));
        assert!(state.claim_ready(far).is_none());
    }

    #[test]
    fn a_deleted_list_written_past_the_partitions_end_is_not_trusted() {
        let old = owner_of_three_records();
        {
            let mut states = old.states.lock();
            let state = states.get_mut(&0).expect("assigned");
            let far = Instant::now() + Duration::from_secs(60);
            let first = state.claim_ready(far).unwrap();
            let second = state.claim_ready(far).unwrap();
            state.delete(second.offset, &second.id).unwrap();
            state.release(first.offset, &first.id).unwrap();
        }
        let commits = old.revoking(&[0]);
        // The topic was re-created with fewer records than the old owner read.
        let new = Partitions::default();
        new.assigned(
            commits
                .into_iter()
                .map(|committed| Start {
                    committed,
                    high_watermark: 1,
                })
                .collect(),
        );
        let mut states = new.states.lock();
        let state = states.get_mut(&0).expect("assigned");
        assert!(state.done().is_empty(), "the deleted list is ignored");
    }
}
