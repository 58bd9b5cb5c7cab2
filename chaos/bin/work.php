<?php

/**
 * @file
 * A chaos worker: claim, "process", delete, and write down every step, so that the ledger
 * can tell a loss from a duplicate and a justified duplicate from a broken promise.
 *
 * Log lines (one per event, flushed at once; t = microtime, d = the call's duration in s):
 *   C t d item_id partition offset data    claimed (processing starts)
 *   D t d item_id partition offset         deleteItem() returned TRUE
 *   X t d item_id partition offset msg     deleteItem() returned FALSE or threw
 *   N t d                                  claimItem() returned FALSE
 *   E t d method msg                       claimItem() threw
 *   BYE t                                  leaving normally (the extension then commits and
 *                                          leaves the group at the end of the script)
 *
 * Options: --brokers --queue --group --log [--stop-file=F] [--pause-ms=N] (random 0..N per item)
 *   [--lease=S] [--commit=strict|fast] [--timeout-ms=N] [--claim-wait-ms=N] [--join-wait-ms=N]
 *   [--max-errors=N]
 *   [--once] (leave at the first FALSE, whatever the stop file says)
 *   [--until=T] (leave at Unix time T, after the item in hand)
 *
 * The worker keeps claiming until the stop file exists and claimItem() says nothing is left.
 * Exit code 3: gave up after --max-errors failed calls in a row.
 */

declare(strict_types=1);

$o = getopt('', ['brokers:', 'queue:', 'group:', 'log:', 'stop-file::', 'pause-ms::', 'lease::',
  'commit::', 'timeout-ms::', 'claim-wait-ms::', 'join-wait-ms::', 'max-errors::', 'once', 'until::']);
$config = [
  'bootstrap.servers' => $o['brokers'],
  'group.id' => $o['group'],
  'commit' => $o['commit'] ?? 'strict',
  'claim_wait_ms' => (int) ($o['claim-wait-ms'] ?? 2000),
];
if (isset($o['timeout-ms'])) {
  $config['timeout_ms'] = (int) $o['timeout-ms'];
}
if (isset($o['join-wait-ms'])) {
  $config['join_wait_ms'] = (int) $o['join-wait-ms'];
}
$queue = new KafkaQueue($o['queue'], $config);
$log = fopen($o['log'], 'a');
$say = function (string $line) use ($log): void {
  fwrite($log, $line . "\n");
  fflush($log);
};
$pause = (int) ($o['pause-ms'] ?? 0);
$lease = (int) ($o['lease'] ?? 60);
$stop = $o['stop-file'] ?? NULL;
$once = isset($o['once']);
$maxErrors = (int) ($o['max-errors'] ?? 100);
$errors = 0;
$until = (float) ($o['until'] ?? INF);
$clean = fn(string $s): string => str_replace(["\n", "\r"], ' ', $s);

while (microtime(TRUE) < $until) {
  $t0 = microtime(TRUE);
  try {
    $item = $queue->claimItem($lease);
  }
  catch (\Throwable $e) {
    $t = microtime(TRUE);
    $say(sprintf('E %.6f %.3f claimItem %s', $t, $t - $t0, $clean(get_class($e) . ': ' . $e->getMessage())));
    if (++$errors >= $maxErrors) {
      $say(sprintf('GIVEUP %.6f', microtime(TRUE)));
      exit(3);
    }
    usleep(100000);
    continue;
  }
  $t = microtime(TRUE);
  if (!$item) {
    $say(sprintf('N %.6f %.3f', $t, $t - $t0));
    if ($once || ($stop !== NULL && file_exists($stop))) {
      break;
    }
    continue;
  }
  $errors = 0;
  $say(sprintf('C %.6f %.3f %s %d %d %s', $t, $t - $t0, $item->item_id, $item->partition, $item->offset, $item->data));
  if ($pause > 0) {
    usleep(random_int(0, $pause * 1000));
  }
  $t0 = microtime(TRUE);
  try {
    $ok = $queue->deleteItem($item);
    $t = microtime(TRUE);
    $say(sprintf('%s %.6f %.3f %s %d %d%s', $ok ? 'D' : 'X', $t, $t - $t0, $item->item_id, $item->partition, $item->offset, $ok ? '' : ' returned FALSE'));
  }
  catch (\Throwable $e) {
    $t = microtime(TRUE);
    $say(sprintf('X %.6f %.3f %s %d %d %s', $t, $t - $t0, $item->item_id, $item->partition, $item->offset, $clean(get_class($e) . ': ' . $e->getMessage())));
  }
}
$say(sprintf('BYE %.6f', microtime(TRUE)));
