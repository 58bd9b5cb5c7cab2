//! The group consumer of one queue in one process, and the offset look-ups around it.
//!
//! Rebalances are handed to a [`GroupListener`]: before partitions are revoked it returns what
//! to commit for them (the queue's deleted lists), so that the next owner starts from them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::bindings as rdsys;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext};
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::message::{Message, Timestamp};
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use rdkafka::types::RDKafkaRespErr;
use rdkafka::ClientContext;

use super::stats::{ClientStatistics, Latest};
use super::{client_config, commit_within, millis, About, ClientSettings, Error};
use crate::process::report;

/// A committed position: the offset and its metadata (the deleted list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub partition: i32,
    pub offset: i64,
    pub metadata: String,
}

/// Where a newly owned partition starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start {
    /// The committed offset and deleted list, or the low watermark and an empty list when the
    /// group never committed.
    pub committed: Committed,
    /// The partition's end when it was assigned.
    pub high_watermark: i64,
}

/// What the queue does when the group moves partitions.
pub trait GroupListener: Send + Sync {
    /// Partitions now owned, each with where it starts.
    fn assigned(&self, partitions: Vec<Start>);
    /// Partitions about to be taken away: returns what to commit for them first.
    fn revoking(&self, partitions: &[i32]) -> Vec<Committed>;
}

/// One fetched record, borrowed from the consumer.
pub struct Record<'a> {
    pub partition: i32,
    pub offset: i64,
    pub timestamp_ms: Option<i64>,
    pub value: &'a [u8],
}

/// What one poll produced.
pub enum Polled<T> {
    Record(T),
    Nothing,
    Error(Error),
}

struct GroupContext {
    topic: String,
    timeout: Duration,
    listener: Arc<dyn GroupListener>,
    assignment_seen: AtomicBool,
    /// Partitions were assigned whose committed positions could not be read.
    start_failed: AtomicBool,
    statistics: Latest,
}

impl ClientContext for GroupContext {
    fn stats_raw(&self, json: &[u8]) {
        self.statistics.store(json);
    }
}

impl ConsumerContext for GroupContext {
    /// Partitions are assigned at the offsets the queue read from the group's commit, not left
    /// for librdkafka to look up on its own: two look-ups could straddle a late commit of the
    /// previous owner, and the fetch would then start elsewhere than the deleted list.
    fn rebalance(
        &self,
        consumer: &BaseConsumer<Self>,
        err: RDKafkaRespErr,
        tpl: &mut TopicPartitionList,
    ) {
        let client = consumer.client().native_ptr();
        match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                let partitions = partitions_of(tpl, &self.topic);
                match committed_positions(consumer, &self.topic, &partitions, self.timeout) {
                    Ok(positions) => {
                        for start in &positions {
                            let _ = tpl.set_partition_offset(
                                &self.topic,
                                start.committed.partition,
                                Offset::Offset(start.committed.offset),
                            );
                        }
                        self.listener.assigned(positions);
                    }
                    Err(e) => {
                        // Without its deleted list the partition cannot be served: this member
                        // is replaced by a new one, which reads the positions again.
                        self.start_failed.store(true, Ordering::Release);
                        report::warn(&format!(
                            "kafka_queue: could not read the committed positions of topic \"{}\" \
                             (a new group member takes over): {e}",
                            self.topic
                        ));
                    }
                }
                // SAFETY: a live consumer handle and the list librdkafka handed to this callback.
                unsafe { rdsys::rd_kafka_incremental_assign(client, tpl.ptr()) };
                self.assignment_seen.store(true, Ordering::Release);
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
                let partitions = partitions_of(tpl, &self.topic);
                let commits = self.listener.revoking(&partitions);
                if !commits.is_empty() && !consumer.assignment_lost() {
                    let list = commit_list(&self.topic, &commits);
                    if let Err(e) = commit_within(
                        consumer.client(),
                        &list,
                        self.timeout,
                        About::topic(&self.topic),
                    ) {
                        report::warn(&format!(
                            "kafka_queue: could not commit the deleted list of topic \"{}\" \
                             before its partitions moved to another worker; their deleted items \
                             may be delivered again: {e}",
                            self.topic
                        ));
                    }
                }
                // SAFETY: as above.
                unsafe { rdsys::rd_kafka_incremental_unassign(client, tpl.ptr()) };
            }
            other => report::warn(&format!(
                "kafka_queue: rebalance error on topic \"{}\": {}",
                self.topic,
                RDKafkaErrorCode::from(other)
            )),
        }
    }
}

fn partitions_of(tpl: &TopicPartitionList, topic: &str) -> Vec<i32> {
    tpl.elements_for_topic(topic)
        .iter()
        .map(|e| e.partition())
        .collect()
}

/// The offsets-and-metadata list of a commit.
pub fn commit_list(topic: &str, commits: &[Committed]) -> TopicPartitionList {
    let mut tpl = TopicPartitionList::with_capacity(commits.len());
    for c in commits {
        let mut element = tpl.add_partition(topic, c.partition);
        // Only an out-of-range offset is refused, and offsets come from Kafka itself.
        let _ = element.set_offset(Offset::Offset(c.offset));
        element.set_metadata(c.metadata.clone());
    }
    tpl
}

/// Where `partitions` start: the group's commit (or the low watermark and an empty deleted
/// list when it never committed), and the end of each partition.
fn committed_positions<C: ConsumerContext>(
    consumer: &BaseConsumer<C>,
    topic: &str,
    partitions: &[i32],
    timeout: Duration,
) -> Result<Vec<Start>, Error> {
    if partitions.is_empty() {
        return Ok(Vec::new());
    }
    let mut tpl = TopicPartitionList::with_capacity(partitions.len());
    for &p in partitions {
        tpl.add_partition(topic, p);
    }
    let about = About::topic(topic);
    let committed = consumer
        .committed_offsets(tpl, timeout)
        .map_err(|e| Error::from_rdkafka(&e, about))?;
    let mut positions = Vec::with_capacity(partitions.len());
    for e in committed.elements_for_topic(topic) {
        let (low, high) = consumer
            .fetch_watermarks(topic, e.partition(), timeout)
            .map_err(|e| Error::from_rdkafka(&e, about))?;
        let offset = match e.offset() {
            Offset::Offset(o) => o,
            _ => low,
        };
        positions.push(Start {
            committed: Committed {
                partition: e.partition(),
                offset,
                metadata: e.metadata().to_string(),
            },
            high_watermark: high,
        });
    }
    Ok(positions)
}

/// A member of the queue's consumer group, subscribed to its topic.
pub struct GroupConsumer {
    inner: BaseConsumer<GroupContext>,
    topic: String,
    group: String,
    timeout: Duration,
}

impl GroupConsumer {
    pub fn new(
        settings: &ClientSettings,
        group: &str,
        topic: &str,
        listener: Arc<dyn GroupListener>,
    ) -> Result<Self, Error> {
        let timeout_ms = millis(settings.timeout);
        let mut config = client_config(
            settings,
            &[
                // KIP-848: no stop-the-world rebalances, no initial join delay.
                ("group.protocol", "consumer"),
                ("auto.offset.reset", "earliest"),
                // A fetch waiting on an empty partition holds up the partitions behind it on
                // the same connection: keep that wait short (librdkafka's default is 500 ms).
                ("fetch.wait.max.ms", "100"),
                // librdkafka stops fetching a partition whose pre-fetch queue is over its
                // thresholds and, by default, looks again only 1000 ms later: a worker that
                // empties the queue faster than that waits for the rest of the second.
                ("fetch.queue.backoff.ms", "10"),
                // Pre-fetch at most 10000 records and 8 MiB (defaults: 100000 per partition
                // and 64 MiB): bounds the worker's memory, costs no throughput.
                ("queued.min.messages", "10000"),
                ("queued.max.messages.kbytes", "8192"),
                ("coordinator.query.interval.ms", &timeout_ms),
            ],
        );
        // The queue decides what is committed and when: never librdkafka on its own.
        config
            .set("group.id", group)
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("enable.partition.eof", "false");
        let context = GroupContext {
            topic: topic.to_string(),
            timeout: settings.timeout,
            listener,
            assignment_seen: AtomicBool::new(false),
            start_failed: AtomicBool::new(false),
            statistics: Latest::default(),
        };
        let inner: BaseConsumer<GroupContext> = config
            .create_with_context(context)
            .map_err(|e| Error::Config(format!("cannot create the Kafka consumer: {e}")))?;
        inner
            .subscribe(&[topic])
            .map_err(|e| Error::from_rdkafka(&e, About::topic(topic)))?;
        Ok(GroupConsumer {
            inner,
            topic: topic.to_string(),
            group: group.to_string(),
            timeout: settings.timeout,
        })
    }

    /// Waits at most `timeout` for one record, serving rebalances meanwhile.
    pub fn poll<T>(&self, timeout: Duration, take: impl FnOnce(Record<'_>) -> T) -> Polled<T> {
        match self.inner.poll(timeout) {
            None => Polled::Nothing,
            Some(Ok(message)) => Polled::Record(take(Record {
                partition: message.partition(),
                offset: message.offset(),
                timestamp_ms: match message.timestamp() {
                    Timestamp::CreateTime(ms) | Timestamp::LogAppendTime(ms) => Some(ms),
                    Timestamp::NotAvailable => None,
                },
                value: message.payload().unwrap_or_default(),
            })),
            Some(Err(e)) => Polled::Error(Error::from_rdkafka(
                &e,
                About {
                    topic: Some(&self.topic),
                    group: Some(&self.group),
                },
            )),
        }
    }

    /// The latest statistics, when `statistics.interval.ms` is set (served by [`Self::poll`]).
    pub fn statistics(&self) -> Option<ClientStatistics> {
        self.inner.context().statistics.get()
    }

    /// Whether the group has told this member its partitions at least once.
    pub fn assignment_seen(&self) -> bool {
        self.inner.context().assignment_seen.load(Ordering::Acquire)
    }

    /// Whether partitions were assigned to this member without their committed positions: it
    /// cannot serve them and must be replaced.
    pub fn start_failed(&self) -> bool {
        self.inner.context().start_failed.load(Ordering::Acquire)
    }

    /// The high watermark of a partition as of the last fetch response, without a request.
    pub fn cached_high_watermark(&self, partition: i32) -> Option<i64> {
        let topic = std::ffi::CString::new(self.topic.as_str()).ok()?;
        let (mut low, mut high) = (-1i64, -1i64);
        // SAFETY: the client pointer is valid for the life of `inner`; the out-pointers are
        // local. This call only reads librdkafka's cached fetch state.
        let err = unsafe {
            rdkafka::bindings::rd_kafka_get_watermark_offsets(
                self.inner.client().native_ptr(),
                topic.as_ptr(),
                partition,
                &mut low,
                &mut high,
            )
        };
        (err == rdkafka::bindings::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR && high >= 0)
            .then_some(high)
    }

    /// Commits; `strict` waits (at most the timeout) for the coordinator's answer.
    pub fn commit(&self, commits: &[Committed], strict: bool) -> Result<(), Error> {
        let tpl = commit_list(&self.topic, commits);
        let about = About {
            topic: Some(&self.topic),
            group: Some(&self.group),
        };
        if strict {
            commit_within(self.inner.client(), &tpl, self.timeout, about)
        } else {
            self.inner
                .commit(&tpl, CommitMode::Async)
                .map_err(|e| Error::from_rdkafka(&e, about))
        }
    }

    /// Leaves the group, waiting at most the configured timeout. Returns whether it left cleanly;
    /// when the brokers are gone the consumer is abandoned instead of blocking the request.
    pub fn close(self) -> bool {
        let deadline = Instant::now() + self.timeout;
        if self.inner.close_queue().is_ok() {
            while !self.inner.closed() && Instant::now() < deadline {
                let _ = self.inner.poll(Duration::from_millis(20));
            }
        }
        if self.inner.closed() {
            drop(self);
            true
        } else {
            std::mem::forget(self);
            false
        }
    }
}
