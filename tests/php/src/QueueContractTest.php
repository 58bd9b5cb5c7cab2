<?php

declare(strict_types=1);

namespace KafkaQueue\Tests;

/**
 * Every line of the contract that one process can show, against the real broker.
 */
final class QueueContractTest extends KafkaTestCase {

  private string $name;
  private \KafkaQueue $queue;

  protected function setUp(): void {
    $this->name = static::uniqueName();
    static::provision($this->name);
    $this->queue = $this->queue($this->name);
  }

  public static function values(): array {
    $object = new \stdClass();
    $object->a = [1, 'two' => 2.5];
    $object->nested = new \ArrayObject(['x' => NULL]);
    return [
      'string' => ['plain text'],
      'empty string' => [''],
      'binary string' => ["\x00\xff\x01 bytes \x00"],
      'int' => [42],
      'negative int' => [PHP_INT_MIN],
      'float' => [3.14159],
      'true' => [TRUE],
      'false' => [FALSE],
      'null' => [NULL],
      'nested array' => [['a' => [1, [2, [3, 'deep']]], 'b' => NULL, 7 => FALSE]],
      'stdClass' => [$object],
      'large string' => [str_repeat('0123456789', 50000)],
    ];
  }

  /**
   * @dataProvider values
   */
  #[\PHPUnit\Framework\Attributes\DataProvider('values')]
  public function testDataComesBackIdentical($data): void {
    $id = $this->queue->createItem($data);
    $item = $this->queue->claimItem();
    $this->assertIsObject($item);
    $this->assertSame($id, $item->item_id);
    if (is_object($data)) {
      $this->assertEquals($data, $item->data);
      $this->assertSame(serialize($data), serialize($item->data));
    }
    else {
      $this->assertSame($data, $item->data);
    }
  }

  public function testItemObjectHasIdDataAndCreated(): void {
    $before = time();
    $id = $this->queue->createItem('x');
    $item = $this->queue->claimItem();
    $this->assertIsString($id);
    $this->assertNotSame('', $id);
    $this->assertSame($id, $item->item_id);
    $this->assertIsInt($item->created);
    $this->assertGreaterThanOrEqual($before - 1, $item->created);
    $this->assertLessThanOrEqual(time() + 1, $item->created);
  }

  public function testIdsAreUniqueAndNoItemIsHandedOutTwice(): void {
    $ids = [];
    for ($i = 0; $i < 50; $i++) {
      $ids[] = $this->queue->createItem($i);
    }
    $this->assertCount(50, array_unique($ids));
    $claimed = static::drain($this->queue, FALSE);
    $this->assertCount(50, $claimed);
    $claimedIds = array_map(fn($item) => $item->item_id, $claimed);
    $this->assertEqualsCanonicalizing($ids, $claimedIds);
    $this->assertFalse($this->queue->claimItem(), 'every item is leased: nothing is claimable');
  }

  public function testItemsOfAPartitionComeInOrder(): void {
    $name = static::uniqueName();
    static::provision($name, 1);
    $queue = $this->queue($name);
    for ($i = 0; $i < 20; $i++) {
      $queue->createItem($i);
    }
    $this->assertSame(range(0, 19), array_map(fn($item) => $item->data, static::drain($queue)));
  }

  public function testABurstOfFastItemsIsSpreadOverEveryPartition(): void {
    $name = static::uniqueName();
    static::provision($name, 8);
    $queue = $this->queue($name, ['delivery' => 'fast']);
    for ($i = 0; $i < 16000; $i++) {
      $queue->createItem($i);
    }
    $this->assertSame(0, $queue->flush());
    // Items go in runs of up to 1 000 to one partition after another: about 2 000 each, so
    // that eight workers all have work. (librdkafka's sticky partitioner kept one partition
    // for 10 ms of fast items, and a burst landed on a few.)
    $perPartition = array_column($queue->status()['detail'], 'items', 'partition');
    $this->assertCount(8, $perPartition);
    $this->assertGreaterThan(1500, min($perPartition), 'per partition: ' . implode(' ', $perPartition));
  }

  public function testCountIncludesClaimedItemsAndDropsOnDelete(): void {
    $this->assertSame(0, $this->queue->numberOfItems());
    foreach (['a', 'b', 'c'] as $data) {
      $this->queue->createItem($data);
    }
    $this->assertSame(3, $this->queue->numberOfItems());
    $first = $this->queue->claimItem();
    $this->assertSame(3, $this->queue->numberOfItems(), 'a claimed item still counts');
    $this->assertTrue($this->queue->deleteItem($first));
    $this->assertSame(2, $this->queue->numberOfItems());
    static::drain($this->queue);
    $this->assertSame(0, $this->queue->numberOfItems());
  }

  public function testCountIsSeenByAnotherInstanceOfTheSite(): void {
    $this->queue->createItem('a');
    $this->queue->createItem('b');
    $this->queue->deleteItem($this->queue->claimItem());
    $other = $this->queue($this->name);
    $this->assertSame(1, $other->numberOfItems());
  }

  public function testClaimReturnsFalseAtOnceWhenDrained(): void {
    $this->queue->createItem('only');
    $this->queue->deleteItem($this->queue->claimItem());
    $start = microtime(TRUE);
    $this->assertFalse($this->queue->claimItem());
    $this->assertLessThan(1.0, microtime(TRUE) - $start, 'claim_wait_ms is 3000: a drained queue must not wait for it');
  }

  public function testAClaimRightAfterDrainedWaitsForTheNextItem(): void {
    $this->queue->createItem('only');
    $this->queue->deleteItem($this->queue->claimItem());
    $this->assertFalse($this->queue->claimItem(), 'drained: FALSE at once');
    // Another process creates an item while this worker asks again (a polling worker).
    $writer = proc_open(static::phpCommand('enqueue.php', [
      'brokers' => static::brokers(),
      'queue' => $this->name,
      'count' => 1,
      'delivery' => 'strict',
      'prefix' => 'late',
    ]), [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $item = $this->queue->claimItem();
    $output = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
    $this->assertSame(0, proc_close($writer), $output);
    $this->assertIsObject($item, 'the claim waited up to claim_wait_ms for the item created meanwhile');
    $this->assertSame('late0', $item->data);
  }

  public function testReleasedItemIsClaimableAgainAtOnce(): void {
    $id = $this->queue->createItem('again');
    $item = $this->queue->claimItem();
    $this->assertFalse($this->queue->claimItem());
    $this->assertTrue($this->queue->releaseItem($item));
    $again = $this->queue->claimItem();
    $this->assertIsObject($again);
    $this->assertSame($id, $again->item_id);
    $this->assertSame('again', $again->data);
  }

  public function testExpiredLeaseMakesTheItemClaimableAgain(): void {
    $id = $this->queue->createItem('leased');
    $item = $this->queue->claimItem(1);
    $this->assertSame($id, $item->item_id);
    $this->assertFalse($this->queue->claimItem(), 'the lease is still running');
    $again = static::waitFor(fn() => $this->queue->claimItem(), 5, 'the item to come back after its 1 s lease');
    $this->assertSame($id, $again->item_id);
  }

  public function testDelayedItemIsNotClaimableBeforeItsTime(): void {
    $id = $this->queue->createItem('later');
    $item = $this->queue->claimItem();
    $delayedAt = microtime(TRUE);
    $this->assertTrue($this->queue->delayItem($item, 2));
    $this->assertFalse($this->queue->claimItem(), 'not before 2 s');
    $again = static::waitFor(fn() => $this->queue->claimItem(), 6, 'the delayed item');
    $this->assertGreaterThanOrEqual(2.0, microtime(TRUE) - $delayedAt);
    $this->assertSame($id, $again->item_id);
    $this->assertSame('later', $again->data);
    $this->assertSame(1, $this->queue->numberOfItems(), 'the delay moved the item; it did not copy it');
    $this->queue->deleteItem($again);
    $this->assertSame(0, $this->queue->numberOfItems());
  }

  public function testNegativeDelayIsRefused(): void {
    $this->queue->createItem('x');
    $item = $this->queue->claimItem();
    $this->expectException(\InvalidArgumentException::class);
    $this->queue->delayItem($item, -1);
  }

  public function testZeroDelayReleases(): void {
    $id = $this->queue->createItem('x');
    $this->assertTrue($this->queue->delayItem($this->queue->claimItem(), 0));
    $this->assertSame($id, $this->queue->claimItem()->item_id);
  }

  public function testDeleteQueueRemovesEveryItemButKeepsTheTopic(): void {
    for ($i = 0; $i < 5; $i++) {
      $this->queue->createItem($i);
    }
    $this->queue->claimItem();
    $this->queue->deleteQueue();
    $this->assertSame(0, $this->queue->numberOfItems());
    $fresh = $this->queue($this->name);
    $this->assertFalse($fresh->claimItem(), 'no item that existed at deletion is delivered');
    $fresh->createQueue();
    $id = $fresh->createItem('after');
    $item = $fresh->claimItem();
    $this->assertSame($id, $item->item_id, 'the re-created queue works on the same topic');
    $this->assertSame(1, $fresh->numberOfItems());
  }

  public function testCreateQueueOnAMissingTopicNamesItAndHowToProvision(): void {
    $queue = $this->queue(static::uniqueName('missing'));
    try {
      $queue->createQueue();
      $this->fail('createQueue() must throw for a missing topic');
    }
    catch (\KafkaQueueException $e) {
      $this->assertStringContainsString($queue->topic(), $e->getMessage());
      $this->assertStringContainsString('provision', $e->getMessage());
    }
    $this->expectException(\KafkaQueueException::class);
    $queue->createItem('nowhere to go');
  }

  public function testCreateQueueOnAnExistingTopicIsCheap(): void {
    $this->queue->createQueue();
    $start = microtime(TRUE);
    for ($i = 0; $i < 10; $i++) {
      $this->queue->createQueue();
    }
    $this->assertLessThan(2.0, microtime(TRUE) - $start);
  }

  public function testSitesConsumeIndependently(): void {
    $this->queue->createItem('shared');
    $siteA = $this->queue($this->name, ['group.id' => 'siteA_' . $this->site()]);
    $siteB = $this->queue($this->name, ['group.id' => 'siteB_' . $this->site()]);
    $this->assertSame('shared', $siteA->claimItem()->data);
    $this->assertSame(1, $siteB->numberOfItems());
    $item = $siteB->claimItem();
    $this->assertSame('shared', $item->data);
    $siteB->deleteItem($item);
    $this->assertSame(0, $siteB->numberOfItems());
    $this->assertSame(1, $siteA->numberOfItems());
  }

  public function testQueuesAreIsolated(): void {
    $otherName = static::uniqueName();
    static::provision($otherName);
    $other = $this->queue($otherName);
    $this->queue->createItem('mine');
    $this->assertSame(0, $other->numberOfItems());
    $this->assertFalse($other->claimItem());
    $this->assertSame('mine', $this->queue->claimItem()->data);
  }

  public function testQueueNameThatIsNoLegalTopicMapsDeterministically(): void {
    $queue = $this->queue('entity:update/node');
    $this->assertMatchesRegularExpression('/^[A-Za-z0-9._-]+$/', $queue->topic());
    $this->assertSame($queue->topic(), $this->queue('entity:update/node')->topic());
    $this->assertNotSame($queue->topic(), $this->queue('entity:update_node')->topic());
    $admin = new \KafkaQueueAdmin(['bootstrap.servers' => static::brokers()]);
    $this->assertSame($queue->topic(), $admin->topicFor('entity:update/node'));
    $prefixed = new \KafkaQueueAdmin(['bootstrap.servers' => static::brokers(), 'topic_prefix' => 'site1.']);
    $this->assertSame('site1.cron_queue', $prefixed->topicFor('cron_queue'));
  }

}
