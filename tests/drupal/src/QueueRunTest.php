<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue;

use Drupal\Tests\kafka_queue\Support\DrushQueueRunner;
use Drupal\Tests\kafka_queue\Support\ScriptedWorker;
use Drupal\Tests\kafka_queue\Support\TestQueueWorkerManager;

/**
 * "drush queue:run" processes every item of a Kafka queue.
 *
 * A worker requeues one item, suspends the queue on another, delays a third
 * and fails on a fourth; the queue is run again, as a site's cron or
 * supervisor would, until every item has been processed.
 */
final class QueueRunTest extends KafkaTestCase {

  /**
   * The lease given with --lease-time, in seconds.
   */
  private const LEASE = 3;

  /**
   * The delay the worker asks for, in seconds.
   */
  private const DELAY = 2;

  /**
   * Tests the worker loop of "drush queue:run" with every outcome.
   */
  public function testQueueRunProcessesEveryItem(): void {
    $name = self::queueName('run');
    self::provisionTopics([$name], 2);
    $worker = new ScriptedWorker($name, [
      '3' => ['requeue'],
      '5' => ['delay:' . self::DELAY],
      '7' => ['fail'],
      '9' => ['suspend'],
    ]);
    $workers = new TestQueueWorkerManager();
    $workers->addWorker($worker, ['cron' => ['time' => 60]]);
    $site = self::site(NULL, $workers);
    $runner = new DrushQueueRunner($workers, $site->get('queue'));

    $queue = $site->get('queue')->get($name);
    $keys = array_map('strval', range(0, 11));
    foreach ($keys as $key) {
      $this->assertNotEmpty($queue->createItem(['key' => $key]));
    }
    $this->assertSame(12, $queue->numberOfItems());

    $runs = $suspensions = 0;
    $this->waitUntil(function () use ($runner, $name, $worker, &$runs, &$suspensions) {
      $runs++;
      try {
        $runner->run($name, ['lease-time' => self::LEASE]);
      }
      catch (\Exception $e) {
        $this->assertSame('The remote service of 9 is down.', $e->getMessage());
        $suspensions++;
      }
      return count($worker->processed) === 12;
    }, 60, 'every item processed by repeated "drush queue:run"');

    // Every item processed successfully, exactly once.
    $processed = $worker->processed;
    sort($processed, SORT_NUMERIC);
    $this->assertSame($keys, $processed);
    $this->assertSame(1, $suspensions, 'The suspending run failed, as Drush fails it');

    // Each scripted item was attempted twice, the others once.
    foreach ($keys as $key) {
      $this->assertCount(in_array($key, ['3', '5', '7', '9'], TRUE) ? 2 : 1, $worker->attempts[$key], "attempts of item $key");
    }
    // The delayed item waited its delay; the failed one its lease.
    $this->assertGreaterThanOrEqual(self::DELAY - 0.05, $worker->attempts['5'][1] - $worker->attempts['5'][0], 'delayItem() kept the item for its delay');
    $this->assertGreaterThanOrEqual(self::LEASE - 0.05, $worker->attempts['7'][1] - $worker->attempts['7'][0], 'A failed item stays claimed until its lease expires');

    $this->assertSame(0, $queue->numberOfItems());
    $this->assertGreaterThanOrEqual(2, $runs);
    $errors = array_filter($runner->log, fn($line) => $line[0] === 'error');
    $this->assertSame(['Worker failed on 7'], array_values(array_map(fn($line) => $line[1], $errors)));
    foreach ($runner->log as [$level, $message]) {
      if ($level === 'info') {
        $this->assertMatchesRegularExpression('/^Processing item \S+ from run_[0-9a-f]+ queue\.$/', $message, 'Drush logs the item_id');
      }
    }

    // A run on the drained queue ends at once and processes nothing.
    $start = microtime(TRUE);
    $this->assertSame(0, $runner->run($name, ['lease-time' => self::LEASE]));
    $this->assertLessThan(5, microtime(TRUE) - $start, 'A drained queue does not keep drush queue:run waiting');
  }

  /**
   * Tests --items-limit and a worker's cron time as the default lease.
   */
  public function testItemsLimitAndNewProcessSeesTheRest(): void {
    $name = self::queueName('limit');
    self::provisionTopics([$name], 2);
    $worker = new ScriptedWorker($name);
    $workers = new TestQueueWorkerManager();
    $workers->addWorker($worker, ['cron' => ['time' => 5]]);
    $site = self::site(NULL, $workers);
    $queue = $site->get('queue')->get($name);
    foreach (range(0, 5) as $key) {
      $queue->createItem(['key' => $key]);
    }
    $runner = new DrushQueueRunner($workers, $site->get('queue'));
    $this->assertSame(4, $runner->run($name, ['items-limit' => 4]));
    $this->assertSame(2, $queue->numberOfItems());

    // Another site process (another container, as another drush run) sees the
    // remaining two only: deletions are durable and shared.
    $other = self::site(NULL, $workers);
    $otherRunner = new DrushQueueRunner($workers, $other->get('queue'));
    $this->assertSame(2, $otherRunner->run($name));
    $this->assertCount(6, array_unique($worker->processed));
    $this->assertSame(0, $other->get('queue')->get($name)->numberOfItems());
  }

}
