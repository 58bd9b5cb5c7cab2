<?php

/**
 * @file
 * Reproduction: a worker whose group membership expired while the broker was unreachable keeps
 * handing out items of the partitions it lost; every deleteItem() then fails with
 * "UnknownMemberId", and the worker that now owns the partition processes and deletes the same
 * items, so that an item deleted by one worker is claimed again by the other.
 *
 * Steps: four partitions, 3000 items; three workers drain slowly (claim, 0-20 ms, delete); the
 * broker is killed and restarted (kill, the default) or paused for PAUSE seconds (stop; default
 * 10, more than the 6 s session of the local broker) and resumed; worker B starts at once; all
 * run for 30 s more.
 * Expected: A notices that its membership is gone (the first failed commit or heartbeat), drops
 * what it held and rejoins; no item deleted by B is claimed by A afterwards; duplicates only for
 * the items A held when the pause began.
 * Seen (not every time): one worker's commits all fail with UnknownMemberId from then on, so
 * each of its deleteItem() calls throws, and its claimItem() too once it has nothing buffered;
 * while it has buffered records it goes on handing them out, and items the partitions' new
 * owner deleted are claimed again. The worker never recovers until its process ends.
 *
 * Usage: php -d extension=target/release/libkafka_queue.so chaos/repro/fenced-worker-keeps-claiming.php [kill|stop]
 * Uses the chaos broker instance (127.0.0.1:19592, CHAOS_BROKER_PORT), started if needed.
 */

declare(strict_types=1);

namespace KafkaQueueChaos;

require __DIR__ . '/../lib/Chaos.php';

$how = $argv[1] ?? 'kill';
$pause = (int) (getenv('PAUSE') ?: 10);
$broker = new SingleBroker();
$broker->start();
$bootstrap = $broker->bootstrap();
$queue = Env::uniqueName('fenced');
$group = 'site_' . bin2hex(random_bytes(3));
$dir = Env::workDir('fenced');
Kafka::provision($bootstrap, $queue, 4, 1);
Kafka::waitForTopic($bootstrap, $queue);
(new Proc('p0', 'produce.php', ['brokers' => $bootstrap, 'queue' => $queue, 'log' => "$dir/p0.log", 'prefix' => 'f-', 'count' => 3000, 'delivery' => 'fast', 'batch' => 1000], $dir))->wait(60);

$args = ['brokers' => $bootstrap, 'queue' => $queue, 'group' => $group, 'stop-file' => "$dir/stop", 'pause-ms' => 20, 'max-errors' => 1000];
$a = new Proc('wA', 'work.php', $args + ['log' => "$dir/wA.log"], $dir);
$a2 = new Proc('wA2', 'work.php', $args + ['log' => "$dir/wA2.log"], $dir);
$a3 = new Proc('wA3', 'work.php', $args + ['log' => "$dir/wA3.log"], $dir);
$deadline = microtime(TRUE) + 30;
while ((!is_file("$dir/wA.log") || count(file("$dir/wA.log")) < 200) && microtime(TRUE) < $deadline) {
  usleep(100000);
}
if ($how === 'kill') {
  $broker->signal(SIGKILL);
  sleep(3);
  $broker->start();
  echo "broker killed and restarted\n";
}
else {
  $pid = $broker->signal(SIGSTOP);
  sleep($pause);
  posix_kill($pid, SIGCONT);
  echo "broker paused for {$pause}s and resumed\n";
}
$b = new Proc('wB', 'work.php', $args + ['log' => "$dir/wB.log"], $dir);
sleep(30);
touch("$dir/stop");
foreach ([$a, $a2, $a3, $b] as $w) {
  $w->wait(60);
}
(new Proc('wZ', 'work.php', $args + ['log' => "$dir/wZ.log", 'claim-wait-ms' => 8000], $dir))->wait(60);

$v = (new Ledger($dir))->verdict(TRUE);
$fenced = 0;
foreach (glob("$dir/wA*.log") as $file) {
  foreach (file($file, FILE_IGNORE_NEW_LINES) as $line) {
    $fenced += preg_match('/^[XE] .*UnknownMemberId/', $line);
  }
}
printf("created=%d processed=%d lost=%d duplicates=%d deleted_then_claimed_again=%d calls_failed_UnknownMemberId=%d (logs: %s)\n",
  $v['created'], $v['processed'], $v['lost'], $v['duplicates'], $v['after_delete'], $fenced, $dir);
if ($v['after_delete'] > 0 || $fenced > 5) {
  echo "BUG REPRODUCED\n";
  exit(1);
}
echo "not reproduced this time\n";
