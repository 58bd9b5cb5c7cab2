<?php

/**
 * @file
 * Test bootstrap: the extension must be loaded; a broker must answer.
 */

declare(strict_types=1);

if (!extension_loaded('kafka_queue')) {
  fwrite(STDERR, "The kafka_queue extension is not loaded: run the tests with `make test`.\n");
  exit(1);
}

require __DIR__ . '/src/KafkaTestCase.php';
require __DIR__ . '/src/SecureTestCase.php';
