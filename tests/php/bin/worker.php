<?php

/**
 * @file
 * A queue worker as `drush queue:run` runs it: garbage collection, then claim, process,
 * delete, until the queue is drained. "Processing" appends the item's data to --out,
 * before the delete, so a worker killed in between shows up as a duplicate, never a loss.
 *
 * Options: --brokers --queue --group --out [--commit=strict|fast] [--pause-ms=N]
 *   [--claim-wait-ms=N] (the extension's default when not given, as for drush queue:run)
 */

declare(strict_types=1);

$o = getopt('', ['brokers:', 'queue:', 'group:', 'out:', 'commit::', 'pause-ms::', 'claim-wait-ms::']);
$config = [
  'bootstrap.servers' => $o['brokers'],
  'group.id' => $o['group'],
  'commit' => $o['commit'] ?? 'strict',
];
if (isset($o['claim-wait-ms'])) {
  $config['claim_wait_ms'] = (int) $o['claim-wait-ms'];
}
$queue = new KafkaQueue($o['queue'], $config);
$out = fopen($o['out'], 'a');
$pause = (int) ($o['pause-ms'] ?? 0);
$queue->garbageCollection();
while ($item = $queue->claimItem(60)) {
  fwrite($out, $item->data . "\n");
  fflush($out);
  if ($pause > 0) {
    usleep($pause * 1000);
  }
  $queue->deleteItem($item);
}
fclose($out);
