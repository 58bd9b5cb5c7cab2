<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue\Kernel;

use Drupal\KernelTests\KernelTestBase;
use Drupal\kafka_queue\Queue\KafkaQueue;
use Drupal\Tests\kafka_queue\Traits\KafkaTestTrait;

/**
 * Core's cron runs the test module's QueueWorkers on Kafka.
 *
 * Drupal's own cron service and QueueWorker manager, in one process: each
 * exception class a worker can throw, and what becomes of the item.
 *
 * @group kafka_queue
 */
class CronTest extends KernelTestBase {

  use KafkaTestTrait;

  /**
   * The test workers.
   */
  private const WORKERS = [
    'kafka_queue_test_delay',
    'kafka_queue_test_fail',
    'kafka_queue_test_ok',
    'kafka_queue_test_requeue',
    'kafka_queue_test_suspend',
  ];

  /**
   * {@inheritdoc}
   */
  protected static $modules = ['system', 'kafka_queue', 'kafka_queue_test'];

  /**
   * The workers' attempt log.
   */
  private string $log;

  /**
   * {@inheritdoc}
   */
  protected function setUp(): void {
    parent::setUp();
    $this->setUpKafka();
    $this->setSetting('queue_default', 'queue.kafka');
    $this->log = $this->siteDirectory . '/attempts.jsonl';
    $this->setSetting('kafka_queue_test_log', $this->log);
    $this->provisionTopics(self::WORKERS);
  }

  /**
   * Every outcome in one cron run, then what the next run finds.
   */
  public function testCronOutcomes(): void {
    foreach (self::WORKERS as $name) {
      $this->assertInstanceOf(KafkaQueue::class, \Drupal::queue($name));
    }
    \Drupal::queue('kafka_queue_test_ok')->createItem(['id' => 'ok1']);
    \Drupal::queue('kafka_queue_test_ok')->createItem(['id' => 'ok2']);
    \Drupal::queue('kafka_queue_test_requeue')->createItem(['id' => 'rq', 'fail' => 1]);
    \Drupal::queue('kafka_queue_test_suspend')->createItem(['id' => 's1', 'fail' => 5]);
    \Drupal::queue('kafka_queue_test_suspend')->createItem(['id' => 's2', 'fail' => 5]);
    \Drupal::queue('kafka_queue_test_delay')->createItem(['id' => 'd', 'fail' => 1, 'delay' => 60]);
    \Drupal::queue('kafka_queue_test_fail')->createItem(['id' => 'f', 'fail' => 1]);

    $this->assertTrue(\Drupal::service('cron')->run());

    // Succeeded: deleted.
    $this->assertSame(['ok1' => 1, 'ok2' => 1], $this->attempts('kafka_queue_test_ok'));
    $this->assertSame(0, \Drupal::queue('kafka_queue_test_ok')->numberOfItems());
    // RequeueException: claimed again at once, then it succeeded.
    $this->assertSame(['rq' => 2], $this->attempts('kafka_queue_test_requeue'));
    $this->assertSame(0, \Drupal::queue('kafka_queue_test_requeue')->numberOfItems());
    // SuspendQueueException: released, and the queue stopped.
    $this->assertSame(1, array_sum($this->attempts('kafka_queue_test_suspend')));
    $this->assertSame(2, \Drupal::queue('kafka_queue_test_suspend')->numberOfItems());
    // DelayedRequeueException: not claimable during the delay.
    $this->assertSame(['d' => 1], $this->attempts('kafka_queue_test_delay'));
    $this->assertFalse(\Drupal::queue('kafka_queue_test_delay')->claimItem());
    $this->assertSame(1, \Drupal::queue('kafka_queue_test_delay')->numberOfItems());
    // Any other exception: left claimed (its lease is the cron time).
    $this->assertSame(['f' => 1], $this->attempts('kafka_queue_test_fail'));
    $this->assertFalse(\Drupal::queue('kafka_queue_test_fail')->claimItem());
    $this->assertSame(1, \Drupal::queue('kafka_queue_test_fail')->numberOfItems());

    // A second run in the same process: the suspended queue is tried again
    // (and suspends again); nothing else is claimable.
    $this->assertTrue(\Drupal::service('cron')->run());
    $this->assertSame(2, array_sum($this->attempts('kafka_queue_test_suspend')));
    $this->assertSame(2, \Drupal::queue('kafka_queue_test_suspend')->numberOfItems());
    $this->assertSame(['d' => 1], $this->attempts('kafka_queue_test_delay'));
    $this->assertSame(['f' => 1], $this->attempts('kafka_queue_test_fail'));
    $this->assertSame(['ok1' => 1, 'ok2' => 1], $this->attempts('kafka_queue_test_ok'));
  }

  /**
   * Attempts per item ID of one queue.
   */
  private function attempts(string $queue): array {
    $counts = [];
    foreach (is_file($this->log) ? file($this->log, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) : [] as $line) {
      $entry = json_decode($line, TRUE);
      if ($entry['queue'] === $queue) {
        $counts[$entry['id']] = ($counts[$entry['id']] ?? 0) + 1;
      }
    }
    ksort($counts);
    return $counts;
  }

}
