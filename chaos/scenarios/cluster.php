<?php

/**
 * @file
 * Scenario 3, a cluster loses its leader: three brokers on loopback, the queue's topic with
 * replication factor 3 and min.insync.replicas=2. While items are produced and drained, the
 * node that leads most of the topic's partitions (every other round: the node that coordinates
 * the site's consumer group) is killed with SIGKILL, restarted, and given time to catch up;
 * then the next one.
 *
 * Promise checked: as scenario 2 (nothing owed lost, nothing phantom, no deleted item back),
 * and the queue keeps working throughout: no gap longer than MAX_GAP seconds without a
 * successful createItem() or a successful claim.
 *
 * Usage: php -d extension=... chaos/scenarios/cluster.php
 *   (starts the 3-node cluster of scripts/kafka/kafka.sh, 127.0.0.1:19192,19292,19392, and stops
 *   it at the end unless CHAOS_KEEP_CLUSTER=1)
 */

declare(strict_types=1);

namespace KafkaQueueChaos;

require __DIR__ . '/../lib/Chaos.php';

const MAX_GAP = 30.0;

$bootstrap = Cluster::BOOTSTRAP;
$started = microtime(TRUE);
$runFor = Env::pick(150.0, 70.0);
$dir = Env::workDir('cluster');
$queue = Env::uniqueName('cluster');
$group = 'site_' . bin2hex(random_bytes(3));
Env::say("cluster: 3 nodes, RF 3, min.insync.replicas 2; leaders killed for {$runFor}s; logs in $dir");

Cluster::start();
$topic = Kafka::provision($bootstrap, $queue, 6, 3);
[$code, $out] = Kafka::admin($bootstrap, 'set-config', $topic, 'min.insync.replicas', '2');
if ($code !== 0) {
  throw new \RuntimeException("setting min.insync.replicas: $out");
}
Kafka::waitForTopic($bootstrap, $queue);
Cluster::inSync($topic, 60);

$fill = new Proc('p0', 'produce.php', ['brokers' => $bootstrap, 'queue' => $queue, 'log' => "$dir/p0.log",
  'prefix' => 'c0-', 'count' => 3000, 'delivery' => 'fast', 'batch' => 1000], $dir);
$fill->wait(120);

$end = microtime(TRUE) + $runFor;
$producers = [
  new Proc('p1', 'produce.php', ['brokers' => $bootstrap, 'queue' => $queue, 'log' => "$dir/p1.log", 'prefix' => 'c1-', 'delivery' => 'strict', 'rate' => 100, 'duration' => $runFor], $dir),
  new Proc('p2', 'produce.php', ['brokers' => $bootstrap, 'queue' => $queue, 'log' => "$dir/p2.log", 'prefix' => 'c2-', 'delivery' => 'fast', 'batch' => 50, 'rate' => 100, 'duration' => $runFor], $dir),
];
$crew = new Crew($dir, ['brokers' => $bootstrap, 'queue' => $queue, 'group' => $group, 'pause-ms' => 6, 'max-errors' => 30], 3);
$sleep = function (float $seconds) use ($crew): void {
  $until = microtime(TRUE) + $seconds;
  while (microtime(TRUE) < $until) {
    usleep(100000);
    $crew->tick();
  }
};

$sleep(8);
$round = 0;
$failovers = [];
while (microtime(TRUE) < $end - 20) {
  // Whom to kill: the node leading most of the topic's partitions, or the group coordinator.
  $leaders = Cluster::leaders($topic);
  $victim = NULL;
  $role = 'partition leader';
  if ($round % 2 === 1) {
    [$code, $out] = Kafka::admin($bootstrap, 'coordinator', "$group.$topic");
    if ($code === 0 && preg_match('/^(\d+)$/m', $out, $m)) {
      $victim = (int) $m[1];
      $role = 'group coordinator';
    }
  }
  if ($victim === NULL) {
    $counts = array_count_values(array_filter($leaders, fn($l) => $l > 0));
    arsort($counts);
    $victim = (int) array_key_first($counts);
  }
  $led = count(array_filter($leaders, fn($l) => $l === $victim));
  $t = microtime(TRUE);
  Cluster::kill($victim);
  Env::say(sprintf('cluster: killed node %d (%s, leader of %d/%d partitions)', $victim, $role, $led, count($leaders)));
  $sleep(6);
  $restart = Proc::command("node-start-$round", [Env::root() . '/scripts/kafka/kafka.sh', 'node-start', (string) $victim], $dir);
  while ($restart->running()) {
    $sleep(0.5);
  }
  if ($restart->exitCode !== 0) {
    throw new \RuntimeException("node-start $victim failed: " . file_get_contents("$dir/node-start-$round.out"));
  }
  $up = microtime(TRUE);
  // Replicas catch up; the crew keeps working meanwhile (in-sync runs as a child of its own).
  $synced = FALSE;
  $syncDeadline = microtime(TRUE) + 90;
  while (!$synced && microtime(TRUE) < $syncDeadline) {
    [$code] = Kafka::admin($bootstrap, 'in-sync', $topic, '0');
    $synced = $code === 0;
    $sleep(1);
  }
  $failovers[] = ['node' => $victim, 'role' => $role, 'down' => $up - $t, 'sync' => microtime(TRUE) - $up];
  Env::say(sprintf('cluster: node %d back after %.0fs, replicas in sync %.0fs later%s', $victim, $up - $t, microtime(TRUE) - $up, $synced ? '' : ' (NOT in sync)'));
  $round++;
  $sleep(3);
}

foreach ($producers as $p) {
  $p->wait(120);
}
$deadline = microtime(TRUE) + 120;
while (microtime(TRUE) < $deadline && (new Ledger($dir))->missing() > 0) {
  $sleep(1);
}
$crew->finish();

$ledger = new Ledger($dir);
$v = $ledger->verdict(TRUE);
$left = (new \KafkaQueue($queue, ['bootstrap.servers' => $bootstrap, 'group.id' => $group]))->numberOfItems();

// "Keeps working": the longest time without a successful strict createItem(), and without a
// claim, while the producers ran.
$gap = function (array $times): float {
  sort($times);
  $max = 0.0;
  for ($i = 1; $i < count($times); $i++) {
    $max = max($max, $times[$i] - $times[$i - 1]);
  }
  return $max;
};
$createTimes = [];
foreach (file("$dir/p1.log", FILE_IGNORE_NEW_LINES) as $line) {
  if (str_starts_with($line, 'OK ')) {
    $createTimes[] = (float) explode(' ', $line)[1];
  }
}
$producersEnd = max($createTimes ?: [0]);
$claimTimes = [];
foreach (glob("$dir/w*.log") as $file) {
  foreach (file($file, FILE_IGNORE_NEW_LINES) as $line) {
    if (str_starts_with($line, 'C ') && ($t = (float) explode(' ', $line)[1]) <= $producersEnd) {
      $claimTimes[] = $t;
    }
  }
}
$createGap = $gap($createTimes);
$claimGap = $gap($claimTimes);
$failures = [];
if (count($failovers) === 0) {
  $failures[] = 'no node was killed: the scenario proved nothing';
}
if ($createGap > MAX_GAP || $claimGap > MAX_GAP) {
  $failures[] = sprintf('the queue stalled: %.0fs without a createItem(), %.0fs without a claim (bound %.0fs)', $createGap, $claimGap, MAX_GAP);
}
if ($left !== 0) {
  $failures[] = "numberOfItems() is $left after the drain, expected 0";
}
if (getenv('CHAOS_KEEP_CLUSTER') !== '1') {
  Cluster::stop();
}
Report::finish('cluster', $v, $started, [
  'failovers' => count($failovers),
  'max_create_gap_s' => $createGap,
  'max_claim_gap_s' => $claimGap,
  'claim_errors' => $ledger->claimErrors,
  'delete_failures' => $ledger->deleteFailures,
  'worker_restarts' => $crew->started - 4,
  'max_delete_s' => $ledger->durations['deleteItem'] ?? 0.0,
  'left' => $left,
], $failures);
