<?php

declare(strict_types=1);

namespace Drupal\kafka_queue_test\Plugin\QueueWorker;

use Drupal\Core\Queue\QueueWorkerBase;
use Drupal\kafka_queue_test\AttemptLog;

/**
 * Records each item it is given, and fails the first attempts at it.
 *
 * Item data: ['id' => string, 'fail' => int]. The first 'fail' attempts at
 * the item (default 0) throw the worker's exception; later ones succeed.
 */
abstract class ScriptedWorkerBase extends QueueWorkerBase {

  /**
   * {@inheritdoc}
   */
  public function processItem($data) {
    $attempt = AttemptLog::record($this->getPluginId(), (string) $data['id']);
    if ($attempt <= ($data['fail'] ?? 0)) {
      throw $this->failure($data, $attempt);
    }
  }

  /**
   * The exception of a failed attempt.
   *
   * @param array $data
   *   The item's data.
   * @param int $attempt
   *   The attempt, from 1.
   *
   * @return \Exception
   *   The exception to throw.
   */
  abstract protected function failure(array $data, int $attempt): \Exception;

}
