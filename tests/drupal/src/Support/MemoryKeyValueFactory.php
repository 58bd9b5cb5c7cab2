<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue\Support;

use Drupal\Core\KeyValueStore\KeyValueFactoryInterface;

/**
 * An in-memory key-value factory, like core's KeyValueMemoryFactory.
 */
final class MemoryKeyValueFactory implements KeyValueFactoryInterface {

  /**
   * Collections, keyed by name.
   *
   * @var \Drupal\Tests\kafka_queue\Support\MemoryKeyValueStore[]
   */
  private array $collections = [];

  /**
   * {@inheritdoc}
   */
  public function get($collection) {
    return $this->collections[$collection] ??= new MemoryKeyValueStore($collection);
  }

}
