<?php

declare(strict_types=1);

namespace Drupal\kafka_queue_test\Plugin\QueueWorker;

use Drupal\Core\Queue\Attribute\QueueWorker;
use Drupal\Core\StringTranslation\TranslatableMarkup;

/**
 * Throws a plain exception on the first attempts.
 */
#[QueueWorker(
  id: 'kafka_queue_test_fail',
  title: new TranslatableMarkup('Throws a plain exception on the first attempts.'),
  cron: ['time' => 10],
)]
class FailWorker extends ScriptedWorkerBase {

  /**
   * {@inheritdoc}
   */
  protected function failure(array $data, int $attempt): \Exception {
    return new \RuntimeException(sprintf('Failed at item %s, attempt %d.', $data['id'], $attempt));
  }

}
