<?php

/**
 * @file
 * Stubs for the kafka_queue extension, for IDEs and static analysis.
 *
 * The extension registers these classes in C; this file is never loaded.
 */

/**
 * Configuration and broker errors of the extension.
 *
 * Bad arguments (a negative delay or lease, an item that is not this queue's,
 * data that cannot be serialized) throw \InvalidArgumentException instead.
 */
class KafkaQueueException extends \RuntimeException {}

/**
 * A Drupal-style queue whose items live in one Kafka topic.
 *
 * The methods mirror Drupal's QueueInterface, QueueGarbageCollectionInterface
 * and DelayableQueueInterface, without parameter types, so that a PHP subclass
 * can declare those interfaces.
 */
class KafkaQueue {

  /**
   * @param string $name
   *   The queue name. The topic is topic_prefix . name, made legal for Kafka.
   * @param array $config
   *   The extension's own options (topic_prefix, delivery, commit,
   *   claim_wait_ms, timeout_ms) and librdkafka properties (every other key,
   *   e.g. "bootstrap.servers", "group.id", "sasl.password"). Unset keys take
   *   their php.ini defaults.
   *
   * @throws \KafkaQueueException
   *   On an unknown key or an invalid value; the message names the key.
   */
  public function __construct(string $name, ?array $config = NULL) {}

  /**
   * @return string
   *   A unique item ID.
   *
   * @throws \InvalidArgumentException
   *   When $data cannot be serialized (closures, resources).
   * @throws \KafkaQueueException
   */
  public function createItem($data) {}

  /**
   * @return int
   *   Items created and not yet deleted, claimed ones included.
   */
  public function numberOfItems() {}

  /**
   * @return object|false
   *   An object with item_id, data, created (and partition, offset), or FALSE.
   */
  public function claimItem($lease_time = 3600) {}

  /**
   * @return bool
   */
  public function deleteItem($item) {}

  /**
   * @return bool
   */
  public function releaseItem($item) {}

  /**
   * @return bool
   *
   * @throws \InvalidArgumentException
   *   When $delay is negative.
   */
  public function delayItem($item, $delay) {}

  /**
   * @throws \KafkaQueueException
   *   When the topic does not exist; the message names it.
   */
  public function createQueue() {}

  public function deleteQueue() {}

  /**
   * @return int
   *   Items that retention removed from Kafka before they were processed,
   *   found by this call.
   */
  public function garbageCollection() {}

  /**
   * Waits until every item created so far is in Kafka.
   *
   * @return int
   *   Items that could not be delivered (each is also written to the log).
   */
  public function flush() {}

  /**
   * @return string
   *   The Kafka topic this queue uses.
   */
  public function topic() {}

  /**
   * @return array
   *   Per-partition figures: the status of the queue for operators.
   */
  public function status() {}

}

/**
 * Deploy-time operations: topic provisioning. Nothing else creates topics.
 */
class KafkaQueueAdmin {

  /**
   * @param array $config
   *   librdkafka properties (admin credentials may differ from the site's)
   *   and topic_prefix, timeout_ms.
   */
  public function __construct(?array $config = NULL) {}

  /**
   * Creates the missing topics, idempotently.
   *
   * @param string[] $queues
   * @param int $partitions
   * @param int $replication_factor
   * @param bool $dry_run
   *
   * @return array
   *   One row per queue: queue, topic, partitions, action ("exists",
   *   "created", "would create", "partition count differs").
   */
  public function provision($queues, $partitions, $replication_factor = 1, $dry_run = FALSE) {}

  /**
   * @return string
   *   The topic a queue name maps to.
   */
  public function topicFor($queue) {}

}
