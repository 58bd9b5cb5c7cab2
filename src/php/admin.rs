//! The PHP class `KafkaQueueAdmin`: deploy-time topic provisioning.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use super::args::{LooseBool, LooseInt};
use super::errors::{invalid_argument, kafka_error};
use super::settings::from_config;
use crate::kafka::admin::{provision, Provisioned};
use crate::queue::config::Settings;
use crate::queue::topic::topic_name;

/// Deploy-time operations. Nothing else creates topics.
#[php_class]
#[php(name = "KafkaQueueAdmin")]
pub struct KafkaQueueAdmin {
    settings: Settings,
}

#[php_impl]
impl KafkaQueueAdmin {
    /// Configured by `$config`: librdkafka properties (admin credentials may differ from the
    /// site's), topic_prefix and timeout_ms.
    pub fn __construct(config: Option<&ZendHashTable>) -> PhpResult<Self> {
        let settings = from_config(config)?;
        crate::kafka::validate(&settings).map_err(|e| kafka_error(format!("{e:#}")))?;
        Ok(KafkaQueueAdmin { settings })
    }

    /// The topic a queue name maps to.
    pub fn topic_for(&self, queue: &Zval) -> PhpResult<String> {
        let name = queue
            .str()
            .ok_or_else(|| invalid_argument("$queue must be a string"))?;
        Ok(topic_name(&self.settings.topic_prefix, name))
    }

    /// Creates the missing topics, idempotently; with `$dry_run` only says what it would do.
    ///
    /// `$queues` are queue names; `$partitions` is the partition count of each new topic (two
    /// per web server). Returns one row per queue: queue, topic, partitions, action ("exists",
    /// "created", "would create" or "partition count differs": existing topics never change).
    #[php(defaults(replication_factor = 1, dry_run = false))]
    pub fn provision(
        &self,
        queues: &Zval,
        partitions: LooseInt,
        replication_factor: LooseInt,
        dry_run: LooseBool,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        let list = queues
            .array()
            .ok_or_else(|| invalid_argument("$queues must be an array of queue names"))?;
        let mut names = Vec::with_capacity(list.len());
        for (_, v) in list.iter() {
            let name = v
                .str()
                .ok_or_else(|| invalid_argument("$queues must contain only strings"))?;
            names.push(name.to_string());
        }
        let partitions = partitions.at_least("partitions", 1, "partitions (2 per web server)")?;
        let replication = replication_factor.at_least("replication_factor", 1, "replicas")?;
        let dry_run = dry_run.get();
        let (Ok(partitions), Ok(replication)) =
            (i32::try_from(partitions), i32::try_from(replication))
        else {
            return Err(invalid_argument(
                "partition count or replication factor out of range",
            ));
        };
        let topics: Vec<String> = names
            .iter()
            .map(|n| topic_name(&self.settings.topic_prefix, n))
            .collect();
        let results = provision(&self.settings, &topics, partitions, replication, dry_run)
            .map_err(|e| kafka_error(format!("{e:#}")))?;
        let mut rows = ZendHashTable::new();
        for ((name, topic), result) in names.iter().zip(&topics).zip(results) {
            let (action, count) = match result {
                Provisioned::Exists { partitions } => ("exists", partitions as i64),
                Provisioned::PartitionCountDiffers { partitions } => {
                    ("partition count differs", partitions as i64)
                }
                Provisioned::Created => ("created", i64::from(partitions)),
                Provisioned::WouldCreate => ("would create", i64::from(partitions)),
            };
            let mut row = ZendHashTable::new();
            row.insert("queue", name.as_str())?;
            row.insert("topic", topic.as_str())?;
            row.insert("partitions", count)?;
            row.insert("action", action)?;
            rows.push(row)?;
        }
        Ok(rows)
    }
}
