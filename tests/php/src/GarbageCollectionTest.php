<?php

declare(strict_types=1);

namespace KafkaQueue\Tests;

/**
 * garbageCollection(): the deleted list is trimmed below the first offset Kafka still holds,
 * and items that retention removed before anyone processed them are counted.
 */
final class GarbageCollectionTest extends KafkaTestCase {

  /**
   * Moves the partition's low watermark, as retention does, with Kafka's own tool.
   */
  private static function deleteRecordsBelow(string $topic, int $offset): void {
    $file = tempnam(sys_get_temp_dir(), 'kq');
    file_put_contents($file, json_encode(['version' => 1, 'partitions' => [['topic' => $topic, 'partition' => 0, 'offset' => $offset]]]));
    $script = dirname(__DIR__, 3) . '/scripts/kafka/kafka.sh';
    exec(sprintf('timeout -k 5 120 %s tool org.apache.kafka.tools.DeleteRecordsCommand --bootstrap-server %s --offset-json-file %s 2>&1', escapeshellarg($script), escapeshellarg(static::brokers()), escapeshellarg($file)), $output, $code);
    unlink($file);
    self::assertSame(0, $code, implode("\n", $output));
  }

  public function testRetentionGapsAreCountedOnceAndTheDeletedListIsTrimmed(): void {
    $name = static::uniqueName('gc');
    static::provision($name, 1);
    $queue = $this->queue($name);
    foreach (range(0, 5) as $n) {
      $queue->createItem($n);
    }
    // Another worker of the site processes the even items and leaves: 1, 3, 5 remain, leased
    // for 6 s more.
    [$code, $out] = static::runPhp('hold.php', ['brokers' => static::brokers(), 'queue' => $name, 'group' => $this->site(), 'lease' => 6]);
    $this->assertSame([0, "ready 6\n"], [$code, $out]);
    $this->assertSame(3, $queue->numberOfItems());

    static::deleteRecordsBelow($queue->topic(), 3);
    // Offsets 0..2 are gone: 0 and 2 had been deleted, 1 had not.
    $this->assertSame(1, $queue->garbageCollection(), 'one item was lost to retention');
    $this->assertSame(0, $queue->garbageCollection(), 'garbage collection is idempotent');
    $this->assertSame(2, $queue->numberOfItems());
    $status = $queue->status();
    $this->assertSame(3, $status['detail'][0]['low']);
    $this->assertSame(1, $status['deleted_list'], 'only offset 4 is left in the deleted list');
    $this->assertFalse($queue->claimItem(), 'garbage collection keeps the leases');
    // The two leases end a moment apart (the other worker claimed one after the other).
    $items = [];
    static::waitFor(function () use ($queue, &$items) {
      if ($item = $queue->claimItem()) {
        $items[] = $item;
        $queue->deleteItem($item);
      }
      return count($items) === 2 ?: NULL;
    }, 15, 'both leases to end');
    $this->assertSame([3, 5], array_map(fn($item) => $item->data, $items));
    $this->assertFalse($queue->claimItem(), 'nothing else is left');
  }

  public function testAnOwnerTrimsItsOwnPartitions(): void {
    $name = static::uniqueName('gc');
    static::provision($name, 1);
    $queue = $this->queue($name);
    foreach (range(0, 3) as $n) {
      $queue->createItem($n);
    }
    $first = $queue->claimItem();
    $queue->claimItem();
    $queue->deleteItem($queue->claimItem());
    static::deleteRecordsBelow($queue->topic(), 4);
    // Offset 0 and 1 are claimed here: still deliverable from memory. Offset 3 was never read.
    $this->assertSame(1, $queue->garbageCollection());
    $this->assertSame(0, $queue->garbageCollection());
    $this->assertTrue($queue->deleteItem($first), 'an item claimed here stays in hand after its record expired');
  }

}
