<?php

/**
 * @file
 * Deploy-time topic provisioning, outside Drupal. Nothing else creates topics.
 *
 * Usage:
 *   php provision.php --brokers=H:P[,H:P] --web-servers=N [--replication-factor=3]
 *     [--topic-prefix=site1.] [--dry-run] [--config=KEY=VALUE ...] QUEUE [QUEUE ...]
 *
 * Creates one topic per queue with 2 × N partitions (two per web server), leaves existing
 * topics alone, and prints what it did. --config passes librdkafka properties, e.g. the
 * admin's SASL credentials. Exits non-zero when a topic exists with another partition count.
 */

declare(strict_types=1);

if (!extension_loaded('kafka_queue')) {
  fwrite(STDERR, "The kafka_queue extension is not loaded (extension=kafka_queue.so).\n");
  exit(2);
}

$options = getopt('', ['brokers:', 'web-servers:', 'replication-factor::', 'topic-prefix::', 'dry-run', 'config::', 'help'], $rest);
$queues = array_slice($argv, $rest);
if (isset($options['help']) || !isset($options['brokers'], $options['web-servers']) || !$queues) {
  fwrite(STDERR, "Usage: php provision.php --brokers=H:P --web-servers=N [--replication-factor=R] [--topic-prefix=P] [--dry-run] [--config=KEY=VALUE ...] QUEUE...\n");
  exit(2);
}

$config = ['bootstrap.servers' => $options['brokers']];
if (isset($options['topic-prefix'])) {
  $config['topic_prefix'] = $options['topic-prefix'];
}
foreach ((array) ($options['config'] ?? []) as $pair) {
  [$key, $value] = array_pad(explode('=', $pair, 2), 2, '');
  $config[$key] = $value;
}

try {
  $rows = (new KafkaQueueAdmin($config))->provision(
    $queues,
    2 * (int) $options['web-servers'],
    (int) ($options['replication-factor'] ?? 1),
    isset($options['dry-run'])
  );
}
catch (Exception $e) {
  fwrite(STDERR, 'provisioning failed: ' . $e->getMessage() . "\n");
  exit(1);
}

$mismatch = FALSE;
foreach ($rows as $row) {
  printf("%-40s %-40s %3d partitions  %s\n", $row['queue'], $row['topic'], $row['partitions'], $row['action']);
  $mismatch = $mismatch || $row['action'] === 'partition count differs';
}
exit($mismatch ? 1 : 0);
