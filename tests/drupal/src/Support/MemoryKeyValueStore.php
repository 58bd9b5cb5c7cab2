<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue\Support;

use Drupal\Core\KeyValueStore\KeyValueStoreInterface;

/**
 * An in-memory key-value store that counts the reads and writes made.
 */
final class MemoryKeyValueStore implements KeyValueStoreInterface {

  /**
   * Reads made (get, getMultiple, getAll, has).
   */
  public int $reads = 0;

  /**
   * Writes made (set and the like, deletes).
   */
  public int $writes = 0;

  /**
   * The data.
   */
  private array $data = [];

  /**
   * Constructs a store.
   */
  public function __construct(private readonly string $collection) {}

  /**
   * {@inheritdoc}
   */
  public function getCollectionName() {
    return $this->collection;
  }

  /**
   * {@inheritdoc}
   */
  public function has($key) {
    $this->reads++;
    return array_key_exists($key, $this->data);
  }

  /**
   * {@inheritdoc}
   */
  public function get($key, $default = NULL) {
    $this->reads++;
    return array_key_exists($key, $this->data) ? $this->data[$key] : $default;
  }

  /**
   * {@inheritdoc}
   */
  public function getMultiple(array $keys) {
    $this->reads++;
    return array_intersect_key($this->data, array_flip($keys));
  }

  /**
   * {@inheritdoc}
   */
  public function getAll() {
    $this->reads++;
    return $this->data;
  }

  /**
   * {@inheritdoc}
   */
  public function set($key, $value) {
    $this->writes++;
    $this->data[$key] = $value;
  }

  /**
   * {@inheritdoc}
   */
  public function setIfNotExists($key, $value) {
    $this->writes++;
    if (array_key_exists($key, $this->data)) {
      return FALSE;
    }
    $this->data[$key] = $value;
    return TRUE;
  }

  /**
   * {@inheritdoc}
   */
  public function setMultiple(array $data) {
    $this->writes++;
    $this->data = $data + $this->data;
  }

  /**
   * {@inheritdoc}
   */
  public function rename($key, $new_key) {
    $this->writes++;
    $this->data[$new_key] = $this->data[$key];
    unset($this->data[$key]);
  }

  /**
   * {@inheritdoc}
   */
  public function delete($key) {
    $this->writes++;
    unset($this->data[$key]);
  }

  /**
   * {@inheritdoc}
   */
  public function deleteMultiple(array $keys) {
    $this->writes++;
    $this->data = array_diff_key($this->data, array_flip($keys));
  }

  /**
   * {@inheritdoc}
   */
  public function deleteAll() {
    $this->writes++;
    $this->data = [];
  }

}
