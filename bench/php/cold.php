<?php

/**
 * @file
 * Cold start: a fresh PHP process, up to its first acknowledged createItem (role=produce) or
 * its first claimed item (role=claim, a consumer group nobody has used: the join included).
 *
 * Prints wall-clock times (microtime, seconds since the epoch) of each step, so that the
 * caller can subtract the moment it started the process.
 */

declare(strict_types=1);

$script_start = microtime(TRUE);

require __DIR__ . '/common.php';

$a = bench_args($argv, [
  'role' => '',
  'queue' => '',
  'group' => '',
]);

$q = new KafkaQueue($a['queue'], bench_config([
  'group.id' => $a['group'],
  'claim_wait_ms' => '10000',
]));
$constructed = microtime(TRUE);

if ($a['role'] === 'produce') {
  // Strict delivery (the default): createItem returns once the broker has acknowledged.
  $q->createItem(str_repeat('x', 100));
  $done = microtime(TRUE);
}
elseif ($a['role'] === 'claim') {
  $item = $q->claimItem(60);
  $done = microtime(TRUE);
  if ($item === FALSE) {
    fwrite(STDERR, "no item claimed within claim_wait_ms\n");
    exit(1);
  }
  $q->releaseItem($item);
}
else {
  fwrite(STDERR, "role must be produce or claim\n");
  exit(2);
}

emit([
  'role' => $a['role'],
  'request_start' => $_SERVER['REQUEST_TIME_FLOAT'],
  'script_start' => $script_start,
  'constructed' => $constructed,
  'done' => $done,
]);
