<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue\Support;

use Drupal\Core\Queue\QueueWorkerInterface;
use Drupal\Core\Queue\QueueWorkerManagerInterface;

/**
 * The plugin.manager.queue_worker service, with definitions given by a test.
 */
final class TestQueueWorkerManager implements QueueWorkerManagerInterface {

  /**
   * Worker instances, keyed by plugin ID.
   *
   * @var \Drupal\Core\Queue\QueueWorkerInterface[]
   */
  private array $workers = [];

  /**
   * Constructs the manager.
   *
   * @param array $definitions
   *   QueueWorker definitions keyed by plugin ID, as the attribute or
   *   annotation gives them (id, title, cron => [time => N]...).
   */
  public function __construct(private array $definitions = []) {}

  /**
   * Adds a worker and its definition.
   */
  public function addWorker(QueueWorkerInterface $worker, array $definition = []): void {
    $id = $worker->getPluginId();
    $this->definitions[$id] = $definition + ['id' => $id, 'title' => $id];
    $this->workers[$id] = $worker;
  }

  /**
   * {@inheritdoc}
   */
  public function getDefinition($plugin_id, $exception_on_invalid = TRUE) {
    if (isset($this->definitions[$plugin_id])) {
      return $this->definitions[$plugin_id];
    }
    if ($exception_on_invalid) {
      throw new \RuntimeException(sprintf('The "%s" plugin does not exist.', $plugin_id));
    }
    return NULL;
  }

  /**
   * {@inheritdoc}
   */
  public function getDefinitions() {
    return $this->definitions;
  }

  /**
   * {@inheritdoc}
   */
  public function hasDefinition($plugin_id) {
    return isset($this->definitions[$plugin_id]);
  }

  /**
   * {@inheritdoc}
   */
  public function createInstance($plugin_id, array $configuration = []) {
    if (!isset($this->workers[$plugin_id])) {
      throw new \RuntimeException(sprintf('No worker instance for "%s".', $plugin_id));
    }
    return $this->workers[$plugin_id];
  }

  /**
   * {@inheritdoc}
   */
  public function getInstance(array $options) {
    return FALSE;
  }

}
