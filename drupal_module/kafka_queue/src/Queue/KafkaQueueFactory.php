<?php

declare(strict_types=1);

namespace Drupal\kafka_queue\Queue;

use Drupal\Core\Queue\QueueFactoryInterface;
use Drupal\kafka_queue\KafkaQueueRegistry;
use Drupal\kafka_queue\KafkaQueueSettings;
use Drupal\kafka_queue\NativeExtension;
use Psr\Log\LoggerInterface;

/**
 * The queue.kafka service: Kafka queues for Drupal's queue factory.
 *
 * Select it in settings.php, for every queue or for some:
 * @code
 * $settings['queue_default'] = 'queue.kafka';
 * $settings['queue_service_NAME'] = 'queue.kafka';
 * @endcode
 *
 * A queue that reaches this service through queue_default alone and is no
 * QueueWorker plugin nor an extra queue (core's update_fetch_tasks, for
 * example) is handed to the database queue: see KafkaQueueRegistry.
 *
 * One queue object per name and process: each holds the extension's
 * producer and consumer for its topic, and two consumers of one queue in one
 * process would only make the consumer group rebalance.
 *
 * @see \Drupal\kafka_queue\KafkaQueueRegistry
 */
class KafkaQueueFactory implements QueueFactoryInterface {

  /**
   * Queues created so far, keyed by name.
   *
   * @var \Drupal\Core\Queue\QueueInterface[]
   */
  protected array $queues = [];

  /**
   * Kafka queues created so far, keyed by name.
   *
   * @var \Drupal\kafka_queue\Queue\KafkaQueue[]
   */
  protected array $kafkaQueues = [];

  /**
   * Constructs a KafkaQueueFactory.
   *
   * @param \Drupal\kafka_queue\KafkaQueueSettings $settings
   *   The module's settings.
   * @param \Drupal\kafka_queue\KafkaQueueRegistry $registry
   *   Which queues run on Kafka.
   * @param \Drupal\Core\Queue\QueueFactoryInterface $databaseFactory
   *   Core's database queue factory, for the queues that do not.
   * @param \Drupal\kafka_queue\Queue\QueueStateStore $stateStore
   *   The Drupal-side queue state.
   * @param \Psr\Log\LoggerInterface $logger
   *   The module's logger channel.
   */
  public function __construct(
    protected KafkaQueueSettings $settings,
    protected KafkaQueueRegistry $registry,
    protected QueueFactoryInterface $databaseFactory,
    protected QueueStateStore $stateStore,
    protected LoggerInterface $logger,
  ) {}

  /**
   * {@inheritdoc}
   *
   * @return \Drupal\Core\Queue\QueueInterface
   *   The Kafka queue; a database queue for a queue that does not run on
   *   Kafka.
   *
   * @throws \RuntimeException
   *   When the kafka_queue extension is not loaded.
   * @throws \InvalidArgumentException
   *   When $settings['kafka_queue'] is malformed.
   * @throws \KafkaQueueException
   *   When the extension refuses the configuration.
   */
  public function get($name) {
    $name = (string) $name;
    return $this->queues[$name] ??= ($this->registry->isKafkaQueue($name)
      ? $this->kafkaQueue($name)
      : $this->databaseFactory->get($name));
  }

  /**
   * The Kafka queue of a name, whether or not the site routes it to Kafka.
   *
   * For inspecting a queue's topic ("drush kafka-queue:status NAME").
   *
   * @param string $name
   *   The queue name.
   *
   * @return \Drupal\kafka_queue\Queue\KafkaQueue
   *   The queue.
   *
   * @throws \RuntimeException
   *   When the kafka_queue extension is not loaded.
   * @throws \InvalidArgumentException
   *   When $settings['kafka_queue'] is malformed.
   * @throws \KafkaQueueException
   *   When the extension refuses the configuration.
   */
  public function kafkaQueue(string $name): KafkaQueue {
    if (!isset($this->kafkaQueues[$name])) {
      // Checked before the subclass is autoloaded: without the extension its
      // declaration would be a fatal error.
      NativeExtension::assertLoaded();
      $this->kafkaQueues[$name] = new KafkaQueue($name, $this->settings->queueConfig($name), $this->stateStore, $this->logger);
    }
    return $this->kafkaQueues[$name];
  }

}
