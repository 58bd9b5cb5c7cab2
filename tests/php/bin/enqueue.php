<?php

/**
 * @file
 * Creates items 0..count-1 (data: "<prefix><n>") and ends the way --end says: normally,
 * through exit(), or through a fatal error. Prints each returned id count at the end.
 *
 * Options: --brokers --queue [--count=N] [--delivery=strict|fast] [--end=return|exit|fatal]
 */

declare(strict_types=1);

$o = getopt('', ['brokers:', 'queue:', 'count::', 'delivery::', 'end::', 'prefix::']);
$queue = new KafkaQueue($o['queue'], [
  'bootstrap.servers' => $o['brokers'],
  'delivery' => $o['delivery'] ?? 'fast',
]);
$count = (int) ($o['count'] ?? 1000);
for ($i = 0; $i < $count; $i++) {
  $queue->createItem(($o['prefix'] ?? '') . $i);
}
echo "created $count\n";
switch ($o['end'] ?? 'return') {
  case 'exit':
    exit(0);

  case 'fatal':
    undefined_function_to_cause_a_fatal_error();
}
