<?php

/**
 * @file
 * Reproduction: delayItem($item, -0.5) returns TRUE (the item is released) although the delay
 * is negative; delayItem($item, -1) and delayItem($item, '-1') throw \InvalidArgumentException
 * as the contract says ("a negative delay throws \InvalidArgumentException").
 *
 * Usage: php -d extension=target/release/libkafka_queue.so chaos/repro/negative-fraction-delay.php [BOOTSTRAP]
 */

declare(strict_types=1);

$bootstrap = $argv[1] ?? '127.0.0.1:19092';
$name = 'chaos_repro_' . bin2hex(random_bytes(4));
(new KafkaQueueAdmin(['bootstrap.servers' => $bootstrap]))->provision([$name], 1, 1);
$queue = new KafkaQueue($name, ['bootstrap.servers' => $bootstrap, 'group.id' => 'repro']);
$queue->createItem('x');
$item = $queue->claimItem(60);
try {
  $result = $queue->delayItem($item, -0.5);
  echo 'BUG: delayItem($item, -0.5) returned ', var_export($result, TRUE), "\n";
  exit(1);
}
catch (\InvalidArgumentException $e) {
  echo 'delayItem($item, -0.5): ', $e->getMessage(), "\n";
}
