<?php

/**
 * @file
 * Reproduction: a well-formed deleted list that names offsets the partition does not have yet
 * (corrupted group metadata, or one left by another tool) silently swallows the items that are
 * later written at those offsets: they are never delivered and no warning is logged.
 *
 * Steps: an empty one-partition topic; the site's group commits offset 0 with the deleted list
 * "kq1,12+5" (offsets 12..16, while the log is empty); 20 items are created (offsets 0..19);
 * a worker drains the queue.
 * Expected: all 20 delivered (a deleted-list entry at or above the log end when the partition is
 * assigned cannot be a real deletion: drop it, and warn).
 * Seen: items 12..16 are never delivered; numberOfItems() says 0 afterwards.
 *
 * Usage: php -d extension=target/release/libkafka_queue.so chaos/repro/deleted-list-past-log-end.php [BOOTSTRAP]
 * Needs Java and the Kafka jars (scripts/kafka/kafka.sh fetch) for the commit.
 */

declare(strict_types=1);

namespace KafkaQueueChaos;

require __DIR__ . '/../lib/Chaos.php';

$bootstrap = $argv[1] ?? '127.0.0.1:19092';
$name = Env::uniqueName('repro');
$topic = Kafka::provision($bootstrap, $name, 1, 1);
Kafka::waitForTopic($bootstrap, $name);
[$code, $out] = Kafka::admin($bootstrap, 'commit', "repro.$topic", $topic, '0', '0', 'kq1,12+5');
if ($code !== 0) {
  exit("commit failed: $out\n");
}
$queue = new \KafkaQueue($name, ['bootstrap.servers' => $bootstrap, 'group.id' => 'repro']);
for ($i = 0; $i < 20; $i++) {
  $queue->createItem("d$i");
}
$got = [];
while ($item = $queue->claimItem(60)) {
  $got[] = $item->data;
  $queue->deleteItem($item);
}
$missing = array_diff(array_map(fn($i) => "d$i", range(0, 19)), $got);
echo 'delivered: ', implode(' ', $got), "\n";
echo 'numberOfItems() afterwards: ', $queue->numberOfItems(), "\n";
if ($missing) {
  echo 'BUG: never delivered: ', implode(' ', $missing), "\n";
  exit(1);
}
