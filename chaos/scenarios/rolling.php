<?php

/**
 * @file
 * Scenario 7, a rolling restart, the everyday case (every Kafka upgrade, every host patch):
 * while items are produced and drained (Failover), each of the three nodes in turn is stopped
 * with SIGTERM (a controlled shutdown: the controller moves its leaderships first), started
 * again, and given time to catch up before the next.
 *
 * Promise checked: nothing owed lost, nothing phantom, no deleted item back; not one
 * createItem() fails; no gap longer than MAX_GAP seconds without a successful createItem() or a
 * claim. The gaps after each restart are printed.
 *
 * Usage: php -d extension=... chaos/scenarios/rolling.php
 *   (starts the 3-node cluster of scripts/kafka/kafka.sh and stops it at the end unless
 *   CHAOS_KEEP_CLUSTER=1)
 */

declare(strict_types=1);

namespace KafkaQueueChaos;

require __DIR__ . '/../lib/Chaos.php';

const MAX_GAP = 15.0;

// Long enough for three restarts (each 30-50 s here) while the producers run.
$run = new Failover('rolling', 180.0);
foreach ([1, 2, 3] as $node) {
  $event = $run->begin('SIGTERM, controlled shutdown', $node);
  $run->kafkaSh("node-stop-$node", 'node-stop', (string) $node);
  Env::say("rolling: node $node stopped");
  $run->kafkaSh("node-start-$node", 'node-start', (string) $node);
  $run->done($event);
  $run->sleep(3);
}
if ($run->timeLeft() > 0) {
  $run->sleep($run->timeLeft());
}
$run->finish(MAX_GAP, 0);
