<?php

/**
 * @file
 * One short worker run: claims until claimItem() returns FALSE and deletes what --delete says,
 * then prints a JSON report on stdout: every claimed item (data, item_id, partition, offset),
 * what was deleted, and numberOfItems() before leaving. The extension's warnings go to stderr.
 *
 * Options: --brokers --queue --group [--delete=all|none|even] [--claim-wait-ms=N]
 *   (even: items whose data ends in an even digit)
 */

declare(strict_types=1);

$o = getopt('', ['brokers:', 'queue:', 'group:', 'delete::', 'claim-wait-ms::']);
$queue = new KafkaQueue($o['queue'], [
  'bootstrap.servers' => $o['brokers'],
  'group.id' => $o['group'],
  'claim_wait_ms' => (int) ($o['claim-wait-ms'] ?? 3000),
]);
$mode = $o['delete'] ?? 'all';
$report = ['claimed' => [], 'deleted' => [], 'errors' => []];
try {
  while ($item = $queue->claimItem(300)) {
    $report['claimed'][] = ['data' => $item->data, 'item_id' => $item->item_id, 'partition' => $item->partition, 'offset' => $item->offset];
    $digit = is_string($item->data) && preg_match('/(\d)$/', $item->data, $m) ? (int) $m[1] : 1;
    if ($mode === 'all' || ($mode === 'even' && $digit % 2 === 0)) {
      if ($queue->deleteItem($item)) {
        $report['deleted'][] = $item->data;
      }
    }
  }
  $report['left'] = $queue->numberOfItems();
}
catch (\Throwable $e) {
  $report['errors'][] = get_class($e) . ': ' . $e->getMessage();
}
echo json_encode($report, JSON_INVALID_UTF8_SUBSTITUTE | JSON_PARTIAL_OUTPUT_ON_ERROR), "\n";
