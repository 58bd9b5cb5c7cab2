<?php

declare(strict_types=1);

namespace Drupal\kafka_queue\Queue;

use Drupal\Core\Queue\DelayableQueueInterface;
use Drupal\Core\Queue\QueueGarbageCollectionInterface;
use Drupal\Core\Queue\QueueInterface;
use Psr\Log\LoggerInterface;

/**
 * A Drupal queue whose items live in a Kafka topic.
 *
 * The work is done by the native \KafkaQueue of the kafka_queue extension,
 * whose methods have exactly the names, parameters and defaults of Drupal's
 * queue interfaces. A native class cannot implement interfaces that Drupal's
 * autoloader defines after the extension has started, so this subclass
 * declares them. Item methods (createItem, claimItem, deleteItem,
 * releaseItem, delayItem, numberOfItems) are inherited untouched: no PHP
 * runs between Drupal and the extension on the hot path. A decorator would
 * put a PHP call on every one of them, and hide status(), topic() and flush().
 *
 * Only the three queue-level methods are overridden, for the Drupal side that
 * the extension leaves to the module: createQueue() and deleteQueue() record
 * the queue's state in Drupal's key-value store after the extension has done
 * its part, and garbageCollection() logs what Kafka's retention removed
 * before anyone processed it.
 *
 * Not declared: \Drupal\Core\Queue\ReliableQueueInterface. It promises that
 * items keep their order and run at least once. At least once holds, but
 * order does not: a topic has several partitions (two per web server, so
 * that every server can consume), Kafka orders items only within a
 * partition, and two items created one after the other may be claimed in
 * the reverse order. Not declaring it changes no routing (core's factory
 * never checks it, and \Drupal::queue($name, TRUE) falls back to
 * queue_default like any other request); it keeps the class from promising
 * what it does not do, to code that checks. A queue whose worker needs
 * strict order stays on the database with
 * $settings['queue_service_NAME'] = 'queue.database'.
 *
 * Items are plain objects with item_id, data and created, as Drupal's
 * database queue returns, plus the extension's partition and offset.
 *
 * @see \Drupal\kafka_queue\Queue\KafkaQueueFactory
 */
class KafkaQueue extends \KafkaQueue implements QueueInterface, QueueGarbageCollectionInterface, DelayableQueueInterface {

  /**
   * Constructs a KafkaQueue.
   *
   * Connects to nothing: the extension creates its Kafka clients on first use.
   *
   * @param string $queueName
   *   The queue name.
   * @param array $config
   *   The extension's configuration for this queue. It holds credentials, so
   *   it is kept out of stack traces (PHP 8.2+) and not stored here.
   * @param \Drupal\kafka_queue\Queue\QueueStateStore $stateStore
   *   Where the queue's Drupal-side state is recorded.
   * @param \Psr\Log\LoggerInterface $logger
   *   The module's logger channel.
   *
   * @throws \KafkaQueueException
   *   On an unknown configuration key or an invalid value; the message names
   *   the key, never the value.
   */
  public function __construct(
    protected readonly string $queueName,
    #[\SensitiveParameter] array $config,
    protected readonly QueueStateStore $stateStore,
    protected readonly LoggerInterface $logger,
  ) {
    parent::__construct($queueName, $config);
  }

  /**
   * {@inheritdoc}
   *
   * The extension checks that the topic exists (it throws a
   * \KafkaQueueException naming the topic otherwise) and creates nothing in
   * Kafka; then the queue is recorded as available, written only if it was
   * not already.
   */
  public function createQueue(): void {
    parent::createQueue();
    $this->stateStore->markAvailable($this->queueName, $this->topic());
  }

  /**
   * {@inheritdoc}
   *
   * The extension makes every item of the queue unclaimable for this site
   * (the topic and the deleted list stay); then the queue is recorded as
   * deleted. Creating items afterwards works, as with Drupal's own queues.
   */
  public function deleteQueue(): void {
    parent::deleteQueue();
    $this->stateStore->markDeleted($this->queueName, $this->topic());
  }

  /**
   * {@inheritdoc}
   *
   * @return int
   *   The number of items that Kafka's retention removed before this site
   *   processed them, found by this call. Each such loss is logged.
   */
  public function garbageCollection(): int {
    $lost = parent::garbageCollection();
    if ($lost > 0) {
      $this->logger->error('Kafka retention removed @count unprocessed items of queue @queue (topic @topic) before they could be processed. Raise the topic\'s retention.ms or process the queue more often.', [
        '@count' => $lost,
        '@queue' => $this->queueName,
        '@topic' => $this->topic(),
      ]);
    }
    return $lost;
  }

}
