//! The operations of the queue contract, on top of the Kafka layer.

use std::sync::Arc;
use std::time::Duration;

use super::config::{Mode, Settings};
use super::deleted::{self, live_items, OffsetSet};
use super::envelope::{self, PayloadKind};
use super::error::{QueueError, Result};
use super::ids::next_item_id;
use super::leases::Leases;
use super::registry::{self, ClientKeys};
use super::report;
use super::topic::topic_name;
use super::tracker::{Item, Refusal};
use super::worker::{now_ms, Worker, METADATA_BUDGET};
use crate::kafka::admin::{GroupView, PartitionView};
use crate::kafka::consumer::Committed;
use crate::kafka::producer::{Outgoing, Producer};
use crate::kafka::stats::ClientStatistics;
use crate::process::fork::ProcessBound;

/// What PHP hands back to delete, release or delay an item.
pub struct ItemRef<'a> {
    pub item_id: &'a str,
    pub partition: i32,
    pub offset: i64,
}

/// The status of a queue, for operators.
#[derive(Debug, Default)]
pub struct Status {
    pub topic: String,
    pub group: String,
    pub items: i64,
    pub claimed_here: usize,
    pub deleted_list: u64,
    pub group_state: String,
    /// "consumer" (KIP-848), "classic" or "unknown".
    pub group_protocol: String,
    pub members: Vec<MemberStatus>,
    pub partitions: Vec<PartitionStatus>,
    /// librdkafka's latest statistics of this process's clients for the queue (producer,
    /// group consumer, inspector), when `statistics.interval.ms` turns them on; else empty.
    pub clients: Vec<ClientStatistics>,
}

/// A live member of the queue's group.
#[derive(Debug)]
pub struct MemberStatus {
    pub client_id: String,
    pub host: String,
    pub partitions: Vec<i32>,
}

#[derive(Debug)]
pub struct PartitionStatus {
    pub partition: i32,
    pub low: i64,
    pub high: i64,
    pub committed: Option<i64>,
    /// Records past the committed offset: what the group has not yet moved past.
    pub lag: i64,
    pub deleted: u64,
    pub items: i64,
    /// The client id of the member the partition is assigned to.
    pub owner: Option<String>,
}

/// The client in a registry entry. The registry hands out only entries of this process, so
/// this fails only if the process forked in the middle of a call.
fn current<V>(entry: &ProcessBound<V>) -> Result<&V> {
    entry.get().ok_or_else(|| {
        QueueError::Config("a Kafka client was used across fork(); try the call again".into())
    })
}

pub struct Queue {
    name: String,
    topic: String,
    settings: Settings,
    keys: ClientKeys,
    producer: Option<Arc<ProcessBound<Producer>>>,
    topic_checked: bool,
    /// Fast-mode items handed to the producer and not yet flushed.
    unflushed: bool,
    value: Vec<u8>,
    item_id: String,
}

impl Queue {
    pub fn new(name: &str, settings: Settings) -> Result<Self> {
        settings.validate()?;
        let topic = topic_name(&settings.topic_prefix, name);
        Ok(Queue {
            name: name.to_string(),
            keys: ClientKeys::new(&settings, &topic),
            producer: None,
            topic,
            settings,
            topic_checked: false,
            unflushed: false,
            value: Vec::new(),
            item_id: String::new(),
        })
    }

    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Fails with a message naming the topic and how to provision it when it does not exist.
    fn ensure_topic(&mut self) -> Result<usize> {
        let entry = registry::inspector(&self.keys, &self.settings)?;
        let count = current(&entry)?
            .partition_count(&self.topic)
            .map_err(|e| self.failed("cannot use", e))?;
        self.topic_checked = true;
        Ok(count)
    }

    /// A Kafka error of an operation on this queue: "`what` queue "NAME" (topic "T")".
    fn failed(&self, what: &str, error: crate::kafka::Error) -> QueueError {
        QueueError::kafka(
            format!("{what} queue \"{}\" (topic \"{}\")", self.name, self.topic),
            error,
        )
    }

    /// Queues one item; `payload` is PHP's serialize() output or a raw string.
    pub fn create_item(&mut self, kind: PayloadKind, payload: &[u8]) -> Result<String> {
        if !self.topic_checked {
            self.ensure_topic()?;
        }
        next_item_id(&mut self.item_id);
        envelope::encode_into(&mut self.value, &self.item_id, kind, None, payload);
        let entry = self.producer()?;
        let producer = current(&entry)?;
        let record = Outgoing {
            topic: &self.topic,
            partition: None,
            timestamp_ms: None,
            value: &self.value,
        };
        let sent = match self.settings.delivery {
            Mode::Strict => producer.send_and_wait(&record),
            Mode::Fast => producer.send(&record).map(|()| self.unflushed = true),
        };
        sent.map_err(|e| {
            let what = format!("cannot create item {} in", self.item_id);
            self.failed(&what, e)
        })?;
        Ok(self.item_id.clone())
    }

    /// The process's producer for these settings, remembered by this object: it lives as long
    /// as the process, and the hot path then skips the registry.
    fn producer(&mut self) -> Result<Arc<ProcessBound<Producer>>> {
        match &self.producer {
            Some(p) if p.is_current() => Ok(Arc::clone(p)),
            _ => {
                let p = registry::producer(&self.keys, &self.settings)?;
                self.producer = Some(Arc::clone(&p));
                Ok(p)
            }
        }
    }

    fn worker(&self) -> Result<Arc<ProcessBound<Worker>>> {
        registry::worker(&self.keys, &self.settings)
    }

    pub fn claim_item(&mut self, lease: Duration) -> Result<Option<Arc<Item>>> {
        if !self.topic_checked {
            self.ensure_topic()?;
        }
        if self.unflushed {
            // Items this instance created in fast mode must be claimable by it right away.
            self.flush()?;
        }
        let entry = self.worker()?;
        let claimed = current(&entry)?.claim(lease)?;
        if claimed.is_none() && current(&entry)?.membership_lost() {
            // The group dropped this worker during the claim: a new one joins and tries again.
            drop(entry);
            let entry = self.worker()?;
            return current(&entry)?.claim(lease);
        }
        Ok(claimed)
    }

    /// Runs `f` on this process's worker, if it has one; refusals say why nothing was done.
    fn on_worker<T>(
        &self,
        f: impl FnOnce(&Worker) -> Result<std::result::Result<T, Refusal>>,
    ) -> Result<std::result::Result<T, Refusal>> {
        match registry::existing_worker(&self.keys) {
            Some(entry) => f(current(&entry)?),
            None => Ok(Err(Refusal::NotHeld)),
        }
    }

    fn refused(&self, item: &ItemRef<'_>, refusal: Refusal) -> Result<bool> {
        match refusal {
            // No longer held: its lease ran out and its partition moved, or it was deleted.
            Refusal::NotHeld => Ok(false),
            Refusal::WrongItem => Err(QueueError::InvalidArgument(format!(
                "item {} is not an item of queue \"{}\" (a forged item, or one from another \
                 queue); nothing was changed",
                item.item_id, self.name
            ))),
        }
    }

    pub fn delete_item(&mut self, item: &ItemRef<'_>) -> Result<bool> {
        match self.on_worker(|w| w.delete(item.partition, item.offset, item.item_id))? {
            Ok(()) => Ok(true),
            Err(refusal) => self.refused(item, refusal),
        }
    }

    pub fn release_item(&mut self, item: &ItemRef<'_>) -> Result<bool> {
        match self.on_worker(|w| Ok(w.release(item.partition, item.offset, item.item_id)))? {
            Ok(()) => Ok(true),
            Err(refusal) => self.refused(item, refusal),
        }
    }

    /// Makes the item claimable again no earlier than `delay` from now, durably: a copy with a
    /// not-before time goes to the same partition, then the original is deleted.
    pub fn delay_item(&mut self, item: &ItemRef<'_>, delay_seconds: i64) -> Result<bool> {
        if delay_seconds < 0 {
            return Err(QueueError::InvalidArgument(format!(
                "the delay must be zero or more seconds, got {delay_seconds}"
            )));
        }
        if delay_seconds == 0 {
            return self.release_item(item);
        }
        let held =
            match self.on_worker(|w| Ok(w.held(item.partition, item.offset, item.item_id)))? {
                Ok(held) => held,
                Err(refusal) => return self.refused(item, refusal),
            };
        // Later than the held copy's own not-before time even if the clock stepped back: a copy
        // with the same item id and not-before time would be taken for a repeated record.
        let not_before = now_ms()
            .saturating_add(delay_seconds.saturating_mul(1000))
            .max(held.not_before_ms.map_or(i64::MIN, |t| t.saturating_add(1)));
        envelope::encode_into(
            &mut self.value,
            &held.id,
            held.kind,
            Some(not_before),
            &held.payload,
        );
        let entry = self.producer()?;
        current(&entry)?
            .send_and_wait(&Outgoing {
                topic: &self.topic,
                partition: Some(held.partition),
                timestamp_ms: Some(held.created_ms),
                value: &self.value,
            })
            .map_err(|e| {
                let what = format!("cannot delay item {} of", held.id);
                self.failed(&what, e)
            })?;
        self.delete_item(item)
    }

    /// Flushes this process's pending items so that counts include them.
    pub fn flush(&mut self) -> Result<usize> {
        let entry = self.producer()?;
        let producer = current(&entry)?;
        let in_flight = producer.flush();
        self.unflushed = in_flight > 0;
        let undelivered = producer.take_undelivered();
        let failed = undelivered.len();
        registry::report_undelivered(undelivered);
        Ok(failed + in_flight)
    }

    fn partition_views(&self) -> Result<Vec<PartitionView>> {
        let entry = registry::inspector(&self.keys, &self.settings)?;
        current(&entry)?
            .partitions(&self.topic, &self.group())
            .map_err(|e| self.failed("cannot read the positions of", e))
    }

    fn group(&self) -> String {
        self.settings.group_for(&self.topic)
    }

    /// The queue's group as its coordinator describes it.
    fn describe_group(&self) -> Result<GroupView> {
        let entry = registry::inspector(&self.keys, &self.settings)?;
        current(&entry)?
            .describe_group(&self.group(), &self.topic)
            .map_err(|e| self.failed("cannot describe the group of", e))
    }

    /// The base and deleted list of a partition: this process's live state when it owns the
    /// partition, else the group's last commit.
    fn position(&self, view: &PartitionView) -> Option<(i64, OffsetSet)> {
        let own = registry::existing_worker(&self.keys).and_then(|w| {
            w.get()?
                .inspect(view.partition, |s| (s.base(), s.done().clone()))
        });
        own.or_else(|| {
            let (offset, metadata) = view.committed.as_ref()?;
            let done = deleted::decode(*offset, metadata)
                .map(|d| d.done)
                .unwrap_or_default();
            Some((*offset, done))
        })
    }

    pub fn number_of_items(&mut self) -> Result<i64> {
        if self.unflushed {
            self.flush()?;
        }
        Ok(self
            .partition_views()?
            .iter()
            .map(|v| match self.position(v) {
                Some((base, done)) => live_items(base, &done, v.low, v.high),
                None => v.high - v.low,
            })
            .sum())
    }

    pub fn create_queue(&mut self) -> Result<()> {
        self.ensure_topic()?;
        Ok(())
    }

    /// Every item that exists now is deleted: the group's position moves to the end of each
    /// partition. Kafka accepts that only while no other worker of the site is consuming.
    pub fn delete_queue(&mut self) -> Result<()> {
        if self.unflushed {
            self.flush()?;
        }
        registry::close_worker(&self.keys);
        let views = self.partition_views()?;
        let commits: Vec<Committed> = views
            .iter()
            .map(|v| Committed {
                partition: v.partition,
                offset: v.high,
                metadata: deleted::encode(
                    v.high,
                    &OffsetSet::new(),
                    v.high,
                    &Leases::new(),
                    METADATA_BUDGET,
                )
                .metadata,
            })
            .collect();
        // Idle workers leave within idle_leave_ms: wait for them, at most timeout_ms; busy ones
        // are named in the error (QUEUE_BUSY).
        let deadline = std::time::Instant::now() + self.settings.timeout;
        loop {
            match self.commit_for_group("cannot delete", &commits) {
                Err(QueueError::Busy(_)) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100))
                }
                other => return other,
            }
        }
    }

    /// Commits on behalf of the queue's whole group, which Kafka accepts only while the group
    /// has no live member; otherwise the error names the members and how to see them.
    fn commit_for_group(&self, what: &str, commits: &[Committed]) -> Result<()> {
        let entry = registry::inspector(&self.keys, &self.settings)?;
        let inspector = current(&entry)?;
        let group = self.group();
        match inspector.commit(&group, &self.topic, commits) {
            Err(crate::kafka::Error::GroupBusy(code)) => {
                let members = match inspector.describe_group(&group, &self.topic) {
                    Ok(view) => view
                        .members
                        .iter()
                        .map(|m| format!("client id \"{}\" on {}", m.client_id, m.host))
                        .collect::<Vec<_>>(),
                    Err(_) => Vec::new(),
                };
                let brokers = self
                    .settings
                    .kafka
                    .iter()
                    .find(|(k, _)| k == "bootstrap.servers")
                    .map_or("BROKERS", |(_, v)| v.as_str());
                Err(QueueError::Busy(format!(
                    "{what} queue \"{}\" (topic \"{}\"): {} worker(s) of this site are \
                     consuming it right now ({}; {code:?}); Kafka accepts a commit for the whole \
                     consumer group \"{group}\" only while it has no members. Stop them (cron, \
                     drush queue:run) or let them finish, then try again; see them with: \
                     kafka-consumer-groups.sh --bootstrap-server {brokers} --describe --group \
                     {group} --members",
                    self.name,
                    self.topic,
                    members.len(),
                    members.join(", ")
                )))
            }
            other => other.map_err(|e| self.failed(what, e)),
        }
    }

    /// Drops deleted-list entries below each partition's first offset still in Kafka, and
    /// returns how many items retention removed before anyone processed them.
    pub fn garbage_collection(&mut self) -> Result<u64> {
        let views = self.partition_views()?;
        let worker = registry::existing_worker(&self.keys);
        let mut lost = 0;
        let mut commits = Vec::new();
        for v in &views {
            let owned = worker
                .as_ref()
                .and_then(|w| w.get()?.inspect(v.partition, |s| s.trim_to(v.low)));
            if let Some(n) = owned {
                lost += n;
                continue;
            }
            let Some((base, done)) = self.position(v) else {
                continue;
            };
            if base >= v.low {
                continue;
            }
            lost += (v.low - base) as u64 - done.count_in(base, v.low);
            let mut kept = done;
            kept.remove_below(v.low + 1);
            let leases = v
                .committed
                .as_ref()
                .and_then(|(offset, metadata)| deleted::decode(*offset, metadata).ok())
                .map(|d| d.leases)
                .unwrap_or_default();
            let mut state =
                super::tracker::PartitionState::new(v.partition, v.low, kept).with_leases(leases);
            state.trim_to(v.low);
            let (offset, encoded) = state.commit_point(METADATA_BUDGET, now_ms(), false);
            commits.push(Committed {
                partition: v.partition,
                offset,
                metadata: encoded.metadata,
            });
        }
        if let Some(w) = worker.as_ref().and_then(|w| w.get()) {
            w.commit_now(true)?;
        }
        if !commits.is_empty() {
            match self.commit_for_group("cannot collect the garbage of", &commits) {
                // The owners trim their own partitions as they read past the gap.
                Err(QueueError::Busy(e)) => report::warn(&format!(
                    "kafka_queue: garbage collection left the deleted lists to their owners: {e}"
                )),
                other => other?,
            }
        }
        if lost > 0 {
            report::warn(&format!(
                "kafka_queue: {lost} items of queue \"{}\" were removed by Kafka's retention \
                 before they were processed",
                self.name
            ));
        }
        Ok(lost)
    }

    pub fn status(&mut self) -> Result<Status> {
        let views = self.partition_views()?;
        let group = self.describe_group()?;
        let worker = registry::existing_worker(&self.keys);
        let producer = registry::existing_producer(&self.keys);
        let inspector = registry::inspector(&self.keys, &self.settings)?;
        let clients = [
            producer
                .as_deref()
                .and_then(ProcessBound::get)
                .and_then(Producer::statistics),
            worker
                .as_deref()
                .and_then(ProcessBound::get)
                .and_then(Worker::statistics),
            current(&inspector)?.statistics(),
        ];
        let mut status = Status {
            topic: self.topic.clone(),
            group: self.group(),
            claimed_here: match &worker {
                Some(w) => current(w)?.claimed_count(),
                None => 0,
            },
            group_state: group.state,
            group_protocol: group.protocol,
            members: group
                .members
                .into_iter()
                .map(|m| MemberStatus {
                    client_id: m.client_id,
                    host: m.host,
                    partitions: m.partitions,
                })
                .collect(),
            clients: clients.into_iter().flatten().collect(),
            ..Status::default()
        };
        for v in &views {
            let (committed, deleted, items) = match self.position(v) {
                Some((base, done)) => (
                    Some(base),
                    done.len(),
                    live_items(base, &done, v.low, v.high),
                ),
                None => (None, 0, v.high - v.low),
            };
            let owner = status
                .members
                .iter()
                .find(|m| m.partitions.contains(&v.partition))
                .map(|m| m.client_id.clone());
            status.items += items;
            status.deleted_list += deleted;
            status.partitions.push(PartitionStatus {
                partition: v.partition,
                low: v.low,
                high: v.high,
                committed,
                lag: v.high - committed.unwrap_or(v.low).max(v.low),
                deleted,
                items,
                owner,
            });
        }
        Ok(status)
    }
}

/// The queue's logic on rdkafka's mock cluster (no JVM): the contract itself is tested
/// against a real broker, through PHP (tests/php).
#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::mocking::MockCluster;
    use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
    use std::time::Instant;

    fn queue(
        cluster: &MockCluster<'_, rdkafka::producer::DefaultProducerContext>,
        name: &str,
    ) -> Queue {
        let mut settings = Settings::defaults();
        settings
            .set("bootstrap.servers", &cluster.bootstrap_servers())
            .unwrap();
        settings.set("group.id", "unit").unwrap();
        settings.set("claim_wait_ms", "3000").unwrap();
        Queue::new(name, settings).unwrap()
    }

    fn item_ref(item: &Item) -> ItemRef<'_> {
        ItemRef {
            item_id: &item.id,
            partition: item.partition,
            offset: item.offset,
        }
    }

    #[test]
    fn items_are_claimed_once_deleted_for_good_and_a_drained_queue_answers_at_once() {
        let cluster = MockCluster::new(1).unwrap();
        cluster.create_topic("cycle", 2, 1).unwrap();
        let mut q = queue(&cluster, "cycle");
        let ids: Vec<String> = (0..3)
            .map(|i| {
                q.create_item(PayloadKind::RawString, format!("item {i}").as_bytes())
                    .unwrap()
            })
            .collect();
        let mut claimed = Vec::new();
        while claimed.len() < 3 {
            let item = q
                .claim_item(Duration::from_secs(60))
                .unwrap()
                .expect("an item");
            claimed.push(item);
        }
        let mut got: Vec<String> = claimed.iter().map(|i| i.id.clone()).collect();
        got.sort();
        let mut want = ids.clone();
        want.sort();
        assert_eq!(got, want, "each item once");
        for item in &claimed {
            assert!(q.delete_item(&item_ref(item)).unwrap());
        }
        let start = Instant::now();
        assert!(q.claim_item(Duration::from_secs(60)).unwrap().is_none());
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "drained: no claim wait"
        );
        assert_eq!(q.number_of_items().unwrap(), 0);
    }

    #[test]
    fn a_released_item_is_claimable_again_and_deletions_outlive_the_worker() {
        let cluster = MockCluster::new(1).unwrap();
        cluster.create_topic("handover", 1, 1).unwrap();
        let mut q = queue(&cluster, "handover");
        for i in 0..3 {
            q.create_item(PayloadKind::RawString, format!("{i}").as_bytes())
                .unwrap();
        }
        let first = q.claim_item(Duration::from_secs(60)).unwrap().unwrap();
        assert!(q.release_item(&item_ref(&first)).unwrap());
        let again = q.claim_item(Duration::from_secs(60)).unwrap().unwrap();
        assert_eq!(again.id, first.id, "the released item comes first");
        assert!(q.delete_item(&item_ref(&again)).unwrap());
        // The worker commits its deleted list and leaves; the next one reads it.
        registry::close_worker(&q.keys);
        let mut next = queue(&cluster, "handover");
        let mut rest = Vec::new();
        while let Some(item) = next.claim_item(Duration::from_secs(60)).unwrap() {
            rest.push(item.payload.clone());
            next.delete_item(&item_ref(&item)).unwrap();
        }
        assert_eq!(
            rest,
            vec![b"1".to_vec(), b"2".to_vec()],
            "the deleted item never again"
        );
    }

    #[test]
    fn a_strict_delete_waits_out_a_moving_coordinator() {
        let cluster = MockCluster::new(1).unwrap();
        cluster.create_topic("moving", 1, 1).unwrap();
        let mut q = queue(&cluster, "moving");
        q.create_item(PayloadKind::RawString, b"x").unwrap();
        let item = q.claim_item(Duration::from_secs(60)).unwrap().unwrap();
        // What a rolling restart showed: the new coordinator answers "loading" for a while.
        cluster.request_errors(
            RDKafkaApiKey::OffsetCommit,
            &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS; 6],
        );
        assert!(
            q.delete_item(&item_ref(&item)).unwrap(),
            "deleted once the coordinator is ready, within timeout_ms"
        );
    }

    #[test]
    fn a_fenced_worker_is_replaced_and_its_undeleted_item_comes_back() {
        let cluster = MockCluster::new(1).unwrap();
        cluster.create_topic("fenced", 1, 1).unwrap();
        let mut q = queue(&cluster, "fenced");
        let id = q.create_item(PayloadKind::RawString, b"x").unwrap();
        let item = q.claim_item(Duration::from_secs(60)).unwrap().unwrap();
        // The group no longer counts this worker (its session expired, or it was fenced).
        cluster.request_errors(
            RDKafkaApiKey::OffsetCommit,
            &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID],
        );
        assert!(
            !q.delete_item(&item_ref(&item)).unwrap(),
            "a deletion the group refused is not reported as done"
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        let again = loop {
            if let Some(again) = q.claim_item(Duration::from_secs(60)).unwrap() {
                break again;
            }
            assert!(
                Instant::now() < deadline,
                "the new member gets the partition"
            );
        };
        assert_eq!(
            again.id, id,
            "the item whose deletion was refused comes back"
        );
        assert!(q.delete_item(&item_ref(&again)).unwrap());
        assert!(q.claim_item(Duration::from_secs(60)).unwrap().is_none());
    }

    #[test]
    fn a_worker_whose_commits_go_unanswered_hands_nothing_out_and_goes_on_once_answered() {
        let cluster = MockCluster::new(1).unwrap();
        cluster.create_topic("unanswered", 1, 1).unwrap();
        let mut settings = Settings::defaults();
        settings
            .set("bootstrap.servers", &cluster.bootstrap_servers())
            .unwrap();
        settings.set("group.id", "unit").unwrap();
        settings.set("claim_wait_ms", "1000").unwrap();
        settings.set("timeout_ms", "1000").unwrap();
        let mut q = Queue::new("unanswered", settings).unwrap();
        q.create_item(PayloadKind::RawString, b"first").unwrap();
        let second = q.create_item(PayloadKind::RawString, b"second").unwrap();
        let first = q.claim_item(Duration::from_secs(60)).unwrap().unwrap();
        let worker = registry::existing_worker(&q.keys).unwrap();
        // The coordinator is failing over: requests get no answer within timeout_ms.
        cluster
            .broker_round_trip_time(1, Duration::from_secs(3))
            .unwrap();
        assert!(
            q.delete_item(&item_ref(&first)).is_err(),
            "an unanswered deletion is not reported as done"
        );
        assert!(
            q.claim_item(Duration::from_secs(60)).unwrap().is_none(),
            "nothing is handed out while no commit is answered"
        );
        cluster.broker_round_trip_time(1, Duration::ZERO).unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let next = loop {
            if let Some(next) = q.claim_item(Duration::from_secs(60)).unwrap() {
                break next;
            }
            assert!(Instant::now() < deadline, "the worker goes on");
        };
        assert_eq!(
            next.id, second,
            "the first item's deletion is committed with the next commit"
        );
        assert!(
            Arc::ptr_eq(&worker, &registry::existing_worker(&q.keys).unwrap()),
            "the same member goes on: the group kept it"
        );
        assert!(q.delete_item(&item_ref(&next)).unwrap());
        assert!(q.claim_item(Duration::from_secs(60)).unwrap().is_none());
    }

    #[test]
    fn a_claim_right_after_drained_waits_for_the_next_item() {
        let cluster = MockCluster::new(1).unwrap();
        cluster.create_topic("polling", 1, 1).unwrap();
        let mut q = queue(&cluster, "polling");
        q.create_item(PayloadKind::RawString, b"first").unwrap();
        let first = q.claim_item(Duration::from_secs(60)).unwrap().unwrap();
        q.delete_item(&item_ref(&first)).unwrap();
        assert!(q.claim_item(Duration::from_secs(60)).unwrap().is_none());
        let bootstrap = cluster.bootstrap_servers();
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            let mut settings = Settings::defaults();
            settings.set("bootstrap.servers", &bootstrap).unwrap();
            let mut w = Queue::new("polling", settings).unwrap();
            w.create_item(PayloadKind::RawString, b"late").unwrap()
        });
        let late = q.claim_item(Duration::from_secs(60)).unwrap();
        let id = writer.join().unwrap();
        assert_eq!(
            late.map(|i| i.id.clone()),
            Some(id),
            "handed out within claim_wait_ms"
        );
    }
}
