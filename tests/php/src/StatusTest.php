<?php

declare(strict_types=1);

namespace KafkaQueue\Tests;

/**
 * status(): librdkafka's statistics of this process's clients, when turned on.
 */
final class StatusTest extends KafkaTestCase {

  public function testClientsAreEmptyWithoutStatistics(): void {
    $name = static::uniqueName();
    static::provision($name, 1);
    $queue = $this->queue($name);
    $queue->createItem('x');
    $this->assertSame([], $queue->status()['clients']);
  }

  public function testStatisticsCountTheRequestsOfEachClient(): void {
    $name = static::uniqueName();
    static::provision($name, 1);
    $queue = $this->queue($name, ['statistics.interval.ms' => '100']);
    $queue->createItem('x');
    $item = $queue->claimItem(60);
    $this->assertIsObject($item);
    $this->assertTrue($queue->deleteItem($item));
    // The next documents (every 100 ms) count the Produce, Fetch and OffsetCommit just sent;
    // a consumer's documents are served when it is polled, as an empty claim does.
    $clients = static::waitFor(function () use ($queue) {
      $this->assertFalse($queue->claimItem());
      $sent = [];
      foreach ($queue->status()['clients'] as $client) {
        foreach ($client['brokers'] as $broker) {
          foreach ($broker['requests'] as $type => $count) {
            $sent[$client['type']][$type] = ($sent[$client['type']][$type] ?? 0) + $count;
          }
        }
      }
      return isset($sent['producer']['Produce'], $sent['consumer']['Fetch'], $sent['consumer']['OffsetCommit']) ? $queue->status()['clients'] : NULL;
    }, 10, 'statistics that count the produce, the fetch and the commit');
    $this->assertSame(['producer', 'consumer', 'consumer'], array_column($clients, 'type'), 'producer, group consumer, inspector');
    foreach ($clients as $client) {
      $this->assertGreaterThan(0, $client['requests_sent'], $client['name']);
      $this->assertNotEmpty($client['brokers'], $client['name']);
      foreach ($client['brokers'] as $broker) {
        $this->assertSame(['name', 'node_id', 'state', 'requests_sent', 'responses', 'errors', 'timeouts', 'rtt_avg_us', 'rtt_p99_us', 'requests'], array_keys($broker));
        $this->assertLessThanOrEqual($broker['requests_sent'], array_sum($broker['requests']), 'typed counts are part of the total');
      }
    }
  }

}
