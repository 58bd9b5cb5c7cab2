<?php

declare(strict_types=1);

namespace KafkaQueueChaos;

/**
 * Runs a scenario: prints the summary line, the problems, and exits 0 or 1.
 */
final class Report {

  public static function finish(string $scenario, array $v, float $started, array $extra = [], array $failures = []): never {
    $line = sprintf('%s: created=%d processed=%d duplicates=%d lost=%d time=%.0fs', $scenario,
      $v['created'] ?? 0, $v['processed'] ?? 0, $v['duplicates'] ?? 0, $v['lost'] ?? 0, microtime(TRUE) - $started);
    $keys = ['phantom', 'mismatched', 'in_flight_at_kill', 'after_death', 'after_failure', 'concurrent', 'after_delete',
      'record_duplicates', 'create_errors', 'reported_undelivered', 'failed_but_delivered'];
    foreach ($keys as $key) {
      if (isset($v[$key])) {
        $line .= " $key=" . $v[$key];
      }
    }
    foreach ($extra as $key => $value) {
      $line .= " $key=" . (is_float($value) ? sprintf('%.2f', $value) : $value);
    }
    $ok = ($v['ok'] ?? TRUE) && !$failures;
    $line .= $ok ? ' result=ok' : ' result=FAIL';
    foreach (array_merge($v['problems'] ?? [], $failures) as $problem) {
      fwrite(STDERR, "  ! $problem\n");
    }
    echo $line, "\n";
    exit($ok ? 0 : 1);
  }

}
