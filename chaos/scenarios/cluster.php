<?php

/**
 * @file
 * Scenario 3, a cluster loses its leader: while items are produced and drained (Failover), the
 * node that leads most of the topic's partitions (every other round: the node that coordinates
 * the site's consumer group) is killed with SIGKILL, restarted, and given time to catch up;
 * then the next one.
 *
 * Promise checked: as scenario 2 (nothing owed lost, nothing phantom, no deleted item back),
 * and the queue keeps working throughout: no gap longer than MAX_GAP seconds without a
 * successful createItem() or a successful claim. createItem() errors are counted, not bounded:
 * a killed leader's in-flight requests have no answer.
 *
 * Usage: php -d extension=... chaos/scenarios/cluster.php
 *   (starts the 3-node cluster of scripts/kafka/kafka.sh, 127.0.0.1:19192,19292,19392, and stops
 *   it at the end unless CHAOS_KEEP_CLUSTER=1)
 */

declare(strict_types=1);

namespace KafkaQueueChaos;

require __DIR__ . '/../lib/Chaos.php';

const MAX_GAP = 30.0;

$run = new Failover('cluster', Env::pick(150.0, 70.0));
$round = 0;
while ($run->timeLeft() > 20) {
  [$victim, $led, $of] = $run->busiestLeader();
  $role = 'partition leader';
  if ($round % 2 === 1 && ($coordinator = $run->coordinator()) !== NULL) {
    [$victim, $role] = [$coordinator, 'group coordinator'];
  }
  $event = $run->begin("SIGKILL, $role", $victim);
  Cluster::kill($victim);
  Env::say("cluster: killed node $victim ($role; the busiest leader led $led/$of partitions)");
  $run->sleep(6);
  $run->kafkaSh("node-start-$round", 'node-start', (string) $victim);
  $run->done($event);
  $round++;
  $run->sleep(3);
}
$run->finish(MAX_GAP);
