<?php

declare(strict_types=1);

namespace Drupal\kafka_queue\Queue;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\KeyValueStore\KeyValueFactoryInterface;
use Drupal\Core\KeyValueStore\KeyValueStoreInterface;

/**
 * The Drupal side of a Kafka queue's life: available or deleted.
 *
 * The design gives createQueue() and deleteQueue() no work in Kafka: topics
 * are provisioned at deploy time and never deleted at run time. What Drupal
 * records is whether the site considers the queue created or deleted, shown
 * by "drush kafka-queue:status". It lives in the key-value store (one record
 * per queue in one collection), not in State: it is not cached site-wide and
 * a write does not invalidate anything else.
 *
 * Cron calls createQueue() for every cron queue on every run, so marking is
 * read-before-write: one primary-key read, and a write only on a change.
 */
class QueueStateStore {

  /**
   * The key-value collection.
   */
  public const COLLECTION = 'kafka_queue.queue_state';

  /**
   * The queue was created (createQueue() found its topic).
   */
  public const AVAILABLE = 'available';

  /**
   * The queue was deleted (deleteQueue()).
   */
  public const DELETED = 'deleted';

  /**
   * The collection, once opened.
   */
  protected ?KeyValueStoreInterface $store = NULL;

  /**
   * Constructs a QueueStateStore.
   *
   * @param \Drupal\Core\KeyValueStore\KeyValueFactoryInterface $keyValueFactory
   *   The key-value factory.
   * @param \Drupal\Component\Datetime\TimeInterface $time
   *   The time service.
   */
  public function __construct(
    protected KeyValueFactoryInterface $keyValueFactory,
    protected TimeInterface $time,
  ) {}

  /**
   * Records that a queue is available.
   *
   * @param string $name
   *   The queue name.
   * @param string $topic
   *   Its Kafka topic.
   *
   * @return bool
   *   TRUE if the record changed, FALSE if it already said so.
   */
  public function markAvailable(string $name, string $topic): bool {
    return $this->mark($name, self::AVAILABLE, $topic);
  }

  /**
   * Records that a queue was deleted.
   *
   * @param string $name
   *   The queue name.
   * @param string $topic
   *   Its Kafka topic.
   *
   * @return bool
   *   TRUE if the record changed, FALSE if it already said so.
   */
  public function markDeleted(string $name, string $topic): bool {
    return $this->mark($name, self::DELETED, $topic);
  }

  /**
   * The record of one queue.
   *
   * @param string $name
   *   The queue name.
   *
   * @return array|null
   *   An array with 'status' (self::AVAILABLE or self::DELETED), 'topic' and
   *   'changed' (a Unix time), or NULL for a queue never created or deleted.
   */
  public function get(string $name): ?array {
    $record = $this->store()->get($name);
    return is_array($record) ? $record : NULL;
  }

  /**
   * Writes a record unless it already holds the same status and topic.
   */
  protected function mark(string $name, string $status, string $topic): bool {
    $current = $this->get($name);
    if ($current !== NULL && ($current['status'] ?? NULL) === $status && ($current['topic'] ?? NULL) === $topic) {
      return FALSE;
    }
    $this->store()->set($name, [
      'status' => $status,
      'topic' => $topic,
      'changed' => (int) $this->time->getCurrentTime(),
    ]);
    return TRUE;
  }

  /**
   * The collection.
   */
  protected function store(): KeyValueStoreInterface {
    return $this->store ??= $this->keyValueFactory->get(self::COLLECTION);
  }

}
