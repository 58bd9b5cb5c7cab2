<?php

/**
 * @file
 * Scenario 2, the broker dies: a single durable broker is killed with SIGKILL and restarted
 * while items are produced and drained, and once more while only the drain runs.
 *
 * Two producers: one in strict mode (createItem waits for the broker: while it is down, each
 * call throws within timeout_ms), one in fast mode (batches of 50, flush() after each: what
 * could not be delivered is counted by flush() and named on stderr). Workers keep claiming and
 * deleting throughout; a worker that gives up after repeated errors is replaced.
 *
 * Promise checked: every item whose createItem() succeeded and that was not reported as
 * undelivered is processed; nothing is processed that was never created; an item deleted
 * (deleteItem() returned TRUE) is never delivered again.
 *
 * Usage: php -d extension=... chaos/scenarios/broker.php
 *   (uses its own broker instance "chaos" on 127.0.0.1:19592, which it starts and restarts)
 */

declare(strict_types=1);

namespace KafkaQueueChaos;

require __DIR__ . '/../lib/Chaos.php';

$broker = new SingleBroker();
$bootstrap = $broker->bootstrap();
$started = microtime(TRUE);
$produceFor = Env::pick(45.0, 25.0);
$rate = 150;
$dir = Env::workDir('broker');
$queue = Env::uniqueName('broker');
$group = 'site_' . bin2hex(random_bytes(3));
$idempotence = getenv('CHAOS_IDEMPOTENCE') === '1';
Env::say("broker: 2 producers x {$rate}/s for {$produceFor}s, 3 workers, broker SIGKILLed during produce and during drain; logs in $dir");

$broker->start();
Kafka::provision($bootstrap, $queue, 4, 1);
Kafka::waitForTopic($bootstrap, $queue);

// A backlog first, so that there is a drain to interrupt once the producers are done.
$fill = new Proc('p0', 'produce.php', ['brokers' => $bootstrap, 'queue' => $queue, 'log' => "$dir/p0.log",
  'prefix' => 'b0-', 'count' => Env::pick(6000, 3000), 'delivery' => 'fast', 'batch' => 1000], $dir);
$fill->wait(120);

$producerArgs = ['brokers' => $bootstrap, 'queue' => $queue, 'duration' => $produceFor, 'rate' => $rate] + ($idempotence ? ['idempotence' => TRUE] : []);
$producers = [
  new Proc('p1', 'produce.php', $producerArgs + ['log' => "$dir/p1.log", 'prefix' => 'b1-', 'delivery' => 'strict'], $dir),
  new Proc('p2', 'produce.php', $producerArgs + ['log' => "$dir/p2.log", 'prefix' => 'b2-', 'delivery' => 'fast', 'batch' => 50], $dir),
];
$crew = new Crew($dir, ['brokers' => $bootstrap, 'queue' => $queue, 'group' => $group, 'pause-ms' => 6, 'max-errors' => 30], 3);

$outages = [];
$restart = NULL;
/**
 * Kills the broker, keeps it down for $down seconds, restarts it in the background.
 */
$kill = function (string $when, float $down) use ($broker, $dir, &$outages, &$restart, $crew): void {
  $pid = $broker->signal(SIGKILL);
  $t = microtime(TRUE);
  Env::say("broker: SIGKILL (pid $pid) $when");
  while (microtime(TRUE) < $t + $down) {
    usleep(100000);
    $crew->tick();
  }
  $restart = $broker->startAsync($dir);
  $outages[] = ['when' => $when, 'killed' => $t, 'restart' => microtime(TRUE), 'up' => NULL];
};
$waitUp = function () use (&$restart, &$outages, $crew): void {
  while ($restart && $restart->running()) {
    usleep(100000);
    $crew->tick();
  }
  if ($restart && $restart->exitCode !== 0) {
    throw new \RuntimeException('restarting the broker failed: ' . @file_get_contents("$restart->dir/broker-start.out"));
  }
  $outages[count($outages) - 1]['up'] = microtime(TRUE);
  Env::say(sprintf('broker: answering again, %.1fs after the kill', microtime(TRUE) - $outages[count($outages) - 1]['killed']));
  $restart = NULL;
};

// Outage 1: during produce and drain.
$t0 = microtime(TRUE);
while (microtime(TRUE) < $t0 + 8) {
  usleep(100000);
  $crew->tick();
}
$kill('during produce and drain', 3);
$waitUp();

// Wait for the producers to end.
while (array_filter($producers, fn(Proc $p) => $p->running())) {
  usleep(100000);
  $crew->tick();
}

// Outage 2: during the drain alone (if a backlog is left; else right away, with idle workers).
usleep(1500000);
$backlog = (new Ledger($dir))->missing();
$kill("during the drain ($backlog items not yet processed)", 3);
$waitUp();

// Let the drain complete.
$deadline = microtime(TRUE) + 120;
while (microtime(TRUE) < $deadline && (new Ledger($dir))->missing() > 0) {
  for ($i = 0; $i < 10; $i++) {
    usleep(100000);
    $crew->tick();
  }
}
$crew->finish();

$ledger = new Ledger($dir);
$v = $ledger->verdict(TRUE);
$left = (new \KafkaQueue($queue, ['bootstrap.servers' => $bootstrap, 'group.id' => $group]))->numberOfItems();
$failures = [];
// Failed creates are honest only if they were refused within their bound: timeout_ms (5 s)
// plus scheduling slack.
if (($ledger->durations['createItem'] ?? 0) > 6.5) {
  $failures[] = sprintf('a createItem() call took %.1fs (bound: timeout_ms 5 s)', $ledger->durations['createItem']);
}
if ($left !== 0) {
  $failures[] = "numberOfItems() is $left after the drain, expected 0";
}
Report::finish('broker', $v, $started, [
  'outages' => count($outages),
  'down_s' => implode('/', array_map(fn($o) => sprintf('%.0f', $o['up'] - $o['killed']), $outages)),
  'claim_errors' => $ledger->claimErrors,
  'delete_failures' => $ledger->deleteFailures,
  'worker_restarts' => $crew->started - 3 - 1,
  'max_create_s' => $ledger->durations['createItem'] ?? 0.0,
  'left' => $left,
  'idempotence' => $idempotence ? 'on' : 'off',
], $failures);
