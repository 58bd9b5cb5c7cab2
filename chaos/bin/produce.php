<?php

/**
 * @file
 * A chaos producer: creates items whose data is "<prefix><n>" (unique across a scenario) and
 * writes down what createItem() answered, so that the ledger knows which items Kafka owes us.
 *
 * Log lines (t = microtime, d = the call's duration in s):
 *   OK t d item_id data        createItem() returned an id (strict: acknowledged by Kafka;
 *                              fast: queued, confirmed by the next FLUSH or reported on stderr)
 *   ERR t d data msg           createItem() threw: the item is not owed (it may still show up:
 *                              "failed but delivered", the honest ambiguity of a timeout)
 *   FLUSH t d n                flush() returned n (fast mode, after each batch and at the end)
 *   END t
 * Fast mode: every item that is not delivered is named on stderr by the extension
 * ("item ID ... was NOT delivered"): the ledger reads that too.
 *
 * Options: --brokers --queue --log --prefix [--count=N] [--duration=S] [--rate=N items/s]
 *   [--delivery=strict|fast] [--batch=N] [--timeout-ms=N] [--stop-file=F] [--idempotence]
 */

declare(strict_types=1);

$o = getopt('', ['brokers:', 'queue:', 'log:', 'prefix:', 'count::', 'duration::', 'rate::',
  'delivery::', 'batch::', 'timeout-ms::', 'stop-file::', 'idempotence']);
$config = [
  'bootstrap.servers' => $o['brokers'],
  'delivery' => $o['delivery'] ?? 'strict',
];
if (isset($o['timeout-ms'])) {
  $config['timeout_ms'] = (int) $o['timeout-ms'];
}
if (isset($o['idempotence'])) {
  $config['enable.idempotence'] = 'true';
}
$queue = new KafkaQueue($o['queue'], $config);
$fast = $config['delivery'] === 'fast';
$log = fopen($o['log'], 'a');
$say = function (string $line) use ($log): void {
  fwrite($log, $line . "\n");
  fflush($log);
};
$clean = fn(string $s): string => str_replace(["\n", "\r"], ' ', $s);
$count = (int) ($o['count'] ?? PHP_INT_MAX);
$until = isset($o['duration']) ? microtime(TRUE) + (float) $o['duration'] : INF;
$rate = (float) ($o['rate'] ?? 0);
$batch = max(1, (int) ($o['batch'] ?? 100));
$stop = $o['stop-file'] ?? NULL;
$start = microtime(TRUE);

$flush = function () use ($queue, $say): void {
  $t0 = microtime(TRUE);
  try {
    $n = $queue->flush();
    $t = microtime(TRUE);
    $say(sprintf('FLUSH %.6f %.3f %d', $t, $t - $t0, $n));
  }
  catch (\Throwable $e) {
    $t = microtime(TRUE);
    $say(sprintf('FLUSH %.6f %.3f -1 %s', $t, $t - $t0, get_class($e) . ': ' . $e->getMessage()));
  }
};

for ($i = 0; $i < $count; $i++) {
  if (microtime(TRUE) >= $until || ($stop !== NULL && file_exists($stop))) {
    break;
  }
  if ($rate > 0) {
    $due = $start + $i / $rate;
    $now = microtime(TRUE);
    if ($due > $now) {
      usleep((int) (($due - $now) * 1e6));
    }
  }
  $data = $o['prefix'] . $i;
  $t0 = microtime(TRUE);
  try {
    $id = $queue->createItem($data);
    $t = microtime(TRUE);
    $say(sprintf('OK %.6f %.3f %s %s', $t, $t - $t0, $id, $data));
  }
  catch (\Throwable $e) {
    $t = microtime(TRUE);
    $say(sprintf('ERR %.6f %.3f %s %s', $t, $t - $t0, $data, $clean(get_class($e) . ': ' . $e->getMessage())));
  }
  if ($fast && ($i + 1) % $batch === 0) {
    $flush();
  }
}
if ($fast) {
  $flush();
}
$say(sprintf('END %.6f', microtime(TRUE)));
