<?php

declare(strict_types=1);

namespace Drupal\kafka_queue_test\Plugin\QueueWorker;

use Drupal\Core\Queue\Attribute\QueueWorker;
use Drupal\Core\Queue\QueueWorkerBase;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\kafka_queue_test\AttemptLog;

/**
 * Records each item it is given, and succeeds.
 */
#[QueueWorker(
  id: 'kafka_queue_test_ok',
  title: new TranslatableMarkup('Succeeds.'),
  cron: ['time' => 10],
)]
class SucceedWorker extends QueueWorkerBase {

  /**
   * {@inheritdoc}
   */
  public function processItem($data) {
    AttemptLog::record($this->getPluginId(), (string) $data['id']);
  }

}
