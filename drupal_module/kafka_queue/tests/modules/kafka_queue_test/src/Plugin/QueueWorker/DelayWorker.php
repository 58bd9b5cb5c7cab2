<?php

declare(strict_types=1);

namespace Drupal\kafka_queue_test\Plugin\QueueWorker;

use Drupal\Core\Queue\Attribute\QueueWorker;
use Drupal\Core\Queue\DelayedRequeueException;
use Drupal\Core\StringTranslation\TranslatableMarkup;

/**
 * Throws DelayedRequeueException on the first attempts.
 */
#[QueueWorker(
  id: 'kafka_queue_test_delay',
  title: new TranslatableMarkup('Throws DelayedRequeueException on the first attempts.'),
  cron: ['time' => 10],
)]
class DelayWorker extends ScriptedWorkerBase {

  /**
   * {@inheritdoc}
   */
  protected function failure(array $data, int $attempt): \Exception {
    return new DelayedRequeueException((int) ($data['delay'] ?? 3));
  }

}
