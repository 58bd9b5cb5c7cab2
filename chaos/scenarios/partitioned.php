<?php

/**
 * @file
 * Scenario 8, a broker cut off: while items are produced and drained (Failover), the node that
 * leads most of the topic's partitions is paused with SIGSTOP for PAUSE seconds (its sockets
 * stay open and nothing answers, as with a host cut off by the network; the controller fences
 * it after its session times out and moves its leaderships), then resumed.
 *
 * Promise checked: nothing owed lost, nothing phantom, no deleted item back; no gap longer than
 * MAX_GAP seconds without a successful createItem() or a claim. createItem() errors (calls that
 * waited timeout_ms on the silent leader) are counted and printed.
 *
 * Usage: php -d extension=... chaos/scenarios/partitioned.php
 *   (starts the 3-node cluster of scripts/kafka/kafka.sh and stops it at the end unless
 *   CHAOS_KEEP_CLUSTER=1)
 */

declare(strict_types=1);

namespace KafkaQueueChaos;

require __DIR__ . '/../lib/Chaos.php';

const PAUSE = 20.0;
const MAX_GAP = 30.0;

$run = new Failover('partitioned', Env::pick(100.0, 70.0));
$round = 0;
while ($run->timeLeft() > PAUSE + 20) {
  [$victim, $led, $of] = $run->busiestLeader();
  $event = $run->begin(sprintf('SIGSTOP for %.0fs', PAUSE), $victim);
  $run->kafkaSh("node-pause-$round", 'node-pause', (string) $victim);
  Env::say("partitioned: paused node $victim (leader of $led/$of partitions)");
  $run->sleep(PAUSE);
  $run->kafkaSh("node-resume-$round", 'node-resume', (string) $victim);
  $run->done($event);
  $round++;
  $run->sleep(3);
}
$run->finish(MAX_GAP);
