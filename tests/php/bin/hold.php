<?php

/**
 * @file
 * Claims every item, deletes those whose data is even, prints "ready", then either leaves
 * (--then=exit) or waits to be killed (--then=wait). Used to show that deletions survive the
 * process, whichever way it ends, and that unfinished claims come back.
 *
 * Options: --brokers --queue --group [--then=exit|wait] [--lease=S] (default 3600)
 */

declare(strict_types=1);

$o = getopt('', ['brokers:', 'queue:', 'group:', 'then::', 'lease::']);
$queue = new KafkaQueue($o['queue'], ['bootstrap.servers' => $o['brokers'], 'group.id' => $o['group']]);
$claimed = 0;
while ($item = $queue->claimItem((int) ($o['lease'] ?? 3600))) {
  $claimed++;
  if ($item->data % 2 === 0) {
    $queue->deleteItem($item);
  }
}
echo "ready $claimed\n";
if (($o['then'] ?? 'exit') === 'wait') {
  sleep(600);
}
