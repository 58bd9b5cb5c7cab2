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

/// A live member of a group: its client id and host, as the coordinator reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub client_id: String,
    pub host: String,
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

    /// The group's live members (DescribeConsumerGroups, which also knows the members of
    /// KIP-848 groups); `None` when the coordinator does not answer within the timeout.
    pub fn members(&self) -> Option<Vec<Member>> {
        use rdkafka::bindings as rdsys;
        use std::ffi::{CStr, CString};
        let group = CString::new(self.group.as_str()).ok()?;
        let text = |p: *const std::ffi::c_char| {
            // SAFETY: librdkafka's strings live as long as the event they belong to.
            if p.is_null() {
                String::new()
            } else {
                unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
            }
        };
        let timeout_ms = self.timeout.as_millis().min(i32::MAX as u128) as i32;
        let client = self.consumer.client().native_ptr();
        // SAFETY: a live client handle; the options, queue and event are destroyed here, and
        // the group descriptions are read before their event is destroyed.
        unsafe {
            let options = rdsys::rd_kafka_AdminOptions_new(
                client,
                rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS,
            );
            let mut errstr = [0 as std::ffi::c_char; 256];
            rdsys::rd_kafka_AdminOptions_set_request_timeout(
                options,
                timeout_ms,
                errstr.as_mut_ptr(),
                errstr.len(),
            );
            let queue = rdsys::rd_kafka_queue_new(client);
            let mut groups = [group.as_ptr()];
            rdsys::rd_kafka_DescribeConsumerGroups(client, groups.as_mut_ptr(), 1, options, queue);
            let event = rdsys::rd_kafka_queue_poll(queue, timeout_ms.saturating_add(1000));
            let mut members = None;
            if !event.is_null() {
                let result = rdsys::rd_kafka_event_DescribeConsumerGroups_result(event);
                let mut count = 0;
                let descriptions = if result.is_null() {
                    std::ptr::null_mut()
                } else {
                    rdsys::rd_kafka_DescribeConsumerGroups_result_groups(result, &mut count)
                };
                if !descriptions.is_null() && count == 1 {
                    let description = *descriptions;
                    if rdsys::rd_kafka_ConsumerGroupDescription_error(description).is_null() {
                        let n = rdsys::rd_kafka_ConsumerGroupDescription_member_count(description);
                        members = Some(
                            (0..n)
                                .map(|i| {
                                    let m = rdsys::rd_kafka_ConsumerGroupDescription_member(
                                        description,
                                        i,
                                    );
                                    Member {
                                        client_id: text(
                                            rdsys::rd_kafka_MemberDescription_client_id(m),
                                        ),
                                        host: text(rdsys::rd_kafka_MemberDescription_host(m)),
                                    }
                                })
                                .collect(),
                        );
                    }
                }
                rdsys::rd_kafka_event_destroy(event);
            }
            rdsys::rd_kafka_queue_destroy(queue);
            rdsys::rd_kafka_AdminOptions_destroy(options);
            members
        }
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
