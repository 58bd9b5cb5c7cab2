<?php

declare(strict_types=1);

namespace Drupal\kafka_queue\Admin;

use Drupal\kafka_queue\KafkaQueueRegistry;
use Drupal\kafka_queue\Queue\KafkaQueueFactory;
use Drupal\kafka_queue\Queue\QueueStateStore;

/**
 * The state of the site's Kafka queues, for operators.
 *
 * Behind "drush kafka-queue:status". One row per queue, from the extension's
 * KafkaQueue::status() and the Drupal-side state.
 */
class QueueStatus {

  /**
   * Constructs a QueueStatus.
   *
   * @param \Drupal\kafka_queue\KafkaQueueRegistry $registry
   *   The queues on Kafka.
   * @param \Drupal\kafka_queue\Admin\TopicManager $topicManager
   *   The topics.
   * @param \Drupal\kafka_queue\Queue\KafkaQueueFactory $queueFactory
   *   The Kafka queue factory.
   * @param \Drupal\kafka_queue\Queue\QueueStateStore $stateStore
   *   The Drupal-side queue state.
   */
  public function __construct(
    protected KafkaQueueRegistry $registry,
    protected TopicManager $topicManager,
    protected KafkaQueueFactory $queueFactory,
    protected QueueStateStore $stateStore,
  ) {}

  /**
   * The status of some or all queues on Kafka.
   *
   * @param string[] $names
   *   Queue names; an empty array for every queue on Kafka.
   *
   * @return array[]
   *   Rows keyed by queue name, each with:
   *   - queue: the queue name.
   *   - topic: its Kafka topic.
   *   - partitions: the topic's partition count.
   *   - items: items created and not yet deleted, claimed ones included (what
   *     numberOfItems() returns, and what "drush queue:list" shows).
   *   - claimed: items claimed by the process that asks (leases are held in
   *     the memory of the process that claimed; from Drush this is 0).
   *   - deleted_list: entries of the site's durable deleted list.
   *   - group: the Kafka consumer group of the queue.
   *   - group_state: that group's state ("Stable", "Empty", "Dead"...).
   *   - members: processes consuming the queue right now.
   *   - drupal_state: 'available', 'deleted', or 'none' when the site never
   *     called createQueue() or deleteQueue() for it.
   *   - problem: what is wrong, or ''.
   *   - detail: per-partition figures (partition, low, high, committed,
   *     deleted, items).
   *   Figures are NULL when they could not be read; 'problem' says why.
   *
   * @throws \KafkaQueueException
   *   When Kafka cannot be reached at all.
   * @throws \RuntimeException
   *   When the kafka_queue extension is not loaded.
   */
  public function rows(array $names = []): array {
    $names = $names ? array_values(array_unique($names)) : $this->registry->queueNames();
    $topics = $this->topicManager->inspect($names);
    $rows = [];
    foreach ($names as $name) {
      $topic = $topics[$name] ?? NULL;
      $record = $this->stateStore->get($name);
      $row = [
        'queue' => $name,
        'topic' => $topic['topic'] ?? NULL,
        'partitions' => NULL,
        'items' => NULL,
        'claimed' => NULL,
        'deleted_list' => NULL,
        'group' => NULL,
        'group_state' => NULL,
        'members' => NULL,
        // A record of another topic (the topic prefix changed since) says
        // nothing about this one.
        'drupal_state' => $record !== NULL && $record['topic'] === ($topic['topic'] ?? NULL) ? $record['status'] : 'none',
        'problem' => '',
        'detail' => [],
      ];
      $problems = [];
      if (!$this->registry->isKafkaQueue($name)) {
        $problems[] = 'This queue does not run on Kafka: settings.php does not route it to queue.kafka.';
      }
      if ($topic === NULL || !$topic['exists']) {
        $problems[] = 'The topic does not exist: run "drush kafka-queue:provision".';
        $row['problem'] = implode(' ', $problems);
        $rows[$name] = $row;
        continue;
      }
      try {
        $status = $this->queueFactory->kafkaQueue($name)->status();
        $row = array_replace($row, [
          'topic' => $status['topic'],
          'partitions' => $status['partitions'],
          'items' => $status['items'],
          'claimed' => $status['claimed_here'],
          'deleted_list' => $status['deleted_list'],
          'group' => $status['group'],
          'group_state' => $status['group_state'],
          'members' => $status['members'],
          'detail' => $status['detail'],
        ]);
        if ($topic['expected_partitions'] !== NULL && $status['partitions'] !== $topic['expected_partitions']) {
          $problems[] = sprintf('%d partitions, %d expected for the configured web servers.', $status['partitions'], $topic['expected_partitions']);
        }
      }
      catch (\Exception $e) {
        $problems[] = $e->getMessage();
      }
      $row['problem'] = implode(' ', $problems);
      $rows[$name] = $row;
    }
    return $rows;
  }

}
