<?php

/**
 * @file
 * Reproduction: deleteItem() in strict commit mode does not return within timeout_ms while the
 * broker is down; it blocks until the broker is back (here: until a watchdog restarts it).
 *
 * Expected: deleteItem() returns (TRUE) or throws a KafkaQueueException within about
 * timeout_ms (2 s here), as every other call does.
 * Seen: it returns only once the broker answers again, whatever timeout_ms says.
 *
 * Usage: php -d extension=target/release/libkafka_queue.so chaos/repro/delete-hangs-while-broker-down.php [kill|stop]
 *   kill: the broker is SIGKILLed and restarted after WAIT seconds (default)
 *   stop: the broker is paused with SIGSTOP and resumed after WAIT seconds
 * Uses the chaos broker instance (127.0.0.1:19592, CHAOS_BROKER_PORT), started if needed.
 * WAIT (env, default 20): seconds the broker stays down.
 */

declare(strict_types=1);

namespace KafkaQueueChaos;

require __DIR__ . '/../lib/Chaos.php';

$how = $argv[1] ?? 'kill';
$wait = (int) (getenv('WAIT') ?: 20);
$broker = new SingleBroker();
$broker->start();
$bootstrap = $broker->bootstrap();
$name = Env::uniqueName('repro');
Kafka::provision($bootstrap, $name, 1, 1);
Kafka::waitForTopic($bootstrap, $name);

$queue = new \KafkaQueue($name, ['bootstrap.servers' => $bootstrap, 'group.id' => 'repro', 'timeout_ms' => 2000, 'claim_wait_ms' => 5000]);
$queue->createItem('a');
$queue->createItem('b');
$item = $queue->claimItem(60);
echo "claimed {$item->item_id}\n";

$dir = Env::workDir('repro');
if ($how === 'stop') {
  $pid = $broker->signal(SIGSTOP);
  $watchdog = Proc::command('watchdog', ['sh', '-c', "sleep $wait; kill -CONT $pid"], $dir);
  echo "broker paused (SIGSTOP); it is resumed in {$wait}s\n";
}
else {
  $broker->signal(SIGKILL);
  $watchdog = Proc::command('watchdog', ['sh', '-c', "sleep $wait; exec \"\$0\" start", Env::root() . '/scripts/kafka/kafka.sh'], $dir, $broker->env());
  echo "broker killed (SIGKILL); it is restarted in {$wait}s\n";
}

$t0 = microtime(TRUE);
try {
  $result = var_export($queue->deleteItem($item), TRUE);
}
catch (\Throwable $e) {
  $result = get_class($e) . ': ' . $e->getMessage();
}
$took = microtime(TRUE) - $t0;
printf("deleteItem() took %.1fs with timeout_ms=2000: %s\n", $took, $result);
$watchdog->wait(120);
echo $took > 4 ? "BUG REPRODUCED: deleteItem() outlived its 2 s bound\n" : "not reproduced\n";
exit($took > 4 ? 1 : 0);
