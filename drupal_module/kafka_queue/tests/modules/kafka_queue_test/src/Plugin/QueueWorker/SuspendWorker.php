<?php

declare(strict_types=1);

namespace Drupal\kafka_queue_test\Plugin\QueueWorker;

use Drupal\Core\Queue\Attribute\QueueWorker;
use Drupal\Core\Queue\SuspendQueueException;
use Drupal\Core\StringTranslation\TranslatableMarkup;

/**
 * Throws SuspendQueueException on the first attempts.
 */
#[QueueWorker(
  id: 'kafka_queue_test_suspend',
  title: new TranslatableMarkup('Throws SuspendQueueException on the first attempts.'),
  cron: ['time' => 10],
)]
class SuspendWorker extends ScriptedWorkerBase {

  /**
   * {@inheritdoc}
   */
  protected function failure(array $data, int $attempt): \Exception {
    return new SuspendQueueException(sprintf('Suspended at item %s, attempt %d.', $data['id'], $attempt));
  }

}
