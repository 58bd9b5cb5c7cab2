<?php

/**
 * @file
 * Scenario 1, workers die: several workers drain a queue of unique items while random ones are
 * killed with SIGKILL mid-processing and replaced at once.
 *
 * Promise checked: every created item is processed at least once; an item comes again only if
 * it was in flight (claimed, not yet deleted) in a worker that was killed, and only after that
 * worker died; nothing is processed that was never created; the queue ends empty.
 *
 * Usage: php -d extension=... chaos/scenarios/workers.php BOOTSTRAP
 */

declare(strict_types=1);

namespace KafkaQueueChaos;

require __DIR__ . '/../lib/Chaos.php';

$bootstrap = $argv[1] ?? '127.0.0.1:19592';
$started = microtime(TRUE);
$items = Env::pick(20000, 6000);
$partitions = 8;
$killFor = Env::pick(60.0, 25.0);
$dir = Env::workDir('workers');
$queue = Env::uniqueName('workers');
$group = 'site_' . bin2hex(random_bytes(3));
Env::say("workers: $items items, $partitions partitions, 4 workers, kills for {$killFor}s; logs in $dir");

Kafka::provision($bootstrap, $queue, $partitions, 1);
Kafka::waitForTopic($bootstrap, $queue);
$fill = new Proc('p0', 'produce.php', ['brokers' => $bootstrap, 'queue' => $queue, 'log' => "$dir/p0.log",
  'prefix' => 'w-', 'count' => $items, 'delivery' => 'fast', 'batch' => 2000], $dir);
if ($fill->wait(120) !== 0) {
  Report::finish('workers', [], $started, [], ['the producer failed: ' . @file_get_contents("$dir/p0.err")]);
}

// "Processing" takes 0-3 ms, so that kills land between claim and delete often enough.
$crew = new Crew($dir, ['brokers' => $bootstrap, 'queue' => $queue, 'group' => $group, 'pause-ms' => 3], 4);

// A random busy worker is killed every 1.5-4 s and replaced at once.
$killUntil = microtime(TRUE) + $killFor;
$nextKill = microtime(TRUE) + 3;
$nextCheck = 0;
$deadline = $killUntil + 90;
while (microtime(TRUE) < $deadline) {
  usleep(100000);
  $crew->tick();
  $now = microtime(TRUE);
  if ($now >= $nextKill && $now < $killUntil) {
    $crew->killOne();
    $nextKill = $now + 1.5 + mt_rand(0, 2500) / 1000;
  }
  if ($now >= $killUntil && $now >= $nextCheck) {
    $nextCheck = $now + 1;
    if ((new Ledger($dir))->missing() === 0) {
      break;
    }
  }
}
$crew->finish();

$v = (new Ledger($dir))->verdict(FALSE);
$left = (new \KafkaQueue($queue, ['bootstrap.servers' => $bootstrap, 'group.id' => $group]))->numberOfItems();
$failures = $left === 0 ? [] : ["numberOfItems() is $left after the drain, expected 0"];
if ($crew->kills === 0) {
  $failures[] = 'no worker was killed: the scenario proved nothing';
}
if ($v['duplicates'] > $v['in_flight_at_kill'] + $v['record_duplicates']) {
  $failures[] = 'more duplicates than items in flight in killed workers';
}
Report::finish('workers', $v, $started, ['kills' => $crew->kills, 'workers_started' => $crew->started, 'left' => $left], $failures);
