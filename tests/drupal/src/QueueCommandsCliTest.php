<?php

declare(strict_types=1);

namespace KafkaQueue\DrupalCli;

use PHPUnit\Framework\TestCase;

/**
 * Cron and Drush's queue commands on a real site, on Kafka and on the database.
 *
 * Every scenario runs once with queue_default = queue.kafka and once on
 * Drupal's database queue, with the same assertions: which items were
 * processed, which are left, and when they could be claimed again. The
 * workers are the test module's (kafka_queue_test); each records every
 * attempt in a file, with the time.
 */
class QueueCommandsCliTest extends TestCase {

  /**
   * The cron time of the test workers, which cron uses as the lease.
   */
  private const LEASE = 10;

  /**
   * The site.
   */
  private static DrupalSite $site;

  /**
   * Settings file per backend.
   *
   * @var string[]
   */
  private static array $settings = [];

  /**
   * Attempt log per backend.
   *
   * @var string[]
   */
  private static array $logs = [];

  /**
   * {@inheritdoc}
   */
  public static function setUpBeforeClass(): void {
    parent::setUpBeforeClass();
    self::$site = DrupalSite::get();
    $id = bin2hex(random_bytes(4));
    foreach (['kafka', 'database'] as $backend) {
      self::$logs[$backend] = self::$site->dir . "/attempts-$id-$backend.jsonl";
      $settings = [
        'kafka_queue' => [
          'bootstrap.servers' => DrupalSite::brokers(),
          'group.id' => "kqcli-$id",
          'topic_prefix' => "kqcli.$id.",
          'timeout_ms' => 10000,
          'provision' => ['web_servers' => 1, 'replication_factor' => 1],
        ],
        'kafka_queue_test_log' => self::$logs[$backend],
      ];
      if ($backend === 'kafka') {
        $settings['queue_default'] = 'queue.kafka';
      }
      self::$settings[$backend] = self::$site->settingsFile("queues-$id-$backend", $settings);
    }
    // Deploy time: the topics of every QueueWorker, with the settings'
    // defaults (one web server, replication factor 1).
    self::$site->drush('kafka-queue:provision', self::$settings['kafka'])->assertOk('provision');
  }

  /**
   * The two backends.
   */
  public static function backends(): array {
    return ['Kafka' => ['kafka'], 'database' => ['database']];
  }

  /**
   * Cron processes every item of a worker that succeeds.
   *
   * @dataProvider backends
   */
  public function testCronProcessesEveryItem(string $backend): void {
    $this->enqueue($backend, 'kafka_queue_test_ok', [['id' => 'a'], ['id' => 'b'], ['id' => 'c']]);
    $this->assertSame(3, $this->items($backend, 'kafka_queue_test_ok'));
    $this->drush('cron', $backend)->assertOk();
    $this->assertSame(['a' => 1, 'b' => 1, 'c' => 1], $this->attemptCounts($backend, 'kafka_queue_test_ok'));
    $this->assertSame(0, $this->items($backend, 'kafka_queue_test_ok'));
    // Deleted items are never delivered again.
    $this->drush('cron', $backend)->assertOk();
    $this->assertSame(['a' => 1, 'b' => 1, 'c' => 1], $this->attemptCounts($backend, 'kafka_queue_test_ok'));
  }

  /**
   * Drush queue:run with and without its limits.
   *
   * @dataProvider backends
   */
  public function testQueueRun(string $backend): void {
    $queue = 'kafka_queue_test_ok';
    $ids = ['r1', 'r2', 'r3', 'r4', 'r5'];
    $this->enqueue($backend, $queue, array_map(static fn($id) => ['id' => $id], $ids));
    $before = array_sum($this->attemptCounts($backend, $queue));

    $run = $this->drush("queue:run $queue --items-limit=2", $backend)->assertOk();
    $this->assertStringContainsString("Processed 2 items from the $queue queue", $run->stderr, $run->describe('queue:run'));
    $this->assertSame($before + 2, array_sum($this->attemptCounts($backend, $queue)));
    $this->assertSame(3, $this->items($backend, $queue));

    $run = $this->drush("queue:run $queue --time-limit=60 --lease-time=30", $backend)->assertOk();
    $this->assertStringContainsString("Processed 3 items from the $queue queue", $run->stderr, $run->describe('queue:run'));
    $counts = $this->attemptCounts($backend, $queue);
    foreach ($ids as $id) {
      $this->assertSame(1, $counts[$id] ?? 0, "item $id processed once");
    }
    $this->assertSame(0, $this->items($backend, $queue));
  }

  /**
   * RequeueException: the item is claimable again at once, in the same run.
   *
   * @dataProvider backends
   */
  public function testRequeueException(string $backend): void {
    $queue = 'kafka_queue_test_requeue';
    $this->enqueue($backend, $queue, [['id' => 'q1', 'fail' => 1]]);
    $this->drush('cron', $backend)->assertOk();
    $attempts = $this->attempts($backend, $queue);
    $this->assertCount(2, $attempts, 'requeued, then processed in the same cron run');
    $this->assertSame($attempts[0]['pid'], $attempts[1]['pid'], 'both attempts in the same process');
    $this->assertSame(0, $this->items($backend, $queue));
  }

  /**
   * SuspendQueueException: released, and the queue stops for this run.
   *
   * Then queue:run fails with the worker's message, queue:delete empties the
   * queue for good, and the queue takes new items at once.
   *
   * @dataProvider backends
   */
  public function testSuspendQueueExceptionAndQueueDelete(string $backend): void {
    $queue = 'kafka_queue_test_suspend';
    // Each fails twice: whichever item cron or queue:run claims, it suspends.
    $this->enqueue($backend, $queue, [['id' => 's1', 'fail' => 2], ['id' => 's2', 'fail' => 2]]);
    $this->drush('cron', $backend)->assertOk();
    $this->assertCount(1, $this->attempts($backend, $queue), 'the queue stopped after the first suspension');
    $this->assertSame(2, $this->items($backend, $queue), 'the suspending item was released');

    $this->drush("queue:run $queue", $backend)->assertFailsWith('Suspended at item');
    $this->assertCount(2, $this->attempts($backend, $queue));
    $this->assertSame(2, $this->items($backend, $queue));

    $delete = $this->drush("queue:delete $queue", $backend)->assertOk();
    $this->assertStringContainsString("All items in $queue queue deleted", $delete->stderr, $delete->describe('queue:delete'));
    $this->assertSame(0, $this->items($backend, $queue));
    $this->drush('cron', $backend)->assertOk();
    $this->assertCount(2, $this->attempts($backend, $queue), 'deleted items are never delivered again');

    $this->enqueue($backend, $queue, [['id' => 's3']]);
    $this->assertSame(1, $this->items($backend, $queue));
    $this->drush('cron', $backend)->assertOk();
    $this->assertCount(3, $this->attempts($backend, $queue));
    $this->assertSame(1, $this->attemptCounts($backend, $queue)['s3'] ?? 0, 'the new item was processed');
    $this->assertSame(0, $this->items($backend, $queue));
  }

  /**
   * DelayedRequeueException: not claimable until the delay has passed.
   *
   * @dataProvider backends
   */
  public function testDelayedRequeueException(string $backend): void {
    $queue = 'kafka_queue_test_delay';
    $delay = 5;
    $this->enqueue($backend, $queue, [['id' => 'd1', 'fail' => 1, 'delay' => $delay]]);
    $this->drush('cron', $backend)->assertOk();
    [$first] = $this->attempts($backend, $queue);
    $this->assertSame(1, $this->items($backend, $queue));
    $this->assertNotClaimedBefore($backend, $queue, $first, $delay, 'the delayed item');
  }

  /**
   * A plain exception leaves the item claimed until its lease ends (database).
   */
  public function testPlainExceptionKeepsTheLeaseOnTheDatabase(): void {
    $this->plainExceptionScenario('database');
  }

  /**
   * A plain exception leaves the item claimed until its lease ends (Kafka).
   *
   * The lease outlives the cron process that claimed the item, as on the
   * database: the next cron process must not get the item back early.
   */
  public function testPlainExceptionKeepsTheLeaseOnKafka(): void {
    $this->plainExceptionScenario('kafka');
  }

  /**
   * A worker throws a plain exception during cron; the item stays claimed.
   */
  private function plainExceptionScenario(string $backend): void {
    $queue = 'kafka_queue_test_fail';
    $this->enqueue($backend, $queue, [['id' => 'f1', 'fail' => 1]]);
    $cron = $this->drush('cron', $backend)->assertOk();
    $this->assertStringContainsString('Failed at item f1, attempt 1.', $cron->stdout . $cron->stderr, $cron->describe('the exception is logged'));
    [$first] = $this->attempts($backend, $queue);
    $this->assertSame(1, $this->items($backend, $queue), 'a claimed item still counts');
    $this->assertNotClaimedBefore($backend, $queue, $first, self::LEASE, 'the item whose worker failed');
  }

  /**
   * Asserts an item is claimed again only after some seconds, then processed.
   *
   * Runs cron at once: the item must not be processed again before the
   * seconds have passed since its first attempt's process started. Then runs
   * cron once they have passed since the first attempt itself (plus a second:
   * the database queue keeps whole seconds): the item must be processed, and
   * succeed.
   */
  private function assertNotClaimedBefore(string $backend, string $queue, array $first, int $seconds, string $what): void {
    $until = $first['request_time'] + $seconds;
    $this->drush('cron', $backend)->assertOk();
    foreach (array_slice($this->attempts($backend, $queue), 1) as $attempt) {
      $this->assertGreaterThanOrEqual($until, $attempt['time'], sprintf('%s was claimed again %.1f s before its time.', $what, $until - $attempt['time']));
    }
    $ready = $first['time'] + $seconds + 1;
    while (microtime(TRUE) < $ready) {
      usleep(100000);
    }
    $this->drush('cron', $backend)->assertOk();
    $attempts = $this->attempts($backend, $queue);
    $this->assertCount(2, $attempts, "$what was processed again once its time had passed");
    $this->assertGreaterThanOrEqual($until, $attempts[1]['time']);
    $this->assertSame(0, $this->items($backend, $queue));
  }

  /**
   * Creates items through \Drupal::queue(), checking the backend's class.
   */
  private function enqueue(string $backend, string $queue, array $items): void {
    $code = sprintf('$q = \Drupal::queue(%s); foreach (%s as $d) { $q->createItem($d); } echo get_class($q);', var_export($queue, TRUE), var_export($items, TRUE));
    $result = self::$site->php($code, self::$settings[$backend])->assertOk('enqueue');
    $this->assertSame($this->queueClass($backend), trim($result->stdout));
  }

  /**
   * The number of items of a queue, from drush queue:list.
   */
  private function items(string $backend, string $queue): int {
    foreach ($this->drush('queue:list --format=json', $backend)->json() as $row) {
      if ($row['queue'] === $queue) {
        $this->assertSame($this->queueClass($backend), $row['class']);
        return $row['items'];
      }
    }
    $this->fail("queue:list does not list $queue");
  }

  /**
   * The queue class of a backend.
   */
  private function queueClass(string $backend): string {
    return $backend === 'kafka' ? 'Drupal\kafka_queue\Queue\KafkaQueue' : 'Drupal\Core\Queue\DatabaseQueue';
  }

  /**
   * The attempts the workers of a queue recorded, in order.
   */
  private function attempts(string $backend, string $queue): array {
    $attempts = [];
    $path = self::$logs[$backend];
    foreach (is_file($path) ? file($path, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) : [] as $line) {
      $entry = json_decode($line, TRUE);
      if ($entry['queue'] === $queue) {
        $attempts[] = $entry;
      }
    }
    return $attempts;
  }

  /**
   * Attempts per item ID.
   */
  private function attemptCounts(string $backend, string $queue): array {
    $counts = [];
    foreach ($this->attempts($backend, $queue) as $attempt) {
      $counts[$attempt['id']] = ($counts[$attempt['id']] ?? 0) + 1;
    }
    ksort($counts);
    return $counts;
  }

  /**
   * Runs drush with a backend's settings.
   */
  private function drush(string $command, string $backend): Result {
    return self::$site->drush($command, self::$settings[$backend]);
  }

}
