<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue\Support;

use Drupal\Component\Datetime\TimeInterface;

/**
 * The datetime.time service, on the system clock.
 */
final class SystemTime implements TimeInterface {

  /**
   * {@inheritdoc}
   */
  public function getRequestTime() {
    return (int) $_SERVER['REQUEST_TIME'];
  }

  /**
   * {@inheritdoc}
   */
  public function getRequestMicroTime() {
    return (float) $_SERVER['REQUEST_TIME_FLOAT'];
  }

  /**
   * {@inheritdoc}
   */
  public function getCurrentTime() {
    return time();
  }

  /**
   * {@inheritdoc}
   */
  public function getCurrentMicroTime() {
    return microtime(TRUE);
  }

}
