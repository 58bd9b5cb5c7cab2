<?php

/**
 * @file
 * Creates the benchmark's topics through KafkaQueueAdmin::provision().
 *
 * Arguments: partitions=N and one or more queue=NAME (repeated as queue1=, queue2=...).
 */

declare(strict_types=1);

require __DIR__ . '/common.php';

$partitions = 2;
$queues = [];
foreach (array_slice($argv, 1) as $arg) {
  [$key, $value] = explode('=', $arg, 2) + [1 => ''];
  if ($key === 'partitions') {
    $partitions = (int) $value;
  }
  elseif ($key === 'queue') {
    $queues[] = $value;
  }
  else {
    fwrite(STDERR, "usage: provision.php partitions=N queue=NAME...\n");
    exit(2);
  }
}
$admin = new KafkaQueueAdmin(bench_config(['timeout_ms' => '30000']));
foreach ($admin->provision($queues, $partitions) as $row) {
  emit($row);
}
