<?php

/**
 * @file
 * Scenario 4, the network stalls: the broker is paused (SIGSTOP) for longer than every client
 * timeout and than the group session, then resumed (SIGCONT), while producers, workers and a
 * prober keep calling. The broker's connections stay open and silent: the worst kind of outage.
 *
 * Promise checked: every call returns or throws within its bound (timeout_ms = 2 s here, plus
 * 1 s of slack; calls with two round trips and claimItem, which also waits claim_wait_ms: two
 * timeouts), and so does the end of a PHP process (3 x timeout_ms + 2 s); afterwards the
 * state is consistent: nothing lost, nothing phantom, no deleted item back, the queue drains to 0.
 *
 * Usage: php -d extension=... chaos/scenarios/stall.php
 *   (uses its own broker instance "chaos" on 127.0.0.1:19592)
 */

declare(strict_types=1);

namespace KafkaQueueChaos;

require __DIR__ . '/../lib/Chaos.php';

$broker = new SingleBroker();
$bootstrap = $broker->bootstrap();
$started = microtime(TRUE);
$timeoutMs = 2000;
$claimWaitMs = 1000;
// A worker replaced after the stall waits up to join_wait_ms for its partitions.
$joinWaitMs = 3000;
$pauseFor = Env::pick(15.0, 10.0);
$stalls = Env::pick(2, 1);
$dir = Env::workDir('stall');
$queue = Env::uniqueName('stall');
$group = 'site_' . bin2hex(random_bytes(3));
Env::say("stall: broker paused {$stalls}x for {$pauseFor}s (timeout_ms=$timeoutMs, claim_wait_ms=$claimWaitMs, join_wait_ms=$joinWaitMs); logs in $dir");

$broker->start();
Kafka::provision($bootstrap, $queue, 2, 1);
Kafka::waitForTopic($bootstrap, $queue);
$fill = new Proc('p0', 'produce.php', ['brokers' => $bootstrap, 'queue' => $queue, 'log' => "$dir/p0.log",
  'prefix' => 's0-', 'count' => 1500, 'delivery' => 'fast', 'batch' => 500], $dir);
$fill->wait(60);

$t = ['timeout-ms' => $timeoutMs];
$runFor = 10 + $stalls * ($pauseFor + 12);
$producers = [
  new Proc('p1', 'produce.php', $t + ['brokers' => $bootstrap, 'queue' => $queue, 'log' => "$dir/p1.log", 'prefix' => 's1-', 'delivery' => 'strict', 'rate' => 40, 'duration' => $runFor], $dir),
  new Proc('p2', 'produce.php', $t + ['brokers' => $bootstrap, 'queue' => $queue, 'log' => "$dir/p2.log", 'prefix' => 's2-', 'delivery' => 'fast', 'batch' => 20, 'rate' => 40, 'duration' => $runFor], $dir),
];
$crew = new Crew($dir, $t + ['brokers' => $bootstrap, 'queue' => $queue, 'group' => $group, 'pause-ms' => 20,
  'claim-wait-ms' => $claimWaitMs, 'join-wait-ms' => $joinWaitMs, 'max-errors' => 1000], 2);
$probe = new Proc('m-probe', 'probe.php', $t + ['brokers' => $bootstrap, 'queue' => $queue, 'group' => $group,
  'log' => "$dir/m-probe.log", 'stop-file' => "$dir/probe.stop"], $dir);

// Processes whose end time matters are polled often: Proc records the end when it sees it.
$watch = [];
$sleep = function (float $seconds) use ($crew, &$watch): void {
  $until = microtime(TRUE) + $seconds;
  while (microtime(TRUE) < $until) {
    usleep(20000);
    foreach ($watch as $proc) {
      $proc->running();
    }
    $crew->tick();
  }
};

// Short PHP processes whose script ends while the broker is paused: how long does the end of
// the request (flush, commit, leave the group) take when the broker does not answer?
$exits = [];
$sleep(7);
for ($s = 0; $s < $stalls; $s++) {
  $end = microtime(TRUE) + 1 + 4;
  $short = [
    'fast producer' => new Proc("p9$s", 'produce.php', $t + ['brokers' => $bootstrap, 'queue' => $queue, 'log' => "$dir/p9$s.log", 'prefix' => "s9$s-", 'delivery' => 'fast', 'batch' => 1000, 'rate' => 50, 'duration' => 5], $dir),
    'worker' => $crew->spawn(['until' => sprintf('%.3f', $end), 'claim-wait-ms' => $claimWaitMs, 'join-wait-ms' => $joinWaitMs, 'pause-ms' => 20]),
  ];
  $watch = $short;
  $sleep(1);
  $pid = $broker->signal(SIGSTOP);
  $paused = microtime(TRUE);
  Env::say("stall: broker paused (pid $pid)");
  $sleep(max(0, $pauseFor - (microtime(TRUE) - $paused)));
  posix_kill($pid, SIGCONT);
  Env::say(sprintf('stall: broker resumed after %.1fs', microtime(TRUE) - $paused));
  // From the script's last line (END, BYE) to the end of the process: what the extension
  // does when the request ends (flush, commit, leave the group).
  foreach ($short as $what => $proc) {
    $code = $proc->wait(120);
    $last = file_exists($proc->log()) ? (float) (explode(' ', trim((string) shell_exec('tail -n 1 ' . escapeshellarg($proc->log()))))[1] ?? 0) : 0;
    $exits[] = ['what' => $what, 'took' => ($proc->ended ?? microtime(TRUE)) - ($last ?: $proc->started), 'code' => $code];
  }
  $sleep(10);
}

foreach ($producers as $p) {
  $p->wait(120);
}
touch("$dir/probe.stop");
$probe->wait(60);
$deadline = microtime(TRUE) + 90;
while (microtime(TRUE) < $deadline && (new Ledger($dir))->missing() > 0) {
  $sleep(1);
}
$crew->finish();

$ledger = new Ledger($dir);
$v = $ledger->verdict(TRUE);
$left = (new \KafkaQueue($queue, ['bootstrap.servers' => $bootstrap, 'group.id' => $group]))->numberOfItems();

// The bounds: one broker wait is timeout_ms; a claim first waits claim_wait_ms; calls that
// make two round trips (offsets, then watermarks) get two; one second of slack for a loaded
// two-core machine; the end of a process flushes, commits and leaves the group.
$tSec = $timeoutMs / 1000;
$bounds = [
  'createItem' => $tSec + 1,
  'flush' => $tSec + 1,
  'deleteItem' => $tSec + 1,
  // A claim waits for an item (a new worker: for its partitions), asks the broker whether the
  // queue is drained (watermarks and committed offsets), and may commit: the longer of
  // claim_wait_ms and join_wait_ms, plus two broker waits.
  'claimItem' => max($claimWaitMs, $joinWaitMs) / 1000 + 2 * $tSec + 1,
];
$max = $ledger->durations;
foreach (file("$dir/m-probe.log", FILE_IGNORE_NEW_LINES) as $line) {
  [, , $d, $method] = explode(' ', $line);
  $max[$method] = max($max[$method] ?? 0, (float) $d);
  $bounds[$method] = 2 * $tSec + 1;
}
$failures = [];
foreach ($bounds as $method => $bound) {
  if (($max[$method] ?? 0) > $bound) {
    $failures[] = sprintf('%s() took %.1fs, bound %.1fs', $method, $max[$method], $bound);
  }
}
foreach ($exits as $e) {
  if ($e['took'] > 3 * $tSec + 2) {
    $failures[] = sprintf('a %s process started during the stall took %.1fs to end after its last line, bound %.1fs', $e['what'], $e['took'], 3 * $tSec + 2);
  }
}
if ($left !== 0) {
  $failures[] = "numberOfItems() is $left after the drain, expected 0";
}
$extra = [];
foreach ($max as $method => $d) {
  $extra['max_' . $method . '_s'] = $d;
}
$extra['max_exit_s'] = max(array_column($exits, 'took'));
$extra['claim_errors'] = $ledger->claimErrors;
$extra['delete_failures'] = $ledger->deleteFailures;
$extra['left'] = $left;
Report::finish('stall', $v, $started, $extra, $failures);
