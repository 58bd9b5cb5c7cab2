//! Deploy-time provisioning of the queues' topics: the only code that creates topics.

use super::config::Settings;
use super::error::{QueueError, Result};
use super::topic::topic_name;
use crate::kafka::admin::{self, Provisioned};

/// What provisioning did, or would do, for one queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provision {
    pub queue: String,
    pub topic: String,
    /// The topic's partition count: what it has, or what it gets.
    pub partitions: i64,
    /// "exists", "created", "would create" or "partition count differs".
    pub action: &'static str,
}

/// Creates the missing topics of `queues` with `partitions` partitions each; existing topics
/// are left as they are. With `dry_run`, only says what it would do.
pub fn provision(
    settings: &Settings,
    queues: &[String],
    partitions: i64,
    replication_factor: i64,
    dry_run: bool,
) -> Result<Vec<Provision>> {
    let (Ok(partitions), Ok(replication)) =
        (i32::try_from(partitions), i32::try_from(replication_factor))
    else {
        return Err(QueueError::InvalidArgument(
            "partition count or replication factor out of range".into(),
        ));
    };
    if partitions < 1 || replication < 1 {
        return Err(QueueError::InvalidArgument(format!(
            "the partition count (2 per web server) and the replication factor must be at least \
             1, got {partitions} and {replication}"
        )));
    }
    let topics: Vec<String> = queues
        .iter()
        .map(|q| topic_name(&settings.topic_prefix, q))
        .collect();
    let results = admin::provision(
        &settings.client(),
        &topics,
        partitions,
        replication,
        dry_run,
    )
    .map_err(|e| QueueError::kafka("cannot provision the queues' topics", e))?;
    Ok(queues
        .iter()
        .zip(topics)
        .zip(results)
        .map(|((queue, topic), result)| {
            let (action, count) = match result {
                Provisioned::Exists { partitions } => ("exists", partitions as i64),
                Provisioned::PartitionCountDiffers { partitions } => {
                    ("partition count differs", partitions as i64)
                }
                Provisioned::Created => ("created", i64::from(partitions)),
                Provisioned::WouldCreate => ("would create", i64::from(partitions)),
            };
            Provision {
                queue: queue.clone(),
                topic,
                partitions: count,
                action,
            }
        })
        .collect())
}
