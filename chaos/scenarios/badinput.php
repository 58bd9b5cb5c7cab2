<?php

/**
 * @file
 * Scenario 5, bad input. Most of it is covered by the PHPUnit contract tests (see
 * docs/reliability.md for the map); this scenario adds what they do not:
 *
 *  - corrupted deleted-list data in Kafka: the site's group commit is overwritten (with Kafka's
 *    own Admin API, as an operator tool or a buggy client would) with garbage, with values the
 *    format forbids, with an empty string (what kafka-consumer-groups --reset-offsets writes),
 *    and with well-formed lists that point past the end of the log. The queue must warn and
 *    deliver again, never lose an item;
 *  - records in the topic that the extension did not write (plain text, truncated headers,
 *    unknown versions, a null value): delivered as they are, never a crash, never a stuck queue;
 *  - edge values of the PHP API the tests do not try: huge and fractional leases and delays,
 *    more non-serializable values, oversized items in fast mode, forged items pointing at
 *    partitions and offsets that do not exist, queue names Kafka forbids, broker lists with
 *    bytes no host name has. Each must throw an \Exception (never a PHP \Error, never a Rust
 *    panic) and change nothing.
 *
 * Usage: php -d extension=... chaos/scenarios/badinput.php BOOTSTRAP
 */

declare(strict_types=1);

namespace KafkaQueueChaos;

require __DIR__ . '/../lib/Chaos.php';

$bootstrap = $argv[1] ?? '127.0.0.1:19592';
$started = microtime(TRUE);
$dir = Env::workDir('badinput');
$checks = 0;
$failures = [];
$figures = ['created' => 0, 'processed' => 0, 'duplicates' => 0, 'lost' => 0];
Env::say("badinput: logs in $dir");

$check = function (string $what, bool $ok, string $detail = '') use (&$checks, &$failures): void {
  $checks++;
  if (!$ok) {
    $failures[] = "$what" . ($detail !== '' ? ": $detail" : '');
  }
  Env::say(($ok ? 'ok   ' : 'FAIL ') . $what . (!$ok && $detail !== '' ? " ($detail)" : ''));
};

/**
 * Runs bin/drain.php to its end; returns [report, stderr].
 */
$drain = function (string $queue, string $group, string $delete, string $tag) use ($bootstrap, $dir): array {
  $p = new Proc("drain-$tag", 'drain.php', ['brokers' => $bootstrap, 'queue' => $queue, 'group' => $group, 'delete' => $delete], $dir);
  $p->wait(120);
  $out = (string) @file_get_contents("$dir/drain-$tag.out");
  $lines = array_filter(explode("\n", trim($out)));
  $report = json_decode((string) end($lines), TRUE) ?: ['claimed' => [], 'deleted' => [], 'errors' => ["no report (exit $p->exitCode)"], 'left' => -1];
  return [$report, (string) @file_get_contents("$dir/drain-$tag.err")];
};

// ---------------------------------------------------------------- corrupted deleted lists

/*
 * Each variant: 10 items d0..d9 on one partition (offsets 0..9); a worker deletes the even ones
 * and leaves, so the group's commit is base 1 with deleted list {2, 4, 6, 8}; the commit is then
 * overwritten with METADATA at offset BASE (null: unchanged); MORE items d10.. are created; a
 * worker drains everything. Promise: the odd items and every new item are delivered (nothing
 * lost); deleted ones may come again (counted as duplicates); a broken list is reported.
 */
$variants = [
  // name => [offset, metadata, warning expected, more items]
  'garbage' => [NULL, 'garbage', TRUE, 0],
  'zero gap' => [NULL, 'kq1,0+1', TRUE, 0],
  'zero length' => [NULL, 'kq1,1+0', TRUE, 0],
  'overflowing run' => [NULL, 'kq1,99999999999999999999+1', TRUE, 0],
  'unknown version' => [NULL, 'kq9,1+1', TRUE, 0],
  'trailing junk' => [NULL, 'kq1,1+1,1+1,zz', TRUE, 0],
  'too long' => [NULL, 'kq1,' . str_repeat('9', 3990), TRUE, 0],
  'emptied by an operator tool' => [NULL, '', FALSE, 0],
  'runs past the log end' => [NULL, 'kq1,11+5', FALSE, 10],
  'base past the log end' => [1000, 'kq1', FALSE, 10],
];
if (Env::ci()) {
  $variants = array_intersect_key($variants, array_flip(['garbage', 'overflowing run', 'emptied by an operator tool', 'runs past the log end', 'base past the log end']));
}
foreach ($variants as $name => [$offset, $metadata, $warns, $more]) {
  $queue = Env::uniqueName('deleted');
  $group = 'site_' . bin2hex(random_bytes(3));
  $topic = Kafka::provision($bootstrap, $queue, 1, 1);
  Kafka::waitForTopic($bootstrap, $queue);
  $q = new \KafkaQueue($queue, ['bootstrap.servers' => $bootstrap]);
  for ($i = 0; $i < 10; $i++) {
    $q->createItem("d$i");
  }
  [$first] = $drain($queue, $group, 'even', "$name-1");
  [$code, $out] = Kafka::admin($bootstrap, 'committed', "$group.$topic");
  if (!preg_match('/^\S+ 0 (\d+) (kq1\S*)$/m', $out, $m)) {
    $check("deleted list \"$name\": the group committed a deleted list", FALSE, trim($out));
    continue;
  }
  [$code, $out] = Kafka::admin($bootstrap, 'commit', "$group.$topic", $topic, '0', (string) ($offset ?? $m[1]), $metadata);
  if ($code !== 0) {
    $check("deleted list \"$name\": ChaosAdmin commit", FALSE, trim($out));
    continue;
  }
  for ($i = 10; $i < 10 + $more; $i++) {
    $q->createItem("d$i");
  }
  [$second, $warnings] = $drain($queue, $group, 'all', "$name-2");
  $got = array_column($second['claimed'], 'data');
  $owed = ['d1', 'd3', 'd5', 'd7', 'd9'];
  for ($i = 10; $i < 10 + $more; $i++) {
    $owed[] = "d$i";
  }
  $missing = array_values(array_diff($owed, $got));
  $again = array_values(array_intersect(['d0', 'd2', 'd4', 'd6', 'd8'], $got));
  $figures['created'] += 10 + $more;
  $figures['processed'] += count(array_unique(array_merge($got, array_column($first['claimed'], 'data'))));
  $figures['duplicates'] += count($again);
  $figures['lost'] += count($missing);
  $warned = (bool) preg_match('/deleted-list|delivered again/i', $warnings);
  $check("deleted list \"$name\": nothing lost", !$missing, 'never delivered: ' . implode(' ', $missing));
  $check("deleted list \"$name\": no exception", !$second['errors'], implode('; ', $second['errors']));
  if ($warns) {
    $check("deleted list \"$name\": reported in the error log", $warned, trim($warnings) ?: 'no warning');
  }
  [$third] = $drain($queue, $group, 'all', "$name-3");
  $check("deleted list \"$name\": drained for good afterwards", !$third['claimed'] && ($third['left'] ?? -1) === 0,
    sprintf('claimed again: %s, numberOfItems %s', implode(' ', array_column($third['claimed'], 'data')), $third['left'] ?? '?'));
  Env::say(sprintf('     "%s": delivered %s; deleted ones again: %d', $name, implode(' ', $got), count($again)));
}

// ---------------------------------------------------------------- foreign records

$queue = Env::uniqueName('foreign');
$group = 'site_' . bin2hex(random_bytes(3));
$topic = Kafka::provision($bootstrap, $queue, 1, 1);
Kafka::waitForTopic($bootstrap, $queue);
$q = new \KafkaQueue($queue, ['bootstrap.servers' => $bootstrap]);
$before = $q->createItem('f-before');
$foreign = [
  'plain text' => 'plain text',
  'empty header' => 'hex:01',
  'id longer than the record' => 'hex:0100056162',
  'unknown version' => 'hex:02000161',
  'unknown flags' => 'hex:01fc016178',
  'not-before cut short' => 'hex:010201610000',
  'null value' => 'null:',
];
[$code, $out] = Kafka::admin($bootstrap, 'produce-raw', $topic, '0', ...array_values($foreign));
$check('foreign records written: ' . implode(', ', array_keys($foreign)), $code === 0, trim($out));
$after = $q->createItem('f-after');
[$r, $warnings] = $drain($queue, $group, 'all', 'foreign');
$got = array_column($r['claimed'], 'data');
$check('foreign records: no exception', !$r['errors'], implode('; ', $r['errors']));
$check('foreign records: the queue\'s own items around them are delivered with their ids',
  in_array(['data' => 'f-before', 'item_id' => $before], array_map(fn($c) => ['data' => $c['data'], 'item_id' => $c['item_id']], $r['claimed']), TRUE)
  && in_array(['data' => 'f-after', 'item_id' => $after], array_map(fn($c) => ['data' => $c['data'], 'item_id' => $c['item_id']], $r['claimed']), TRUE),
  'delivered: ' . json_encode($got));
$check('foreign records: each is delivered once, as it is, and deleted', count($r['claimed']) === count($foreign) + 2 && in_array('plain text', $got, TRUE) && ($r['left'] ?? -1) === 0,
  sprintf('%d claimed, numberOfItems %s: %s', count($r['claimed']), $r['left'] ?? '?', json_encode($got)));
$figures['created'] += 2;
$figures['processed'] += count(array_intersect(['f-before', 'f-after'], $got));
$figures['lost'] += 2 - count(array_intersect(['f-before', 'f-after'], $got));

// ---------------------------------------------------------------- PHP API edge values

$queue = Env::uniqueName('api');
Kafka::provision($bootstrap, $queue, 1, 1);
Kafka::waitForTopic($bootstrap, $queue);
$group = 'site_' . bin2hex(random_bytes(3));
$q = new \KafkaQueue($queue, ['bootstrap.servers' => $bootstrap, 'group.id' => $group, 'claim_wait_ms' => 3000]);
$q->createItem('keep');
$figures['created']++;

/**
 * Expects $call to throw an \Exception of $class (a PHP \Error, a Rust panic, no exception at
 * all, or a state change all fail the check).
 */
$refuses = function (string $what, callable $call, string $class = \Exception::class, ?string $mention = NULL) use ($check, $q): void {
  $before = $q->numberOfItems();
  try {
    $result = $call();
    $check($what, FALSE, 'accepted, returned ' . var_export($result, TRUE));
  }
  catch (\Throwable $e) {
    $ok = $e instanceof $class && ($mention === NULL || str_contains($e->getMessage(), $mention));
    $check($what, $ok, get_class($e) . ': ' . substr($e->getMessage(), 0, 160));
  }
  $after = $q->numberOfItems();
  if ($after !== $before) {
    $check("$what: no state change", FALSE, "numberOfItems $before -> $after");
  }
};

// A lease so long it overflows the clock: refused, or granted as "forever"; never a panic.
foreach (['a lease of 1e300 s' => 1e300, 'a lease of PHP_INT_MAX s' => PHP_INT_MAX, 'a lease of 1e18 s' => 1e18] as $what => $lease) {
  $before = $q->numberOfItems();
  try {
    $held = $q->claimItem($lease);
    $check("claimItem() with $what", is_object($held), 'returned ' . var_export($held, TRUE));
    if (is_object($held)) {
      $q->releaseItem($held);
    }
  }
  catch (\Throwable $e) {
    $check("claimItem() with $what", $e instanceof \InvalidArgumentException, get_class($e) . ': ' . $e->getMessage());
  }
  $check("claimItem() with $what: no state change", $q->numberOfItems() === $before);
}
$item = $q->claimItem(60);
$check('the queue still works after the huge leases', is_object($item) && $item->data === 'keep', var_export($item, TRUE));
$figures['processed'] += is_object($item) ? 1 : 0;
if (is_object($item)) {
  $refuses('delayItem() with a negative fraction (-0.5 s)', fn() => $q->delayItem($item, -0.5), \InvalidArgumentException::class);
  $refuses('delayItem() with a delay as a negative numeric string', fn() => $q->delayItem($item, '-1'), \InvalidArgumentException::class);
  foreach (['partition 999' => ['partition' => 999], 'offset -1' => ['offset' => -1], 'offset PHP_INT_MAX' => ['offset' => PHP_INT_MAX], 'partition -1' => ['partition' => -1]] as $what => $change) {
    $forged = (object) ($change + ['item_id' => $item->item_id, 'partition' => $item->partition, 'offset' => $item->offset, 'data' => $item->data]);
    foreach (['deleteItem', 'releaseItem'] as $method) {
      $before = $q->numberOfItems();
      try {
        $result = $q->$method($forged);
        $check("$method() of a forged item ($what)", $result === FALSE, 'returned ' . var_export($result, TRUE));
      }
      catch (\Throwable $e) {
        $check("$method() of a forged item ($what)", $e instanceof \InvalidArgumentException, get_class($e) . ': ' . $e->getMessage());
      }
      $check("$method() of a forged item ($what): no state change", $q->numberOfItems() === $before);
    }
  }
  $check('the real item is still held and deletable', $q->deleteItem($item) === TRUE);
}

$sx = new \SimpleXMLElement('<a/>');
$anonymous = new class { public $x = 1; };
foreach ([
  'a SimpleXMLElement' => $sx,
  'a Generator' => (function () { yield 1; })(),
  'an anonymous class' => $anonymous,
  'an anonymous class deep in an array' => ['a' => ['b' => [$anonymous]]],
  'a ReflectionClass' => new \ReflectionClass(\stdClass::class),
] as $what => $data) {
  $refuses("createItem() of $what", fn() => $q->createItem($data), \InvalidArgumentException::class);
}
$fast = new \KafkaQueue($queue, ['bootstrap.servers' => $bootstrap, 'delivery' => 'fast']);
$refuses('createItem() of a 2 MB item in fast mode', fn() => $fast->createItem(str_repeat('x', 2 << 20)), \KafkaQueueException::class);
$check('fast mode: nothing half-written by the refused item', $fast->flush() === 0 && $q->numberOfItems() === 0);

$admin = new \KafkaQueueAdmin(['bootstrap.servers' => $bootstrap]);
foreach (['.', '..', '', str_repeat('q', 300), "nul\0byte", 'über/queue:1'] as $name) {
  $topic = $admin->topicFor($name);
  $check(sprintf('queue name %s maps to a legal topic', json_encode(strlen($name) > 20 ? substr($name, 0, 8) . '...' : $name)),
    (bool) preg_match('/^[A-Za-z0-9._-]{1,249}$/', $topic) && $topic !== '.' && $topic !== '..', $topic);
}

foreach (['', ',', 'localhost:notaport', '127.0.0.1:99999', '::::', "127.0.0.1:1\0"] as $list) {
  $t0 = microtime(TRUE);
  try {
    (new \KafkaQueue('x', ['bootstrap.servers' => $list, 'timeout_ms' => 1000]))->createQueue();
    $check('broker list ' . json_encode($list) . ' refused', FALSE, 'accepted');
  }
  catch (\Throwable $e) {
    $took = microtime(TRUE) - $t0;
    $check('broker list ' . json_encode($list) . ' refused within timeout_ms', $e instanceof \KafkaQueueException && $took < 2.5,
      sprintf('%s after %.1fs: %s', get_class($e), $took, $e->getMessage()));
    if (str_contains($list, "\0")) {
      $check('broker list with a NUL byte: the message names the key', str_contains($e->getMessage(), 'bootstrap.servers'), $e->getMessage());
    }
  }
}

$v = $figures + ['ok' => TRUE];
Report::finish('badinput', $v, $started, ['checks' => $checks, 'failed' => count($failures)], $failures);
