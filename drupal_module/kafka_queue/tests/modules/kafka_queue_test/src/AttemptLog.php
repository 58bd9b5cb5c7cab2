<?php

declare(strict_types=1);

namespace Drupal\kafka_queue_test;

use Drupal\Core\Site\Settings;

/**
 * A file where the test workers record every item they are given.
 *
 * One JSON line per attempt: queue, item id, attempt number, time, the
 * request time of the process (when its claims' leases started at the
 * earliest) and process ID. The tests read it from outside Drupal. The file is
 * $settings['kafka_queue_test_log'].
 */
final class AttemptLog {

  /**
   * Records an attempt.
   *
   * @param string $queue
   *   The queue (the worker's plugin ID).
   * @param string $id
   *   The item's test ID (from its data).
   *
   * @return int
   *   The number of this attempt at this item of this queue, from 1.
   */
  public static function record(string $queue, string $id): int {
    $path = Settings::get('kafka_queue_test_log');
    if (!is_string($path) || $path === '') {
      throw new \LogicException('$settings[\'kafka_queue_test_log\'] is not set: the test workers have nowhere to record their attempts.');
    }
    $handle = fopen($path, 'c+');
    if ($handle === FALSE || !flock($handle, LOCK_EX)) {
      throw new \RuntimeException('Cannot open and lock ' . $path);
    }
    try {
      $attempt = 1;
      while (($line = fgets($handle)) !== FALSE) {
        $entry = json_decode($line, TRUE);
        if (($entry['queue'] ?? NULL) === $queue && ($entry['id'] ?? NULL) === $id) {
          $attempt++;
        }
      }
      fwrite($handle, json_encode([
        'queue' => $queue,
        'id' => $id,
        'attempt' => $attempt,
        'time' => microtime(TRUE),
        'request_time' => \Drupal::time()->getRequestMicroTime(),
        'pid' => getmypid(),
      ]) . "\n");
      fflush($handle);
      return $attempt;
    }
    finally {
      flock($handle, LOCK_UN);
      fclose($handle);
    }
  }

}
