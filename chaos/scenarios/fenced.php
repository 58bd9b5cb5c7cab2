<?php

/**
 * @file
 * Scenario 6, fenced workers (what began as a standalone reproduction, docs/reliability.md issue 1):
 * three workers drain slowly while the broker is paused (SIGSTOP) for longer than the group
 * session, so that the coordinator drops members whose clients still think they own their
 * partitions; a fourth worker joins at the resume and takes partitions over.
 *
 * Promise checked: a deleted item is never delivered again (after_delete = 0), nothing is lost,
 * no call of a worker fails for lack of membership over and over (a fenced worker is replaced),
 * and the queue drains to numberOfItems() = 0 within a deadline after the resume.
 *
 * Usage: php -d extension=... chaos/scenarios/fenced.php
 *   (uses its own broker instance "chaos" on CHAOS_BROKER_PORT, default 19592)
 */

declare(strict_types=1);

namespace KafkaQueueChaos;

require __DIR__ . '/../lib/Chaos.php';

$broker = new SingleBroker();
$bootstrap = $broker->bootstrap();
$started = microtime(TRUE);
$items = Env::pick(3000, 1500);
// Longer than the 6 s session of the local broker (and its 5 s heartbeat interval).
$pauseFor = Env::pick(12.0, 9.0);
$dir = Env::workDir('fenced');
$queue = Env::uniqueName('fenced');
$group = 'site_' . bin2hex(random_bytes(3));
Env::say("fenced: $items items on 4 partitions, broker paused for {$pauseFor}s; logs in $dir");

$broker->start();
Kafka::provision($bootstrap, $queue, 4, 1);
Kafka::waitForTopic($bootstrap, $queue);
(new Proc('p0', 'produce.php', ['brokers' => $bootstrap, 'queue' => $queue, 'log' => "$dir/p0.log",
  'prefix' => 'f-', 'count' => $items, 'delivery' => 'fast', 'batch' => 1000], $dir))->wait(60);

$args = ['brokers' => $bootstrap, 'queue' => $queue, 'group' => $group, 'stop-file' => "$dir/stop",
  'pause-ms' => 20, 'max-errors' => 1000, 'lease' => 20];
$workers = [];
foreach (['wA', 'wA2', 'wA3'] as $name) {
  $workers[] = new Proc($name, 'work.php', $args + ['log' => "$dir/$name.log"], $dir);
}
$claims = fn(string $name): int => is_file("$dir/$name.log") ? count(file("$dir/$name.log")) : 0;
$deadline = microtime(TRUE) + 30;
while ($claims('wA') < 200 && microtime(TRUE) < $deadline) {
  usleep(50000);
}
$pid = $broker->signal(SIGSTOP);
$paused = microtime(TRUE);
while (microtime(TRUE) - $paused < $pauseFor) {
  usleep(50000);
}
posix_kill($pid, SIGCONT);
$resumed = microtime(TRUE);
Env::say(sprintf('fenced: broker resumed after %.1fs', $resumed - $paused));
$workers[] = new Proc('wB', 'work.php', $args + ['log' => "$dir/wB.log"], $dir);

// The workers drain the rest; a worker the group dropped must be replaced, not stay stuck.
$drainBound = Env::pick(90, 60);
while ((new Ledger($dir))->missing() > 0 && microtime(TRUE) - $resumed < $drainBound) {
  usleep(250000);
}
$drained = microtime(TRUE) - $resumed;
touch("$dir/stop");
foreach ($workers as $w) {
  $w->wait(60);
}

$ledger = new Ledger($dir);
$v = $ledger->verdict(TRUE);
$left = (new \KafkaQueue($queue, ['bootstrap.servers' => $bootstrap, 'group.id' => $group]))->numberOfItems();
$notAMember = 0;
foreach (glob("$dir/w*.log") as $file) {
  foreach (file($file, FILE_IGNORE_NEW_LINES) as $line) {
    $notAMember += preg_match('/^[XE] .*(UnknownMemberId|FencedMemberEpoch|StaleMemberEpoch)/', $line);
  }
}
$failures = [];
if ($drained >= $drainBound) {
  $failures[] = sprintf('%d items were still unprocessed %ds after the resume', $ledger->missing(), $drainBound);
}
if ($left !== 0) {
  $failures[] = "numberOfItems() is $left after the drain, expected 0";
}
if ($notAMember > 5) {
  $failures[] = "$notAMember calls failed for lack of membership: a fenced worker was not replaced";
}
Report::finish('fenced', $v, $started, [
  'drained_after_resume_s' => round($drained, 1),
  'not_a_member_failures' => $notAMember,
  'left' => $left,
], $failures);
