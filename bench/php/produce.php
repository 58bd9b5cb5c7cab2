<?php

/**
 * @file
 * createItem throughput from one PHP process.
 *
 * One warm-up createItem (and flush) creates the producer and loads the topic's metadata;
 * then each repetition creates `items` items and, in fast delivery mode, flushes them: a
 * repetition ends when Kafka has acknowledged every item. One JSON line per repetition.
 */

declare(strict_types=1);

require __DIR__ . '/common.php';

$a = bench_args($argv, [
  'queue' => '',
  'items' => '100000',
  'size' => '100',
  'data' => 'string',
  'delivery' => 'fast',
  'reps' => '3',
  'group' => 'bench',
  // The broker's pid, to report its CPU time per item as well (optional).
  'broker_pid' => '',
]);

$q = new KafkaQueue($a['queue'], bench_config([
  'group.id' => $a['group'],
  'delivery' => $a['delivery'],
  'timeout_ms' => '60000',
]));
$data = bench_data($a['data'], (int) $a['size']);
$n = (int) $a['items'];

$q->createItem($data);
$q->flush();

for ($rep = 0; $rep < (int) $a['reps']; $rep++) {
  $cpu0 = cpu_seconds();
  $threads0 = thread_cpu_ns();
  $broker0 = process_cpu_ns($a['broker_pid']);
  $t0 = hrtime(TRUE);
  for ($i = 0; $i < $n; $i++) {
    $q->createItem($data);
  }
  $t1 = hrtime(TRUE);
  $failed = $q->flush();
  $t2 = hrtime(TRUE);
  $cpu1 = cpu_seconds();
  $threads = cpu_ns_per_item($threads0, thread_cpu_ns(), $n);
  $broker = process_cpu_ns($a['broker_pid']) - $broker0;
  emit([
    'rep' => $rep,
    'items' => $n,
    'seconds' => ($t2 - $t0) / 1e9,
    'items_per_s' => $n / (($t2 - $t0) / 1e9),
    'loop_items_per_s' => $n / (($t1 - $t0) / 1e9),
    'us_per_item' => ($t2 - $t0) / 1e3 / $n,
    'failed' => $failed,
    'cpu_user_s' => $cpu1['user'] - $cpu0['user'],
    'cpu_sys_s' => $cpu1['sys'] - $cpu0['sys'],
    'thread_cpu_ns_per_item' => $threads,
    'broker_cpu_ns_per_item' => $a['broker_pid'] === '' ? NULL : round($broker / $n, 1),
  ]);
}
