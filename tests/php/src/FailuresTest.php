<?php

declare(strict_types=1);

namespace KafkaQueue\Tests;

/**
 * Bad input gets an exception that says what was wrong, changes nothing, and no call hangs
 * when the brokers are gone.
 */
final class FailuresTest extends KafkaTestCase {

  public function testUnknownConfigurationKeyIsNamed(): void {
    try {
      new \KafkaQueue('q', ['bootstrap.servers' => static::brokers(), 'claim_wait' => 5]);
      $this->fail('an unknown key must be refused');
    }
    catch (\KafkaQueueException $e) {
      $this->assertStringContainsString('"claim_wait"', $e->getMessage());
      $this->assertStringContainsString('claim_wait_ms', $e->getMessage(), 'the message lists the valid options');
      $this->assertSame(\KafkaQueueException::CONFIGURATION, $e->getCode());
      $this->assertFalse($e->isRetriable());
    }
  }

  public static function badValues(): array {
    return [
      'mode' => ['delivery', 'sometimes'],
      'duration' => ['timeout_ms', '-1'],
      'librdkafka value' => ['acks', 'maybe'],
      'array value' => ['client.id', ['x']],
    ];
  }

  /**
   * @dataProvider badValues
   */
  #[\PHPUnit\Framework\Attributes\DataProvider('badValues')]
  public function testInvalidValueIsNamed(string $key, $value): void {
    $this->expectException(\KafkaQueueException::class);
    $this->expectExceptionMessage("\"$key\"");
    $this->expectExceptionCode(\KafkaQueueException::CONFIGURATION);
    new \KafkaQueue('q', ['bootstrap.servers' => static::brokers(), $key => $value]);
  }

  public function testUnreachableBrokersFailWithinTheTimeout(): void {
    $queue = new \KafkaQueue('q', ['bootstrap.servers' => '127.0.0.1:1', 'timeout_ms' => 1000, 'claim_wait_ms' => 500]);
    foreach (['createItem' => ['x'], 'claimItem' => [], 'numberOfItems' => [], 'createQueue' => [], 'garbageCollection' => [], 'deleteQueue' => []] as $method => $args) {
      $start = microtime(TRUE);
      try {
        $queue->$method(...$args);
        $this->fail("$method() must not succeed without brokers");
      }
      catch (\KafkaQueueException $e) {
        $this->assertStringContainsString('queue "q"', $e->getMessage(), "$method() names the queue");
        $this->assertContains($e->getCode(), [\KafkaQueueException::UNREACHABLE, \KafkaQueueException::TIMED_OUT], "$method(): " . $e->getMessage());
        $this->assertTrue($e->isRetriable(), "$method(): unreachable brokers may come back");
      }
      $this->assertLessThan(3.0, microtime(TRUE) - $start, "$method() returned within its bound");
    }
  }

  public function testMalformedBrokerListIsRefused(): void {
    $queue = new \KafkaQueue('q', ['bootstrap.servers' => 'not a broker list', 'timeout_ms' => 1000]);
    $this->expectException(\KafkaQueueException::class);
    $queue->createQueue();
  }

  public function testOversizedItemIsRefusedAndNothingIsWritten(): void {
    $name = static::uniqueName();
    static::provision($name);
    $queue = $this->queue($name);
    try {
      $queue->createItem(str_repeat('x', 2 * 1024 * 1024));
      $this->fail('an item larger than the broker accepts must be refused');
    }
    catch (\KafkaQueueException $e) {
      $this->assertMatchesRegularExpression('/too large|size/i', $e->getMessage());
      $this->assertSame(\KafkaQueueException::REFUSED, $e->getCode());
      $this->assertFalse($e->isRetriable());
    }
    $this->assertSame(0, $queue->numberOfItems());
    $queue->createItem('small');
    $this->assertSame(1, $queue->numberOfItems(), 'the queue still works');
  }

  public function testNonSerializableDataIsRefusedBeforeAnythingIsProduced(): void {
    $name = static::uniqueName();
    static::provision($name);
    $queue = $this->queue($name);
    foreach ([fn() => 1, ['nested' => fn() => 2], STDIN] as $data) {
      try {
        $queue->createItem($data);
        $this->fail('non-serializable data must be refused');
      }
      catch (\InvalidArgumentException $e) {
        $this->assertMatchesRegularExpression('/serializ|resource/i', $e->getMessage());
      }
    }
    $this->assertSame(0, $queue->numberOfItems());
  }

  public function testForgedAndForeignItemsChangeNothing(): void {
    $name = static::uniqueName();
    static::provision($name);
    $queue = $this->queue($name);
    $queue->createItem('real');
    $real = $queue->claimItem(1);

    $otherName = static::uniqueName();
    static::provision($otherName);
    $other = $this->queue($otherName);
    $other->createItem('foreign');
    $foreign = $other->claimItem();

    $forgedSamePosition = clone $real;
    $forgedSamePosition->item_id = 'forged';
    foreach (['deleteItem', 'releaseItem'] as $method) {
      foreach ([$forgedSamePosition, $foreign] as $bad) {
        try {
          $result = $queue->$method($bad);
          $this->assertFalse($result, "$method() of a foreign item");
        }
        catch (\InvalidArgumentException $e) {
          $this->assertStringContainsString('not an item of queue', $e->getMessage());
        }
      }
      foreach ([new \stdClass(), 'string', (object) ['item_id' => 'x']] as $malformed) {
        try {
          $queue->$method($malformed);
          $this->fail("$method() must refuse a malformed item");
        }
        catch (\InvalidArgumentException $e) {
          $this->assertStringContainsString('claimItem()', $e->getMessage());
        }
      }
    }
    $this->expectException(\InvalidArgumentException::class);
    try {
      $queue->delayItem($forgedSamePosition, 10);
    }
    finally {
      $this->assertSame(1, $queue->numberOfItems(), 'nothing was deleted');
      $this->assertSame(1, $other->numberOfItems());
      $again = static::waitFor(fn() => $queue->claimItem(), 5, 'the real item, once its 1 s lease ran out');
      $this->assertSame($real->item_id, $again->item_id, 'the real item is still there and claimable');
    }
  }

  public function testNegativeLeaseIsRefused(): void {
    $this->expectException(\InvalidArgumentException::class);
    $this->queue('any')->claimItem(-5);
  }

  public function testNulByteInAConfigurationValueNamesTheKey(): void {
    try {
      new \KafkaQueue('q', ['bootstrap.servers' => static::brokers() . "\0"]);
      $this->fail('a value with a NUL byte must be refused');
    }
    catch (\KafkaQueueException $e) {
      $this->assertStringContainsString('"bootstrap.servers"', $e->getMessage());
      $this->assertSame(\KafkaQueueException::CONFIGURATION, $e->getCode());
    }
  }

  /**
   * A lease longer than the clock can count (it once panicked in Rust, a PHP \Error) is capped.
   */
  public function testLeaseBeyondTheClockIsCapped(): void {
    $name = static::uniqueName();
    static::provision($name, 1);
    $queue = $this->queue($name);
    $queue->createItem('x');
    foreach ([1e300, PHP_INT_MAX] as $lease) {
      $item = $queue->claimItem($lease);
      $this->assertIsObject($item, "claimItem($lease) hands the item out");
      $this->assertSame('x', $item->data);
      $this->assertFalse($queue->claimItem(), "claimItem($lease) holds the item");
      $this->assertTrue($queue->releaseItem($item));
    }
  }

  /**
   * A fraction of a second rounds toward zero, so -0.5 s is negative and refused (it once
   * released the item).
   */
  public function testNegativeFractionalDelayIsRefused(): void {
    $name = static::uniqueName();
    static::provision($name, 1);
    $queue = $this->queue($name);
    $queue->createItem('x');
    $item = $queue->claimItem(60);
    try {
      $queue->delayItem($item, -0.5);
      $this->fail('delayItem() with -0.5 s must be refused');
    }
    catch (\InvalidArgumentException $e) {
      $this->assertStringContainsString('delay', $e->getMessage());
    }
    $this->assertFalse($queue->claimItem(), 'the item is still held');
  }

}
