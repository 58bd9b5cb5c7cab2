<?php

declare(strict_types=1);

namespace KafkaQueue\Tests;

/**
 * Ownership across processes: leases that outlive their process, partitions that follow
 * activity, and a queue deleted while workers are live.
 */
final class OwnershipTest extends KafkaTestCase {

  private string $name;

  protected function setUp(): void {
    $this->name = static::uniqueName('own');
  }

  private function fill(int $count, int $partitions = 1): \KafkaQueue {
    static::provision($this->name, $partitions);
    $queue = $this->queue($this->name, ['delivery' => 'fast']);
    for ($i = 0; $i < $count; $i++) {
      $queue->createItem($i);
    }
    $this->assertSame(0, $queue->flush(), 'every item reached Kafka');
    return $queue;
  }

  private function args(array $extra = []): array {
    return $extra + ['brokers' => static::brokers(), 'queue' => $this->name, 'group' => $this->site()];
  }

  /**
   * Starts lease.php; returns [process, pipes, start time of its claims, data it holds].
   */
  private function holder(array $args): array {
    $child = proc_open(static::phpCommand('lease.php', $this->args($args)), [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    stream_set_blocking($pipes[1], FALSE);
    $line = static::waitFor(fn() => fgets($pipes[1]), 30, 'the holder to claim its items');
    $this->assertMatchesRegularExpression('/^held [0-9.]+ /', $line);
    [, $start, $held] = explode(' ', trim($line) . ' ');
    return [$child, $pipes, (float) $start, $held === '' ? [] : array_map('intval', explode(',', $held))];
  }

  /**
   * Waits for the end of a child, at most $seconds; returns its exit code.
   */
  private static function finish($child, array $pipes, float $seconds = 30): int {
    fclose($pipes[0]);
    // The exit code is reported once, by the first look that sees the child ended.
    $status = static::waitFor(fn() => ($s = proc_get_status($child))['running'] ? FALSE : $s, $seconds, 'the child to end');
    proc_close($child);
    return $status['exitcode'];
  }

  /**
   * Claims until $count items came or $seconds passed; returns [data => claim time].
   */
  private static function claimTimes(\KafkaQueue $queue, int $count, float $seconds, int $lease = 30): array {
    $got = [];
    $deadline = microtime(TRUE) + $seconds;
    while (count($got) < $count && microtime(TRUE) < $deadline) {
      if ($item = $queue->claimItem($lease)) {
        $got[$item->data] = microtime(TRUE);
      }
    }
    ksort($got);
    return $got;
  }

  public static function endings(): array {
    return ['the request ends' => ['exit', 0], 'an uncaught exception ends it' => ['throw', 255]];
  }

  /**
   * @dataProvider endings
   */
  #[\PHPUnit\Framework\Attributes\DataProvider('endings')]
  public function testLeasesOutliveTheProcessThatHeldThem(string $then, int $code): void {
    $this->fill(3);
    $lease = 4;
    [$child, $pipes, $start, $held] = $this->holder(['lease' => $lease, 'claim' => 3, 'then' => $then]);
    $this->assertSame($code, static::finish($child, $pipes));
    $this->assertSame([1, 2], $held);

    $queue = $this->queue($this->name);
    $this->assertFalse($queue->claimItem(), 'a leased item is not claimable before its lease ends');
    $got = static::claimTimes($queue, 2, $lease + 10);
    $this->assertSame([1, 2], array_keys($got), 'both come back once their leases end');
    foreach ($got as $data => $at) {
      $this->assertGreaterThanOrEqual($start + $lease, $at, "item $data was not handed out before its lease ended");
    }
    $this->assertFalse($queue->claimItem(), 'the deleted one never comes back');
  }

  public function testReleasedItemsGoToAnotherProcessWhileTheHolderLivesOn(): void {
    $this->fill(3);
    // A claims all three, deletes one, releases two and goes on with other work (as cron does
    // with its next queue): it holds no claim, so it gives the partition back after its idle
    // time (1 s here, the default).
    [$child, $pipes, , $held] = $this->holder(['lease' => 60, 'claim' => 3, 'release' => 2, 'then' => 'idle']);
    $this->assertSame([], $held);
    $released = microtime(TRUE);
    $queue = $this->queue($this->name);
    // Idle time + one reassignment: the new member learns of its partition at its next
    // heartbeat (5 s with the broker's defaults).
    $got = static::claimTimes($queue, 2, 1 + 5 + 3);
    $this->assertTrue(proc_get_status($child)['running'], 'the holder is still alive');
    $this->assertSame([1, 2], array_keys($got), 'the released items reached the other process');
    fwrite(STDERR, sprintf("\n  [released items reached the other process %.1f s after their release]\n", max($got) - $released));
    $this->assertSame(0, static::finish($child, $pipes));
  }

  public function testDeleteQueueWaitsForIdleWorkersAndNamesBusyOnes(): void {
    $this->fill(4);
    // A busy worker: it holds a claim, so it keeps its membership.
    [$child, $pipes] = $this->holder(['lease' => 60, 'claim' => 2, 'then' => 'idle']);
    $queue = $this->queue($this->name, ['timeout_ms' => 2000]);
    try {
      $queue->deleteQueue();
      $this->fail('deleteQueue() succeeded while a worker held a claim');
    }
    catch (\KafkaQueueException $e) {
      $this->assertSame(11, $e->getCode(), "QUEUE_BUSY: " . $e->getMessage());
      $this->assertStringContainsString('1 worker(s) of this site are consuming it right now (client id "', $e->getMessage());
      $this->assertStringContainsString('kafka-consumer-groups.sh --bootstrap-server ' . static::brokers() . ' --describe --group ' . $this->site() . '.' . $queue->topic() . ' --members', $e->getMessage());
    }
    $this->assertSame(0, static::finish($child, $pipes));

    // An idle worker (it released everything) leaves within its idle time: deleteQueue waits.
    [$child, $pipes] = $this->holder(['lease' => 60, 'claim' => 2, 'release' => 1, 'then' => 'idle']);
    $queue->deleteQueue();
    $this->assertSame(0, $queue->numberOfItems());
    $this->assertFalse($queue->claimItem(), 'nothing that existed at the call comes back');
    $this->assertSame(0, static::finish($child, $pipes));
  }

}
