<?php

/**
 * @file
 * The main job on the local broker: provision a queue, enqueue, drain, verify, report.
 *
 * Usage: php -d extension=kafka_queue.so php/demo.php [--brokers=H:P] [--items=N] [--workers=N]
 *
 * It enqueues N items in fast delivery mode (batched) plus 1,000 in strict mode (each one
 * acknowledged), drains them with several worker processes the way `drush queue:run` does
 * (claim, process, delete; deletions committed in batches), and checks that every item was
 * processed exactly once.
 */

declare(strict_types=1);

$options = getopt('', ['brokers::', 'items::', 'workers::', 'worker::', 'group::', 'out::']);
$brokers = $options['brokers'] ?? '127.0.0.1:19092';

if (isset($options['worker'])) {
  exit(run_worker($options['worker'], $brokers, $options['group'], $options['out']));
}

if (!extension_loaded('kafka_queue')) {
  fwrite(STDERR, "The kafka_queue extension is not loaded: run with php -d extension=.../kafka_queue.so\n");
  exit(1);
}

$items = (int) ($options['items'] ?? 200000);
$workers = max(1, (int) ($options['workers'] ?? 2));
$name = 'demo_' . date('Ymd_His') . '_' . bin2hex(random_bytes(2));
$group = 'demo-site-' . bin2hex(random_bytes(4));
$config = ['bootstrap.servers' => $brokers, 'group.id' => $group];

printf("kafka_queue %s on Kafka at %s\n", phpversion('kafka_queue'), $brokers);
$partitions = 2 * $workers;
$t = microtime(TRUE);
$rows = (new KafkaQueueAdmin($config))->provision([$name], $partitions, 1);
printf("provisioned topic %s: %d partitions (%s) in %.0f ms\n", $rows[0]['topic'], $rows[0]['partitions'], $rows[0]['action'], ms($t));

$fast = new KafkaQueue($name, $config + ['delivery' => 'fast']);
$fast->createQueue();
$t = microtime(TRUE);
for ($i = 0; $i < $items; $i++) {
  $fast->createItem(['n' => $i, 'payload' => 'item ' . $i]);
}
$undelivered = $fast->flush();
$seconds = microtime(TRUE) - $t;
printf("createItem, fast mode: %d items in %.2f s = %s items/s (%d undelivered)\n", $items, $seconds, rate($items, $seconds), $undelivered);

$strict = new KafkaQueue($name, $config);
$t = microtime(TRUE);
for ($i = $items; $i < $items + 1000; $i++) {
  $strict->createItem(['n' => $i, 'payload' => 'item ' . $i]);
}
$seconds = microtime(TRUE) - $t;
printf("createItem, strict mode: 1000 items in %.2f s = %.2f ms per acknowledged item\n", $seconds, $seconds);
$total = $items + 1000;
printf("numberOfItems(): %d\n", $strict->numberOfItems());

$dir = sys_get_temp_dir() . '/' . $name;
mkdir($dir);
$t = microtime(TRUE);
$procs = [];
for ($w = 0; $w < $workers; $w++) {
  $cmd = array_merge([PHP_BINARY], extension_args(), [__FILE__, "--worker=$name", "--brokers=$brokers", "--group=$group", "--out=$dir/worker$w"]);
  $procs[] = proc_open($cmd, [1 => STDOUT, 2 => STDERR], $pipes);
}
$failed = 0;
foreach ($procs as $p) {
  $failed += proc_close($p) === 0 ? 0 : 1;
}
$seconds = microtime(TRUE) - $t;

$seen = [];
$duplicates = 0;
foreach (glob("$dir/worker*") as $file) {
  foreach (file($file, FILE_IGNORE_NEW_LINES) as $n) {
    isset($seen[$n]) ? $duplicates++ : $seen[$n] = TRUE;
  }
  unlink($file);
}
rmdir($dir);
$missing = $total - count($seen);
printf("drain, %d worker processes (claimItem + deleteItem, fast commits): %d items in %.2f s = %s items/s\n", $workers, count($seen) + $duplicates, $seconds, rate(count($seen) + $duplicates, $seconds));
printf("check: %d created, %d processed, %d missing, %d duplicates; numberOfItems() now %d\n", $total, count($seen), $missing, $duplicates, $strict->numberOfItems());
exit($missing === 0 && $failed === 0 ? 0 : 1);

/**
 * A worker process: claims, "processes" (records the item) and deletes until drained.
 */
function run_worker(string $name, string $brokers, string $group, string $out): int {
  // Fast commits: deletions are committed in batches (at most 100 ms apart, and before the
  // worker exits), which is what a high-volume worker wants; the default, strict, commits
  // every deleteItem before it returns.
  $queue = new KafkaQueue($name, ['bootstrap.servers' => $brokers, 'group.id' => $group, 'commit' => 'fast']);
  $log = fopen($out, 'w');
  $queue->garbageCollection();
  while ($item = $queue->claimItem(30)) {
    fwrite($log, $item->data['n'] . "\n");
    $queue->deleteItem($item);
  }
  fclose($log);
  return 0;
}

/**
 * How a child process loads the extension: as this one did (the Makefile exports the path of
 * the built library), or from php.ini when the extension is installed.
 */
function extension_args(): array {
  $path = getenv('KAFKA_QUEUE_EXTENSION');
  return $path ? ['-d', "extension=$path"] : [];
}

function ms(float $since): float {
  return (microtime(TRUE) - $since) * 1000;
}

function rate(int $count, float $seconds): string {
  return number_format($count / max($seconds, 1e-9), 0, '.', ',');
}
