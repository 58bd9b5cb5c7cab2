//! The state of one partition owned by this worker: what is claimed, released, delayed and
//! deleted, and the commit point that makes deletions durable.
//!
//! Invariants: every offset below `base` is done; `base` itself is not done; `done` holds only
//! offsets above `base`. An item is in at most one of `claimed`, `ready` and `delayed`.
//!
//! Leases outlive the owner: the commit a worker makes when it gives a partition up carries the
//! lease ends of the items it holds, every commit those an earlier owner had leased
//! (`inherited`, until they end), and an item under an inherited lease waits, like a delayed
//! one, until the lease ends.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use super::deleted::{self, OffsetSet};
use super::envelope::PayloadKind;
use super::leases::Leases;
use super::rewritten::RecentItems;

/// One queue item as read from Kafka.
#[derive(Debug, PartialEq, Eq)]
pub struct Item {
    pub id: String,
    pub kind: PayloadKind,
    pub payload: Vec<u8>,
    pub created_ms: i64,
    pub not_before_ms: Option<i64>,
    pub partition: i32,
    pub offset: i64,
}

/// What the tracker made of a fetched record.
#[derive(Debug, PartialEq, Eq)]
pub enum Fetched {
    /// Claimable now; [`PartitionState::claim_ready`] hands it out.
    Claimable,
    /// Already deleted: skipped.
    AlreadyDone,
    /// A second copy of a record the producer wrote twice (see [`super::rewritten`]): marked
    /// done, never handed out. `first` is the offset of the first copy.
    Repeat { first: i64 },
    /// Delayed until its not-before time; kept in memory.
    Delayed,
    /// Below the committed base: done, unless the topic was re-created (see
    /// [`PartitionState::restart_at`]).
    BelowBase,
}

/// Why an item given back by PHP was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// This worker holds no item at that offset (never claimed, or its partition moved on).
    NotHeld,
    /// The offset is held, but by an item with another id: a forged or foreign item.
    WrongItem,
}

#[derive(Debug)]
struct Claim {
    item: Arc<Item>,
    expires: Instant,
}

#[derive(Debug)]
pub struct PartitionState {
    partition: i32,
    base: i64,
    done: OffsetSet,
    next_fetch: i64,
    claimed: BTreeMap<i64, Claim>,
    ready: BTreeMap<i64, Arc<Item>>,
    /// Items not claimable before a time (Unix ms): their not-before time, or an inherited
    /// lease end, whichever is later.
    delayed: BTreeMap<i64, (Arc<Item>, i64)>,
    /// Leases committed by an earlier owner that have not ended yet.
    inherited: Leases,
    /// The base and deleted list changed since the last commit.
    dirty: bool,
    /// Claims were made or ended since the last commit: the committed leases are out of date.
    leases_changed: bool,
    /// Offsets that vanished from Kafka (retention) while this worker read past them, before
    /// anyone deleted them; reported and reset by the worker.
    lost_to_retention: u64,
    /// The items of the records read last, to recognise a record written twice.
    recent: RecentItems,
}

impl PartitionState {
    /// State for a partition whose committed offset is `base` with deleted list `done`.
    pub fn new(partition: i32, base: i64, done: OffsetSet) -> Self {
        let mut state = PartitionState {
            partition,
            base,
            done,
            next_fetch: base,
            claimed: BTreeMap::new(),
            ready: BTreeMap::new(),
            delayed: BTreeMap::new(),
            inherited: Leases::new(),
            dirty: false,
            leases_changed: false,
            lost_to_retention: 0,
            recent: RecentItems::default(),
        };
        state.done.remove_below(base + 1);
        state
    }

    /// Adds the leases an earlier owner committed; those of done offsets are dropped.
    pub fn with_leases(mut self, mut leases: Leases) -> Self {
        leases.retain_offsets(|o| o >= self.base && !self.done.contains(o));
        self.inherited = leases;
        self
    }

    pub fn base(&self) -> i64 {
        self.base
    }

    pub fn next_fetch(&self) -> i64 {
        self.next_fetch
    }

    pub fn done(&self) -> &OffsetSet {
        &self.done
    }

    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Makes the next commit carry this partition's state even if nothing changed: a commit
    /// that succeeds proves the worker still owns it.
    pub fn recommit(&mut self) {
        self.dirty = true;
    }

    /// Whether a worker giving this partition up must commit first: deletions, or leases that
    /// changed since the last commit.
    pub fn needs_final_commit(&self) -> bool {
        self.dirty || self.leases_changed
    }

    pub fn claimed_count(&self) -> usize {
        self.claimed.len()
    }

    /// Whether an item is claimed here with a lease still running at `now`.
    pub fn has_running_claims(&self, now: Instant) -> bool {
        self.claimed.values().any(|c| c.expires > now)
    }

    /// Items that retention removed before they were deleted, found since the last call.
    pub fn take_lost_to_retention(&mut self) -> u64 {
        std::mem::take(&mut self.lost_to_retention)
    }

    /// Takes in the record at `offset`, in fetch order.
    pub fn fetched(&mut self, offset: i64, item: Item, now_ms: i64) -> Fetched {
        if offset < self.next_fetch {
            // Fetched again (a retried fetch, or a record of an earlier assignment): this
            // worker holds it, or it is done.
            return if offset < self.base {
                Fetched::BelowBase
            } else {
                Fetched::AlreadyDone
            };
        }
        if offset > self.next_fetch {
            // Offsets skipped by the fetch were removed by retention.
            let from = self.next_fetch.max(self.base);
            if offset > from {
                self.lost_to_retention += self.mark_done_range(from, offset);
            }
        }
        self.next_fetch = offset + 1;
        let earlier = self
            .recent
            .earlier_copy(&item.id, item.not_before_ms, offset);
        if let Some(first) = earlier.filter(|_| offset >= self.base && !self.done.contains(offset))
        {
            self.mark_done_range(offset, offset + 1);
            return Fetched::Repeat { first };
        }
        if offset < self.base || self.done.contains(offset) {
            self.advance_base();
            return Fetched::AlreadyDone;
        }
        let item = Arc::new(item);
        let due = item
            .not_before_ms
            .into_iter()
            .chain(self.inherited.get(offset))
            .max();
        if let Some(due) = due.filter(|&t| t > now_ms) {
            self.delayed.insert(offset, (item, due));
            return Fetched::Delayed;
        }
        self.ready.insert(offset, item);
        Fetched::Claimable
    }

    /// The topic was re-created (its log ends below the committed base): the committed state
    /// belongs to an earlier topic of the same name, and starts over at `offset`.
    pub fn restart_at(&mut self, offset: i64) {
        *self = PartitionState::new(self.partition, offset, OffsetSet::new());
    }

    /// Makes expired leases and due delays claimable again.
    pub fn refresh(&mut self, now: Instant, now_ms: i64) {
        let expired: Vec<i64> = self
            .claimed
            .iter()
            .filter(|(_, c)| c.expires <= now)
            .map(|(&o, _)| o)
            .collect();
        for offset in expired {
            if let Some(claim) = self.claimed.remove(&offset) {
                self.ready.insert(offset, claim.item);
            }
        }
        let due: Vec<i64> = self
            .delayed
            .iter()
            .filter(|(_, (_, due))| *due <= now_ms)
            .map(|(&o, _)| o)
            .collect();
        for offset in due {
            if let Some((item, _)) = self.delayed.remove(&offset) {
                self.ready.insert(offset, item);
            }
        }
        self.inherited.retain_running(now_ms);
    }

    pub fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }

    /// Claims the lowest claimable offset.
    pub fn claim_ready(&mut self, expires: Instant) -> Option<Arc<Item>> {
        let (offset, item) = self.ready.pop_first()?;
        self.leases_changed = true;
        self.claimed.insert(
            offset,
            Claim {
                item: Arc::clone(&item),
                expires,
            },
        );
        Some(item)
    }

    /// The item this worker holds at `offset` (claimed, released or delayed), if its id matches.
    pub fn held_item(&self, offset: i64, item_id: &str) -> Result<Arc<Item>, Refusal> {
        let held = self
            .claimed
            .get(&offset)
            .map(|c| &c.item)
            .or_else(|| self.ready.get(&offset))
            .or_else(|| self.delayed.get(&offset).map(|(item, _)| item));
        match held {
            Some(item) if item.id == item_id => Ok(Arc::clone(item)),
            Some(_) => Err(Refusal::WrongItem),
            None => Err(Refusal::NotHeld),
        }
    }

    /// Deletes a held item. The deletion is durable once [`Self::commit_point`] is committed.
    pub fn delete(&mut self, offset: i64, item_id: &str) -> Result<(), Refusal> {
        self.held_item(offset, item_id)?;
        self.claimed.remove(&offset);
        self.ready.remove(&offset);
        self.delayed.remove(&offset);
        self.inherited.remove(offset);
        self.mark_done_range(offset, offset + 1);
        Ok(())
    }

    /// Makes a claimed item claimable again at once.
    pub fn release(&mut self, offset: i64, item_id: &str) -> Result<(), Refusal> {
        self.held_item(offset, item_id)?;
        if let Some(claim) = self.claimed.remove(&offset) {
            self.ready.insert(offset, claim.item);
            self.leases_changed = true;
        }
        Ok(())
    }

    /// Marks `[start, end)` done; returns how many offsets were not done before.
    fn mark_done_range(&mut self, start: i64, end: i64) -> u64 {
        let start = start.max(self.base);
        if start >= end {
            return 0;
        }
        let added = self.done.insert_range(start, end);
        self.advance_base();
        self.dirty = true;
        added
    }

    fn advance_base(&mut self) {
        while let Some(end) = self.done.take_run_at(self.base) {
            self.base = end;
            self.dirty = true;
        }
    }

    /// Drops deleted-list entries below `low_watermark` (records no longer in Kafka), and
    /// returns how many of the records below it had not been deleted: lost to retention.
    pub fn trim_to(&mut self, low_watermark: i64) -> u64 {
        // Items this worker still holds in memory stay deliverable, even if Kafka dropped them.
        let mut held: Vec<i64> = self
            .claimed
            .range(..low_watermark)
            .map(|(&o, _)| o)
            .chain(self.ready.range(..low_watermark).map(|(&o, _)| o))
            .chain(self.delayed.range(..low_watermark).map(|(&o, _)| o))
            .collect();
        held.sort_unstable();
        let mut lost = 0;
        let mut from = self.base;
        for offset in held.into_iter().chain(std::iter::once(low_watermark)) {
            lost += self.mark_done_range(from, offset);
            from = from.max(offset + 1);
        }
        lost
    }

    /// The leases running at `now` (Unix time `now_ms`): the inherited leases of items not
    /// deleted since, and with `own` this worker's claims.
    pub fn leases(&self, now: Instant, now_ms: i64, own: bool) -> Leases {
        let mut leases = self.inherited.clone();
        leases.retain_running(now_ms);
        if !own {
            return leases;
        }
        for (&offset, claim) in &self.claimed {
            if let Some(left) = claim.expires.checked_duration_since(now) {
                let left_ms = i64::try_from(left.as_millis()).unwrap_or(i64::MAX);
                leases.insert(offset, now_ms.saturating_add(left_ms));
            }
        }
        leases
    }

    /// The offset and metadata to commit at Unix time `now_ms`, and what did not fit;
    /// `giving_up`: the worker is about to lose the partition, its claims' leases go with it.
    pub fn commit_point(
        &self,
        budget: usize,
        now_ms: i64,
        giving_up: bool,
    ) -> (i64, deleted::Encoded) {
        let leases = self.leases(Instant::now(), now_ms, giving_up);
        (
            self.base,
            deleted::encode(self.base, &self.done, self.next_fetch, &leases, budget),
        )
    }

    /// Records that a commit of the current state succeeded (`giving_up`: with the leases).
    pub fn committed(&mut self, giving_up: bool) {
        self.dirty = false;
        self.leases_changed &= !giving_up;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn item(offset: i64, not_before_ms: Option<i64>) -> Item {
        Item {
            id: format!("id{offset}"),
            kind: PayloadKind::RawString,
            payload: offset.to_string().into_bytes(),
            created_ms: 0,
            not_before_ms,
            partition: 0,
            offset,
        }
    }

    fn fetch_all(state: &mut PartitionState, offsets: std::ops::Range<i64>) {
        for o in offsets {
            state.fetched(o, item(o, None), 0);
        }
    }

    #[test]
    fn claims_in_offset_order_and_never_twice() {
        let mut s = PartitionState::new(0, 0, OffsetSet::new());
        fetch_all(&mut s, 0..3);
        let far = Instant::now() + Duration::from_secs(60);
        let got: Vec<i64> = std::iter::from_fn(|| s.claim_ready(far).map(|i| i.offset)).collect();
        assert_eq!(got, vec![0, 1, 2]);
        assert_eq!(s.claimed_count(), 3);
    }

    #[test]
    fn deletes_move_the_base_and_gaps_go_to_the_deleted_list() {
        let mut s = PartitionState::new(0, 0, OffsetSet::new());
        fetch_all(&mut s, 0..4);
        let far = Instant::now() + Duration::from_secs(60);
        while s.claim_ready(far).is_some() {}
        s.delete(1, "id1").unwrap();
        s.delete(2, "id2").unwrap();
        s.release(3, "id3").unwrap();
        assert_eq!(s.base(), 0);
        assert_eq!(s.commit_point(4000, 0, false).1.metadata, "kq1/4,1+2");
        // Offset 0 is still claimed: when the worker gives the partition up, its lease (60 s
        // from time 0) follows the deleted list.
        assert_eq!(s.commit_point(4000, 0, true).1.metadata, "kq1/4,1+2;60,0+0");
        s.delete(0, "id0").unwrap();
        assert_eq!(s.base(), 3);
        assert_eq!(
            s.commit_point(4000, 0, false),
            (
                3,
                deleted::encode(3, &OffsetSet::new(), 4, &Leases::new(), 4000)
            )
        );
        assert!(s.is_dirty());
        assert_eq!(deleted::live_items(s.base(), s.done(), 0, 4), 1);
    }

    #[test]
    fn forged_and_unknown_items_change_nothing() {
        let mut s = PartitionState::new(0, 0, OffsetSet::new());
        fetch_all(&mut s, 0..2);
        let far = Instant::now() + Duration::from_secs(60);
        s.claim_ready(far);
        assert_eq!(s.delete(0, "other"), Err(Refusal::WrongItem));
        assert_eq!(s.delete(7, "id7"), Err(Refusal::NotHeld));
        assert_eq!(s.release(0, "nope"), Err(Refusal::WrongItem));
        assert!(!s.is_dirty());
        assert_eq!(s.claimed_count(), 1);
    }

    #[test]
    fn committed_deletions_are_skipped_after_a_restart() {
        let done = deleted::decode(5, "kq1/3,1+2").unwrap().done;
        let mut s = PartitionState::new(0, 5, done);
        assert_eq!(s.fetched(5, item(5, None), 0), Fetched::Claimable);
        assert_eq!(s.fetched(6, item(6, None), 0), Fetched::AlreadyDone);
        assert_eq!(s.fetched(7, item(7, None), 0), Fetched::AlreadyDone);
        assert_eq!(s.fetched(8, item(8, None), 0), Fetched::Claimable);
        let far = Instant::now() + Duration::from_secs(60);
        assert_eq!(s.claim_ready(far).unwrap().offset, 5);
        s.delete(5, "id5").unwrap();
        assert_eq!(s.base(), 8);
    }

    #[test]
    fn release_and_lease_expiry_make_items_claimable_again() {
        let mut s = PartitionState::new(0, 0, OffsetSet::new());
        fetch_all(&mut s, 0..2);
        let now = Instant::now();
        s.claim_ready(now + Duration::from_secs(60));
        s.claim_ready(now + Duration::from_millis(10));
        assert!(!s.has_ready());
        s.release(0, "id0").unwrap();
        assert!(s.has_ready());
        s.refresh(now + Duration::from_millis(20), 0);
        let far = now + Duration::from_secs(60);
        let again: Vec<i64> = std::iter::from_fn(|| s.claim_ready(far).map(|i| i.offset)).collect();
        assert_eq!(again, vec![0, 1]);
    }

    #[test]
    fn leases_are_committed_and_honoured_by_the_next_owner() {
        let mut s = PartitionState::new(0, 0, OffsetSet::new());
        fetch_all(&mut s, 0..4);
        let now = Instant::now();
        let now_ms = 1_000_000;
        s.claim_ready(now + Duration::from_secs(10));
        s.claim_ready(now + Duration::from_secs(20));
        s.claim_ready(now + Duration::from_secs(30));
        assert!(s.needs_final_commit() && !s.is_dirty());
        s.delete(1, "id1").unwrap();
        s.release(2, "id2").unwrap();
        let leases = s.leases(now, now_ms, true);
        assert_eq!(
            leases.iter().collect::<Vec<_>>(),
            vec![(0, now_ms + 10_000)]
        );
        assert!(s.leases(now, now_ms, false).is_empty());
        s.committed(false);
        assert!(
            s.needs_final_commit(),
            "a commit without the leases leaves them to commit"
        );
        let (base, encoded) = s.commit_point(4000, now_ms, true);
        assert_eq!(encoded.metadata, "kq1/4,1+1;1010,0+0");
        s.committed(true);
        assert!(!s.needs_final_commit());

        // The next owner: offset 0 waits for the lease, 2 (released) and 3 do not.
        let decoded = deleted::decode(base, &encoded.metadata).unwrap();
        let mut next = PartitionState::new(0, base, decoded.done).with_leases(decoded.leases);
        assert_eq!(next.fetched(0, item(0, None), now_ms), Fetched::Delayed);
        assert_eq!(next.fetched(1, item(1, None), now_ms), Fetched::AlreadyDone);
        assert_eq!(next.fetched(2, item(2, None), now_ms), Fetched::Claimable);
        assert_eq!(next.fetched(3, item(3, None), now_ms), Fetched::Claimable);
        // It passes the lease on in every commit until the lease ends.
        let (_, passed_on) = next.commit_point(4000, now_ms + 5_000, false);
        assert_eq!(passed_on.metadata, "kq1/4,1+1;1010,0+0");
        next.refresh(now, now_ms + 9_999);
        let far = now + Duration::from_secs(60);
        let order: Vec<i64> =
            std::iter::from_fn(|| next.claim_ready(far).map(|i| i.offset)).collect();
        assert_eq!(order, vec![2, 3]);
        next.refresh(now, now_ms + 10_000);
        assert_eq!(next.claim_ready(far).map(|i| i.offset), Some(0));
    }

    #[test]
    fn a_record_written_twice_is_handed_out_once() {
        let mut s = PartitionState::new(0, 0, OffsetSet::new());
        let copy = |of: i64, offset| Item {
            offset,
            ..item(of, None)
        };
        let far = Instant::now() + Duration::from_secs(60);
        assert_eq!(s.fetched(0, item(0, None), 0), Fetched::Claimable);
        let deleted = s.claim_ready(far).expect("item 0");
        s.delete(deleted.offset, &deleted.id).unwrap();
        assert_eq!(s.fetched(1, copy(0, 1), 0), Fetched::Repeat { first: 0 });
        assert_eq!(s.fetched(2, item(2, None), 0), Fetched::Claimable);
        let held = s.claim_ready(far).expect("item 2");
        assert_eq!(
            s.fetched(3, copy(2, 3), 0),
            Fetched::Repeat { first: 2 },
            "also while the first copy is held"
        );
        assert!(s.claim_ready(far).is_none(), "no copy is handed out");
        s.delete(held.offset, &held.id).unwrap();
        assert_eq!(s.base(), 4, "the repeats count as done");
        let delayed = Item {
            offset: 4,
            not_before_ms: Some(1),
            ..item(0, None)
        };
        assert_eq!(
            s.fetched(4, delayed, 0),
            Fetched::Delayed,
            "delayItem's copy is no repeat"
        );
    }

    #[test]
    fn delayed_items_wait_for_their_time() {
        let mut s = PartitionState::new(0, 0, OffsetSet::new());
        assert_eq!(s.fetched(0, item(0, Some(1000)), 500), Fetched::Delayed);
        s.refresh(Instant::now(), 999);
        assert!(!s.has_ready());
        s.refresh(Instant::now(), 1000);
        assert!(s.has_ready());
    }

    #[test]
    fn a_rewind_means_the_topic_was_recreated() {
        let done = deleted::decode(100, "kq1/6,1+5").unwrap().done;
        let mut s = PartitionState::new(0, 100, done);
        assert_eq!(s.fetched(0, item(0, None), 0), Fetched::BelowBase);
        assert_eq!(s.base(), 100);
        s.restart_at(0);
        assert_eq!(s.fetched(0, item(0, None), 0), Fetched::Claimable);
        assert_eq!(s.base(), 0);
        assert!(s.done().is_empty());
    }

    #[test]
    fn a_record_fetched_again_changes_nothing() {
        let done = deleted::decode(10, "kq1/5,2+1").unwrap().done;
        let mut s = PartitionState::new(0, 10, done);
        fetch_all(&mut s, 10..15);
        let far = Instant::now() + Duration::from_secs(60);
        assert_eq!(s.claim_ready(far).unwrap().offset, 10);
        // A retried fetch hands out offsets 11..15 again: neither the deleted item (12) nor
        // the held ones come back, and the base and deleted list stay.
        for o in 11..15 {
            assert_eq!(s.fetched(o, item(o, None), 0), Fetched::AlreadyDone);
        }
        assert_eq!((s.base(), s.done().len()), (10, 1));
        let again: Vec<i64> = std::iter::from_fn(|| s.claim_ready(far).map(|i| i.offset)).collect();
        assert_eq!(again, vec![11, 13, 14]);
    }

    #[test]
    fn retention_gaps_are_counted_as_lost_and_trimmed() {
        let mut s = PartitionState::new(0, 0, deleted::decode(0, "kq1/3,2+1").unwrap().done);
        // Offsets 0..5 are gone; 2 had been deleted, so 4 were lost.
        assert_eq!(s.fetched(5, item(5, None), 0), Fetched::Claimable);
        assert_eq!(s.take_lost_to_retention(), 4);
        assert_eq!(s.take_lost_to_retention(), 0);
        assert_eq!(s.base(), 5);

        let mut t = PartitionState::new(0, 0, deleted::decode(0, "kq1/2,1+1").unwrap().done);
        assert_eq!(t.trim_to(3), 2);
        assert_eq!(t.base(), 3);
        assert!(t.done().is_empty());
        assert_eq!(t.trim_to(3), 0);
    }
}
