//! Look-ups and changes that need no group membership: topic metadata, watermarks, committed
//! offsets, offset commits on behalf of the whole group, and topic provisioning.

use std::thread;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _, Result};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};

use super::consumer::{commit_list, describe, Committed};
use super::{block_on, client_config, commit_within, CommitError};
use crate::queue::config::Settings;

/// One partition as Kafka sees it for a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionView {
    pub partition: i32,
    pub low: i64,
    pub high: i64,
    /// The group's committed offset and metadata, if it ever committed.
    pub committed: Option<(i64, String)>,
}

/// The group's membership as the coordinator reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupView {
    pub state: String,
    pub members: usize,
}

/// A client for one queue's group that never joins it.
pub struct Inspector {
    consumer: BaseConsumer,
    group: String,
    timeout: Duration,
}

impl Inspector {
    pub fn new(settings: &Settings, group: &str) -> Result<Self> {
        let mut config = client_config(settings, &[]);
        config
            .set("group.id", group)
            .set("enable.auto.commit", "false");
        let consumer = config
            .create()
            .map_err(|e| anyhow!("cannot create the Kafka client: {e}"))?;
        Ok(Inspector {
            consumer,
            group: group.to_string(),
            timeout: settings.timeout,
        })
    }

    /// The partition count of `topic`, or an error that says the topic is missing.
    pub fn partition_count(&self, topic: &str) -> Result<usize> {
        let metadata = self
            .consumer
            .fetch_metadata(Some(topic), self.timeout)
            .map_err(describe)
            .with_context(|| {
                format!("cannot reach the Kafka brokers to look up topic \"{topic}\"")
            })?;
        let Some(t) = metadata.topics().iter().find(|t| t.name() == topic) else {
            bail!(missing_topic(topic));
        };
        match t.error() {
            None if !t.partitions().is_empty() => Ok(t.partitions().len()),
            Some(e) if RDKafkaErrorCode::from(e) != RDKafkaErrorCode::UnknownTopicOrPartition => {
                bail!(
                    "cannot look up topic \"{topic}\": {}",
                    RDKafkaErrorCode::from(e)
                )
            }
            _ => bail!(missing_topic(topic)),
        }
    }

    /// Every partition of `topic` with its watermarks and the group's commit.
    pub fn partitions(&self, topic: &str) -> Result<Vec<PartitionView>> {
        let count = self.partition_count(topic)?;
        let mut tpl = TopicPartitionList::with_capacity(count);
        for p in 0..count as i32 {
            tpl.add_partition(topic, p);
        }
        let committed = self
            .consumer
            .committed_offsets(tpl, self.timeout)
            .map_err(describe)
            .with_context(|| {
                format!(
                    "cannot read the committed offsets of group \"{}\"",
                    self.group
                )
            })?;
        let mut views = Vec::with_capacity(count);
        for e in committed.elements_for_topic(topic) {
            let (low, high) = self
                .consumer
                .fetch_watermarks(topic, e.partition(), self.timeout)
                .map_err(describe)
                .with_context(|| format!("cannot read the offsets of topic \"{topic}\""))?;
            let committed = match e.offset() {
                Offset::Offset(o) => Some((o, e.metadata().to_string())),
                _ => None,
            };
            views.push(PartitionView {
                partition: e.partition(),
                low,
                high,
                committed,
            });
        }
        Ok(views)
    }

    /// The high watermark of a partition, asked of the broker now. This client's connection
    /// is not busy with a consumer's long-polling fetch, so the answer comes at once.
    pub fn high_watermark(&self, topic: &str, partition: i32) -> Result<i64> {
        let (_, high) = self
            .consumer
            .fetch_watermarks(topic, partition, self.timeout)
            .map_err(describe)?;
        Ok(high)
    }

    /// Commits on behalf of the group. Kafka accepts this only while no worker is a member.
    pub fn commit(&self, topic: &str, commits: &[Committed]) -> Result<(), CommitError> {
        let tpl = commit_list(topic, commits);
        commit_within(self.consumer.client(), &tpl, self.timeout)
    }

    /// The group's state and member count; `None` when the coordinator cannot say.
    pub fn group(&self) -> Option<GroupView> {
        let list = self
            .consumer
            .fetch_group_list(Some(&self.group), self.timeout)
            .ok()?;
        let group = list.groups().first()?;
        Some(GroupView {
            state: group.state().to_string(),
            members: group.members().len(),
        })
    }
}

pub fn missing_topic(topic: &str) -> String {
    format!(
        "topic \"{topic}\" does not exist in Kafka; topics are created at deploy time only: \
         run `drush kafka-queue:provision` (or php/provision.php) for this queue"
    )
}

/// What provisioning did, or would do, for one topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provisioned {
    Exists { partitions: usize },
    PartitionCountDiffers { partitions: usize },
    Created,
    WouldCreate,
}

/// Creates the topics that do not exist yet. Existing topics are left as they are.
pub fn provision(
    settings: &Settings,
    topics: &[String],
    partitions: i32,
    replication_factor: i32,
    dry_run: bool,
) -> Result<Vec<Provisioned>> {
    if partitions < 1 {
        bail!("the partition count must be at least 1 (2 per web server), got {partitions}");
    }
    if replication_factor < 1 {
        bail!("the replication factor must be at least 1, got {replication_factor}");
    }
    let inspector = Inspector::new(settings, "kafka_queue.provision")?;
    let mut results = Vec::with_capacity(topics.len());
    let mut to_create = Vec::new();
    for topic in topics {
        match inspector.partition_count(topic) {
            Ok(n) if n == partitions as usize => {
                results.push(Provisioned::Exists { partitions: n })
            }
            Ok(n) => results.push(Provisioned::PartitionCountDiffers { partitions: n }),
            Err(e) if e.to_string().contains("does not exist") => {
                to_create.push(topic.as_str());
                results.push(if dry_run {
                    Provisioned::WouldCreate
                } else {
                    Provisioned::Created
                });
            }
            Err(e) => return Err(e),
        }
    }
    if dry_run || to_create.is_empty() {
        return Ok(results);
    }
    let admin: AdminClient<DefaultClientContext> = client_config(settings, &[])
        .create()
        .map_err(|e| anyhow!("cannot create the Kafka admin client: {e}"))?;
    let new_topics: Vec<NewTopic<'_>> = to_create
        .iter()
        .map(|t| NewTopic::new(t, partitions, TopicReplication::Fixed(replication_factor)))
        .collect();
    let options = AdminOptions::new().operation_timeout(Some(settings.timeout));
    let outcome = block_on(admin.create_topics(&new_topics, &options))
        .map_err(|e| anyhow!("cannot create topics: {e}"))?;
    for result in outcome {
        match result {
            Ok(_) => {}
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((topic, code)) => bail!("cannot create topic \"{topic}\": {code}"),
        }
    }
    // Creation returns before every broker serves the new topic: wait until it does, so that
    // the queue can be used as soon as provisioning says "created".
    let deadline = Instant::now() + settings.timeout;
    for topic in to_create {
        while inspector.partition_count(topic).is_err() {
            if Instant::now() >= deadline {
                bail!(
                    "topic \"{topic}\" was created but is not visible yet; run provisioning again"
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
    Ok(results)
}
