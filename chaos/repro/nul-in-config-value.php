<?php

/**
 * @file
 * Reproduction: a configuration value with a NUL byte is refused with "invalid configuration:
 * FFI nul error", which does not name the key (contract: "an invalid configuration key: an
 * exception that names the key"). No broker needed.
 *
 * Usage: php -d extension=target/release/libkafka_queue.so chaos/repro/nul-in-config-value.php
 */

declare(strict_types=1);

try {
  new KafkaQueue('q', ['bootstrap.servers' => "127.0.0.1:9092\0"]);
  echo "accepted\n";
  exit(1);
}
catch (\KafkaQueueException $e) {
  echo $e->getMessage(), "\n";
  if (!str_contains($e->getMessage(), 'bootstrap.servers')) {
    echo "BUG: the message does not name the key\n";
    exit(1);
  }
}
