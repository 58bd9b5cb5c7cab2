<?php

declare(strict_types=1);

namespace Drupal\kafka_queue;

use Drupal\Core\Queue\QueueWorkerManagerInterface;

/**
 * Which of the site's queues run on Kafka, and which get a topic.
 *
 * A queue runs on Kafka when Drupal's queue factory hands it to queue.kafka
 * (through queue_default, queue_service_NAME or queue_reliable_service_NAME),
 * or when it is listed in 'extra_queues'. The status report and
 * "drush kafka-queue:status" check those. Provisioning creates a topic for
 * every QueueWorker plugin and every extra queue, whatever settings.php
 * routes: so topics can be created before queue_default is switched to
 * queue.kafka, and a queue moved to Kafka later finds its topic ready.
 */
class KafkaQueueRegistry {

  /**
   * Constructs a KafkaQueueRegistry.
   *
   * @param \Drupal\kafka_queue\KafkaQueueSettings $settings
   *   The module's settings.
   * @param \Drupal\Core\Queue\QueueWorkerManagerInterface $workerManager
   *   The queue worker plugin manager.
   */
  public function __construct(
    protected KafkaQueueSettings $settings,
    protected QueueWorkerManagerInterface $workerManager,
  ) {}

  /**
   * The names of the queues that run on Kafka.
   *
   * @return string[]
   *   Sorted, unique queue names: routed QueueWorker queues and extra queues.
   */
  public function queueNames(): array {
    return $this->sorted(array_merge(
      array_filter($this->workerQueueNames(), [$this->settings, 'isKafkaQueue']),
      $this->settings->extraQueues(),
    ));
  }

  /**
   * The names of the queues that provisioning gives a topic.
   *
   * @return string[]
   *   Sorted, unique queue names: every QueueWorker queue and extra queue.
   */
  public function provisionNames(): array {
    return $this->sorted(array_merge($this->workerQueueNames(), $this->settings->extraQueues()));
  }

  /**
   * The IDs of the QueueWorker plugins.
   *
   * @return string[]
   *   Plugin IDs, which are queue names.
   */
  protected function workerQueueNames(): array {
    return array_map('strval', array_keys($this->workerManager->getDefinitions()));
  }

  /**
   * Sorts and de-duplicates names.
   */
  protected function sorted(array $names): array {
    $names = array_unique($names);
    sort($names, SORT_STRING);
    return $names;
  }

}
