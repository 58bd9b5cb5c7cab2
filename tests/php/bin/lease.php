<?php

/**
 * @file
 * Claims up to --claim items with a lease of --lease seconds, deletes the first, releases
 * --release of the others, prints "held <unix time before the first claim> <data of the held
 * items>",
 * then ends as --then says: exit (the request ends: leases are committed), throw (an uncaught
 * exception ends it, as a failing QueueWorker in drush cron), idle (stays alive without
 * touching the queue until stdin closes or --idle-for seconds pass).
 *
 * Options: --brokers --queue --group --lease=S --claim=N [--release=N] [--then=exit|throw|idle]
 *   [--idle-for=S] [--config=key=value,...]
 */

declare(strict_types=1);

$o = getopt('', ['brokers:', 'queue:', 'group:', 'lease:', 'claim:', 'release::', 'then::', 'idle-for::', 'config::']);
$config = ['bootstrap.servers' => $o['brokers'], 'group.id' => $o['group']];
foreach (array_filter(explode(',', $o['config'] ?? '')) as $pair) {
  [$key, $value] = explode('=', $pair, 2);
  $config[$key] = $value;
}
$queue = new KafkaQueue($o['queue'], $config);
$items = [];
$start = microtime(TRUE);
$deadline = $start + 30;
while (count($items) < (int) $o['claim'] && microtime(TRUE) < $deadline) {
  if ($item = $queue->claimItem((int) $o['lease'])) {
    $items[] = $item;
  }
}
$queue->deleteItem(array_shift($items));
for ($i = 0; $i < (int) ($o['release'] ?? 0); $i++) {
  $queue->releaseItem(array_shift($items));
}
printf("held %.3f %s\n", $start, implode(',', array_map(fn($item) => $item->data, $items)));
fflush(STDOUT);
switch ($o['then'] ?? 'exit') {
  case 'throw':
    throw new RuntimeException('the queue worker failed');

  case 'idle':
    // Alive and busy with something else: no call into the queue.
    $until = microtime(TRUE) + (float) ($o['idle-for'] ?? 60);
    while (microtime(TRUE) < $until && !feof(STDIN)) {
      $read = [STDIN];
      $none = NULL;
      stream_select($read, $none, $none, 0, 200000);
      if ($read) {
        fgets(STDIN);
      }
    }
}
