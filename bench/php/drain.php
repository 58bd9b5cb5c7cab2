<?php

/**
 * @file
 * A queue worker: claimItem + deleteItem until the queue stays empty for `idle_ms`, or until
 * `limit` items are deleted. Several of these may run at once in one consumer group.
 *
 * Prints one JSON line: how many items it deleted, when (hrtime ns) it claimed its first item
 * and deleted its last, how long joining the group took, and, every `rss_every` items, its
 * resident set size (VmRSS) and PHP's own memory use.
 */

declare(strict_types=1);

require __DIR__ . '/common.php';

$a = bench_args($argv, [
  'queue' => '',
  'group' => '',
  'commit' => 'fast',
  'limit' => '0',
  'idle_ms' => '1500',
  'claim_wait_ms' => '1000',
  'rss_every' => '0',
  // Extra librdkafka properties, as name:value pairs separated by ';'.
  'props' => '',
  // The broker's pid, to report its CPU time per item as well (optional).
  'broker_pid' => '',
]);
$props = [];
foreach (array_filter(explode(';', $a['props'])) as $pair) {
  [$name, $value] = explode(':', $pair, 2);
  $props[$name] = $value;
}

$q = new KafkaQueue($a['queue'], bench_config($props + [
  'group.id' => $a['group'],
  'commit' => $a['commit'],
  'claim_wait_ms' => $a['claim_wait_ms'],
  'timeout_ms' => '30000',
]));
$limit = (int) $a['limit'];
$idle_ns = (int) $a['idle_ms'] * 1000000;
$rss_every = (int) $a['rss_every'];

$started = hrtime(TRUE);
$count = 0;
$first = NULL;
$last = NULL;
$empty = 0;
$rss = [];
if ($rss_every > 0) {
  $rss[] = [0, rss_kib(), memory_get_usage(), $started];
}
$cpu0 = cpu_seconds();
$threads0 = thread_cpu_ns();
$broker0 = process_cpu_ns($a['broker_pid']);
$since = $started;
$idle_snapshot = NULL;

while ($limit === 0 || $count < $limit) {
  $item = $q->claimItem(60);
  if ($item === FALSE) {
    $empty++;
    if ($count > 0 && $idle_snapshot === NULL) {
      // CPU is accounted up to here: the idle wait below is not part of the drain.
      $idle_snapshot = [cpu_seconds(), thread_cpu_ns(), process_cpu_ns($a['broker_pid'])];
    }
    if (hrtime(TRUE) - $since >= $idle_ns) {
      break;
    }
    usleep(1000);
    continue;
  }
  $idle_snapshot = NULL;
  if ($first === NULL) {
    $first = hrtime(TRUE);
  }
  $q->deleteItem($item);
  $count++;
  if ($rss_every > 0 && $count % $rss_every === 0) {
    $rss[] = [$count, rss_kib(), memory_get_usage(), hrtime(TRUE)];
  }
  $since = $last = hrtime(TRUE);
}
[$cpu1, $threads1, $broker1] = $idle_snapshot
  ?? [cpu_seconds(), thread_cpu_ns(), process_cpu_ns($a['broker_pid'])];
$threads = cpu_ns_per_item($threads0, $threads1, max(1, $count));
$broker = $broker1 - $broker0;

emit([
  'pid' => getmypid(),
  'count' => $count,
  'started_ns' => $started,
  'first_claim_ns' => $first,
  'last_delete_ns' => $last,
  'join_ms' => $first === NULL ? NULL : ($first - $started) / 1e6,
  'items_per_s' => ($count > 1 && $last > $first) ? ($count - 1) / (($last - $first) / 1e9) : NULL,
  'empty_claims' => $empty,
  'cpu_user_s' => $cpu1['user'] - $cpu0['user'],
  'cpu_sys_s' => $cpu1['sys'] - $cpu0['sys'],
  'thread_cpu_ns_per_item' => $threads,
  'broker_cpu_ns_per_item' => $a['broker_pid'] === '' ? NULL : round($broker / max(1, $count), 1),
  'rss' => $rss,
]);
