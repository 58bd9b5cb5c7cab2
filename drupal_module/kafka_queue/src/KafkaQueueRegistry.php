<?php

declare(strict_types=1);

namespace Drupal\kafka_queue;

use Drupal\Core\Queue\QueueWorkerManagerInterface;

/**
 * Which of the site's queues run on Kafka, and which get a topic.
 *
 * A queue runs on Kafka when Drupal's queue factory hands it to queue.kafka
 * and it is one of:
 * - a QueueWorker plugin (the queues of cron and "drush queue:run"), routed
 *   by queue_default or queue_service_NAME;
 * - a queue that settings.php routes by name, with queue_service_NAME or
 *   queue_reliable_service_NAME set to 'queue.kafka';
 * - a name listed in $settings['kafka_queue']['extra_queues'].
 * Any other queue that reaches queue.kafka through queue_default alone, such
 * as core's update_fetch_tasks, locale_translation or
 * media_entity_thumbnail, which have no QueueWorker plugin, is handed to the
 * database queue: nothing could have provisioned its topic, and its module
 * processes it in its own code.
 *
 * The status report and "drush kafka-queue:status" check the queues that run
 * on Kafka. Provisioning creates a topic for every QueueWorker plugin, every
 * queue routed by name and every extra queue, whatever queue_default says:
 * so topics can be created before queue_default is switched to queue.kafka.
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
   * Whether a queue runs on Kafka.
   *
   * @param string $name
   *   The queue name.
   *
   * @return bool
   *   TRUE when the queue factory hands it to queue.kafka and it is a
   *   QueueWorker queue, routed by name, or an extra queue.
   */
  public function isKafkaQueue(string $name): bool {
    if ($this->settings->isRoutedByName($name) || in_array($name, $this->settings->extraQueues(), TRUE)) {
      return TRUE;
    }
    return $this->settings->reachesKafkaService($name) && $this->workerManager->hasDefinition($name);
  }

  /**
   * The names of the queues that run on Kafka.
   *
   * @return string[]
   *   Sorted, unique queue names.
   */
  public function queueNames(): array {
    return $this->sorted(array_merge(
      array_filter($this->workerQueueNames(), [$this->settings, 'reachesKafkaService']),
      $this->settings->namedRoutes(),
      $this->settings->extraQueues(),
    ));
  }

  /**
   * The names of the queues that provisioning gives a topic.
   *
   * @return string[]
   *   Sorted, unique queue names: every QueueWorker queue, queue routed by
   *   name and extra queue.
   */
  public function provisionNames(): array {
    return $this->sorted(array_merge(
      $this->workerQueueNames(),
      $this->settings->namedRoutes(),
      $this->settings->extraQueues(),
    ));
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
    $names = array_values(array_unique($names));
    sort($names, SORT_STRING);
    return $names;
  }

}
