<?php

declare(strict_types=1);

namespace Drupal\kafka_queue_test\Plugin\QueueWorker;

use Drupal\Core\Queue\Attribute\QueueWorker;
use Drupal\Core\Queue\RequeueException;
use Drupal\Core\StringTranslation\TranslatableMarkup;

/**
 * Throws RequeueException on the first attempts.
 */
#[QueueWorker(
  id: 'kafka_queue_test_requeue',
  title: new TranslatableMarkup('Throws RequeueException on the first attempts.'),
  cron: ['time' => 10],
)]
class RequeueWorker extends ScriptedWorkerBase {

  /**
   * {@inheritdoc}
   */
  protected function failure(array $data, int $attempt): \Exception {
    return new RequeueException();
  }

}
