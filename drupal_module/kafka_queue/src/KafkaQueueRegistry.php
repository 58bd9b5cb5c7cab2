<?php

declare(strict_types=1);

namespace Drupal\kafka_queue;

use Drupal\Core\Queue\QueueWorkerManagerInterface;

/**
 * Which of the site's queues run on Kafka.
 *
 * Every QueueWorker plugin whose queue Drupal's queue factory hands to
 * queue.kafka (through queue_default, queue_service_NAME or
 * queue_reliable_service_NAME), plus the names in 'extra_queues'. These are
 * the queues that need a topic: provisioning creates them, the status report
 * and "drush kafka-queue:status" check them.
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
   * The names of the queues on Kafka.
   *
   * @return string[]
   *   Sorted, unique queue names.
   */
  public function queueNames(): array {
    $names = [];
    foreach (array_keys($this->workerManager->getDefinitions()) as $name) {
      $name = (string) $name;
      if ($this->settings->isKafkaQueue($name)) {
        $names[$name] = $name;
      }
    }
    foreach ($this->settings->extraQueues() as $name) {
      $names[$name] = $name;
    }
    ksort($names, SORT_STRING);
    return array_values($names);
  }

}
