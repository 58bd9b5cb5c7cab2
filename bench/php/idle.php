<?php

/**
 * @file
 * A worker on a drained queue.
 *
 * mode=empty: `count` empty claims, one every `gap_ms` (longer than claim_wait_ms, so that each
 *   is a first claim after a pause, as cron or `drush queue:run` make them), timed. They run
 *   between the lines "claims: start" and "claims: end" on stderr, so that a caller running this
 *   under strace can count what they sent to the brokers.
 * mode=loop: claimItem() in a loop for `seconds`, as a polling worker does; the CPU it used.
 */

declare(strict_types=1);

require __DIR__ . '/common.php';

$a = bench_args($argv, [
  'mode' => 'empty',
  'queue' => '',
  'group' => '',
  'count' => '100',
  'gap_ms' => '150',
  'seconds' => '10',
]);

$q = new KafkaQueue($a['queue'], bench_config([
  'group.id' => $a['group'],
  'claim_wait_ms' => '100',
  // The worker keeps its partitions through the pauses: no re-join between the claims.
  'idle_leave_ms' => '0',
]));
// Join (it takes longer than the claim wait) and delete everything there is.
$deadline = hrtime(TRUE) + 30e9;
while ((($item = $q->claimItem(60)) || $q->numberOfItems() > 0) && hrtime(TRUE) < $deadline) {
  if ($item) {
    $q->deleteItem($item);
  }
}
usleep(200000);

if ($a['mode'] === 'loop') {
  $cpu0 = cpu_seconds();
  $t0 = hrtime(TRUE);
  $calls = 0;
  $end = $t0 + (int) $a['seconds'] * 1e9;
  while (hrtime(TRUE) < $end) {
    if ($q->claimItem(60) !== FALSE) {
      fwrite(STDERR, "the queue was not empty\n");
      exit(1);
    }
    $calls++;
  }
  $cpu1 = cpu_seconds();
  $wall = (hrtime(TRUE) - $t0) / 1e9;
  emit([
    'mode' => 'loop',
    'calls' => $calls,
    'wall_s' => round($wall, 3),
    'cpu_share' => ($cpu1['user'] + $cpu1['sys'] - $cpu0['user'] - $cpu0['sys']) / $wall,
  ]);
  exit(0);
}

$times_us = [];
fwrite(STDERR, "claims: start\n");
for ($i = 0; $i < (int) $a['count']; $i++) {
  usleep((int) $a['gap_ms'] * 1000);
  $t = hrtime(TRUE);
  if ($q->claimItem(60) !== FALSE) {
    fwrite(STDERR, "the queue was not empty\n");
    exit(1);
  }
  $times_us[] = round((hrtime(TRUE) - $t) / 1e3, 1);
}
fwrite(STDERR, "claims: end\n");
emit(['mode' => 'empty', 'claim_us' => $times_us]);
