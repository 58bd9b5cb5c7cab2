<?php

declare(strict_types=1);

namespace Drupal\kafka_queue\Queue;

use Drupal\Core\Queue\QueueFactoryInterface;
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
 * One queue object per name and process: each holds the extension's
 * producer and consumer for its topic, and two consumers of one queue in one
 * process would only make the consumer group rebalance.
 */
class KafkaQueueFactory implements QueueFactoryInterface {

  /**
   * Queues created so far, keyed by name.
   *
   * @var \Drupal\kafka_queue\Queue\KafkaQueue[]
   */
  protected array $queues = [];

  /**
   * Constructs a KafkaQueueFactory.
   *
   * @param \Drupal\kafka_queue\KafkaQueueSettings $settings
   *   The module's settings.
   * @param \Drupal\kafka_queue\Queue\QueueStateStore $stateStore
   *   The Drupal-side queue state.
   * @param \Psr\Log\LoggerInterface $logger
   *   The module's logger channel.
   */
  public function __construct(
    protected KafkaQueueSettings $settings,
    protected QueueStateStore $stateStore,
    protected LoggerInterface $logger,
  ) {}

  /**
   * {@inheritdoc}
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
  public function get($name) {
    $name = (string) $name;
    if (!isset($this->queues[$name])) {
      // Checked before the subclass is autoloaded: without the extension its
      // declaration would be a fatal error.
      NativeExtension::assertLoaded();
      $this->queues[$name] = new KafkaQueue($name, $this->settings->queueConfig($name), $this->stateStore, $this->logger);
    }
    return $this->queues[$name];
  }

}
