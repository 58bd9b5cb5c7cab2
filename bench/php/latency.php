<?php

/**
 * @file
 * End-to-end latency at low load: createItem in one process to claimItem in another.
 *
 * role=consumer joins the group, drains what is there, then writes `ready_file` and claims
 * `count` items, each carrying the hrtime(true) of its createItem call; it prints every
 * latency (createItem called → claimItem returned) in microseconds, and how long its empty
 * claims took. An empty claim is retried after `idle_sleep_us` (claimItem returns FALSE
 * without waiting for claim_wait_ms when the worker has read everything).
 *
 * role=producer creates `warmup` + `count` items at `rate` items per second, on a fixed
 * schedule; it prints how long each createItem took.
 */

declare(strict_types=1);

require __DIR__ . '/common.php';

$a = bench_args($argv, [
  'role' => '',
  'queue' => '',
  'group' => '',
  'delivery' => 'strict',
  'rate' => '100',
  'count' => '500',
  'warmup' => '20',
  'size' => '100',
  'ready_file' => '',
  'idle_sleep_us' => '50',
  'timeout_s' => '60',
]);
$count = (int) $a['count'];
$warmup = (int) $a['warmup'];

if ($a['role'] === 'consumer') {
  $q = new KafkaQueue($a['queue'], bench_config([
    'group.id' => $a['group'],
    'commit' => 'fast',
    'claim_wait_ms' => '5000',
  ]));
  // Join, and skip anything older than this run.
  $deadline = hrtime(TRUE) + 30e9;
  while ($q->claimItem(60) !== FALSE && hrtime(TRUE) < $deadline) {
  }
  file_put_contents($a['ready_file'], (string) getmypid());
  $latencies = [];
  $seen = 0;
  $empty = 0;
  $empty_ns = 0;
  $sleep = (int) $a['idle_sleep_us'];
  $give_up = hrtime(TRUE) + (int) $a['timeout_s'] * 1e9;
  while ($seen < $warmup + $count && hrtime(TRUE) < $give_up) {
    $t = hrtime(TRUE);
    $item = $q->claimItem(60);
    if ($item === FALSE) {
      $empty++;
      $empty_ns += hrtime(TRUE) - $t;
      if ($sleep > 0) {
        usleep($sleep);
      }
      continue;
    }
    $now = hrtime(TRUE);
    $sent = (int) substr($item->data, 0, 20);
    if ($seen++ >= $warmup) {
      $latencies[] = round(($now - $sent) / 1e3, 1);
    }
    $q->deleteItem($item);
  }
  emit([
    'role' => 'consumer',
    'received' => $seen,
    'latency_us' => $latencies,
    'empty_claims' => $empty,
    'empty_claim_us_avg' => $empty ? round($empty_ns / $empty / 1e3, 1) : NULL,
  ]);
  exit(0);
}

if ($a['role'] !== 'producer') {
  fwrite(STDERR, "role must be consumer or producer\n");
  exit(2);
}
$q = new KafkaQueue($a['queue'], bench_config([
  'group.id' => $a['group'],
  'delivery' => $a['delivery'],
]));
$pad = str_repeat('x', max(0, (int) $a['size'] - 21));
$interval = (int) (1e9 / (float) $a['rate']);
$next = hrtime(TRUE);
$create_us = [];
for ($i = 0; $i < $warmup + $count; $i++) {
  while (($wait = $next - hrtime(TRUE)) > 0) {
    usleep(intdiv($wait, 1000));
  }
  $t = hrtime(TRUE);
  $q->createItem(sprintf('%020d', $t) . ' ' . $pad);
  if ($i >= $warmup) {
    $create_us[] = round((hrtime(TRUE) - $t) / 1e3, 1);
  }
  $next += $interval;
}
$q->flush();
emit(['role' => 'producer', 'sent' => $warmup + $count, 'create_us' => $create_us]);
