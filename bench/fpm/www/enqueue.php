<?php

/**
 * @file
 * One createItem() per request, as a Drupal page that enqueues one item does.
 *
 * ?delivery=strict (the default) or fast; the queue and the broker come from the pool's
 * environment (bench/fpm/php-fpm.conf.in). The queue object is made on every request: the
 * extension keeps its Kafka clients per process, so only a new child pays for connecting.
 */

declare(strict_types=1);

require __DIR__ . '/../../php/common.php';

$queue = new KafkaQueue(getenv('BENCH_FPM_QUEUE'), bench_config([
  'delivery' => $_GET['delivery'] ?? 'strict',
]));
echo $queue->createItem(['nid' => 12345, 'op' => 'index']), "\n";
