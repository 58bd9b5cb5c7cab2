//! The PHP class `KafkaQueueAdmin`: deploy-time topic provisioning.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use super::args::{LooseBool, LooseInt};
use super::errors::invalid_argument;
use super::settings::from_config;
use crate::queue::config::Settings;
use crate::queue::provision;
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
    ///
    /// @throws \KafkaQueueException On an unknown key or an invalid value, naming it.
    pub fn __construct(config: Option<&ZendHashTable>) -> PhpResult<Self> {
        let settings = from_config(config)?;
        settings
            .validate()
            .map_err(crate::queue::QueueError::from)?;
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
    /// Touches no consumer group.
    ///
    /// @throws \KafkaQueueException When Kafka refuses (for example NOT_AUTHORIZED without
    ///   the cluster's or the topics' Create ACL) or cannot be reached.
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
        let results = provision(
            &self.settings,
            &names,
            partitions,
            replication,
            dry_run.get(),
        )?;
        let mut rows = ZendHashTable::new();
        for result in results {
            let mut row = ZendHashTable::new();
            row.insert("queue", result.queue)?;
            row.insert("topic", result.topic)?;
            row.insert("partitions", result.partitions)?;
            row.insert("action", result.action)?;
            rows.push(row)?;
        }
        Ok(rows)
    }
}
