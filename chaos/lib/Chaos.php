<?php

/**
 * @file
 * Shared machinery of the chaos scenarios, one class per file beside this one: Env (paths and
 * tuning), Proc (child processes), Kafka (the Admin helper), SingleBroker and Cluster (the
 * brokers), Crew (a scenario's workers), Failover (a queue at work on the cluster while its
 * brokers fail), Ledger (their logs turned into figures and a verdict) and Report. A scenario
 * requires this file; the classes load when first used.
 */

declare(strict_types=1);

namespace KafkaQueueChaos;

spl_autoload_register(static function (string $class): void {
  $prefix = __NAMESPACE__ . '\\';
  if (str_starts_with($class, $prefix) && is_file($file = __DIR__ . '/' . substr($class, strlen($prefix)) . '.php')) {
    require $file;
  }
});
