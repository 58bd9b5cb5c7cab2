<?php

/**
 * @file
 * Calls the queue's read-only and housekeeping methods in a loop and writes down how long each
 * took, to show that every call returns within its bound while the broker misbehaves.
 *
 * Log lines: P t d method result   (result: a value, or the exception class)
 *
 * Options: --brokers --queue --group --log --stop-file [--timeout-ms=N]
 */

declare(strict_types=1);

$o = getopt('', ['brokers:', 'queue:', 'group:', 'log:', 'stop-file:', 'timeout-ms::']);
$queue = new KafkaQueue($o['queue'], [
  'bootstrap.servers' => $o['brokers'],
  'group.id' => $o['group'],
  'timeout_ms' => (int) ($o['timeout-ms'] ?? 5000),
]);
$log = fopen($o['log'], 'a');
while (!file_exists($o['stop-file'])) {
  foreach (['numberOfItems', 'createQueue', 'status', 'garbageCollection'] as $method) {
    $t0 = microtime(TRUE);
    try {
      $result = $queue->$method();
      $result = is_array($result) ? 'array' : var_export($result, TRUE);
    }
    catch (\Throwable $e) {
      $result = get_class($e);
    }
    $t = microtime(TRUE);
    fwrite($log, sprintf("P %.6f %.3f %s %s\n", $t, $t - $t0, $method, $result));
    fflush($log);
  }
  usleep(200000);
}
