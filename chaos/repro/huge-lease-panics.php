<?php

/**
 * @file
 * Reproduction: claimItem() with a lease too long for the clock (1e300 s, PHP_INT_MAX s)
 * panics in Rust ("overflow when adding duration to instant", worker.rs Worker::claim), which
 * PHP sees as an \Error that catch (\Exception) does not catch.
 *
 * Expected: an \InvalidArgumentException, or the lease capped ("forever"), as delayItem() does
 * with a delay of 1e300 s (it saturates).
 *
 * Usage: php -d extension=target/release/libkafka_queue.so chaos/repro/huge-lease-panics.php [BOOTSTRAP]
 */

declare(strict_types=1);

$bootstrap = $argv[1] ?? '127.0.0.1:19092';
$name = 'chaos_repro_' . bin2hex(random_bytes(4));
(new KafkaQueueAdmin(['bootstrap.servers' => $bootstrap]))->provision([$name], 1, 1);
$queue = new KafkaQueue($name, ['bootstrap.servers' => $bootstrap, 'group.id' => 'repro']);
$queue->createItem('x');
$bug = FALSE;
foreach ([1e300, PHP_INT_MAX] as $lease) {
  try {
    $item = $queue->claimItem($lease);
    echo "claimItem($lease): ", is_object($item) ? 'an item' : var_export($item, TRUE), "\n";
  }
  catch (\Exception $e) {
    echo "claimItem($lease): ", get_class($e), ': ', $e->getMessage(), "\n";
  }
  catch (\Error $e) {
    echo "BUG: claimItem($lease) threw ", get_class($e), ': ', $e->getMessage(), "\n";
    $bug = TRUE;
  }
}
exit($bug ? 1 : 0);
