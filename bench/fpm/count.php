<?php

/**
 * @file
 * Prints {"items": N}, the number of items of queue=NAME: bench/fpm.py compares it before
 * and after each run with the requests that reached PHP.
 */

declare(strict_types=1);

require __DIR__ . '/../php/common.php';

$args = bench_args($argv, ['queue' => '']);
emit(['items' => (new KafkaQueue($args['queue'], bench_config()))->numberOfItems()]);
