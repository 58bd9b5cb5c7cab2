<?php

declare(strict_types=1);

namespace KafkaQueue\Tests;

/**
 * What crosses process boundaries: durable deletions, dead workers, several workers at once,
 * the end of a script, and fork().
 */
final class ProcessesTest extends KafkaTestCase {

  private string $name;

  protected function setUp(): void {
    $this->name = static::uniqueName('proc');
  }

  private function fill(int $count, int $partitions = 2): \KafkaQueue {
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
   * Claims until $count items came back, waiting for a dead member's partitions to move.
   */
  private function claimAll(\KafkaQueue $queue, int $count, float $seconds): array {
    $items = [];
    $deadline = microtime(TRUE) + $seconds;
    while (count($items) < $count && microtime(TRUE) < $deadline) {
      if ($item = $queue->claimItem()) {
        $items[] = $item;
      }
    }
    return $items;
  }

  public function testDeletionsOutliveTheProcess(): void {
    $this->fill(10);
    [$code, $out] = static::runPhp('hold.php', $this->args(['then' => 'exit', 'lease' => 1]));
    $this->assertSame(0, $code);
    $this->assertSame("ready 10\n", $out);
    $queue = $this->queue($this->name);
    $this->assertSame(5, $queue->numberOfItems());
    // The unfinished claims come back once their one-second leases end.
    $data = array_map(fn($item) => $item->data, $this->claimAll($queue, 5, 15));
    sort($data);
    $this->assertSame([1, 3, 5, 7, 9], $data, 'deleted items never come back; unfinished claims do');
    $this->assertFalse($queue->claimItem());
  }

  public function testDeletionsSurviveSigkillAndTheDeadWorkersClaimsComeBack(): void {
    $this->fill(10);
    $child = proc_open(static::phpCommand('hold.php', $this->args(['then' => 'wait'])), [1 => ['pipe', 'w']], $pipes);
    $this->assertSame("ready 10\n", fgets($pipes[1]));
    static::killChild($child);

    $queue = $this->queue($this->name);
    $items = $this->claimAll($queue, 5, 30);
    $data = array_map(fn($item) => $item->data, $items);
    sort($data);
    $this->assertSame([1, 3, 5, 7, 9], $data);
    $this->assertFalse($queue->claimItem(), 'the deleted ones never come back, not even after a crash');
  }

  public function testFourWorkersDrainTwentyThousandItemsExactlyOnce(): void {
    $total = 20000;
    $this->fill($total, 8);
    $dir = sys_get_temp_dir() . '/' . $this->name;
    mkdir($dir);
    $workers = [];
    for ($w = 0; $w < 4; $w++) {
      // Each item takes a millisecond of "work", so that the drain outlasts the group's
      // hand-over of partitions to the later members. The claim wait is drush's default
      // (2 s): a worker that joins a busy queue waits for its partitions all the same.
      $workers[] = proc_open(static::phpCommand('worker.php', $this->args(['out' => "$dir/$w", 'pause-ms' => 1])), [], $pipes);
    }
    foreach ($workers as $worker) {
      $this->assertSame(0, proc_close($worker));
    }
    [$seen, $duplicates, $perWorker] = $this->collect($dir);
    $this->assertSame(0, $duplicates, 'no item was handed to two live workers');
    $this->assertSame(range(0, $total - 1), $seen, 'none missing');
    $this->assertSame(0, $this->queue($this->name)->numberOfItems());
    $this->assertCount(4, array_filter($perWorker), 'every worker got a share of the items');
    fwrite(STDERR, sprintf("\n  [4 workers drained %d items: %s per worker]\n", $total, implode('/', $perWorker)));
  }

  public function testAWorkerKilledMidDrainLosesNothing(): void {
    $total = 3000;
    $this->fill($total, 4);
    $dir = sys_get_temp_dir() . '/' . $this->name;
    mkdir($dir);
    $victim = proc_open(static::phpCommand('worker.php', $this->args(['out' => "$dir/victim", 'pause-ms' => 2, 'claim-wait-ms' => 10000])), [], $pipes);
    static::waitFor(fn() => is_file("$dir/victim") && count(file("$dir/victim")) >= 200, 30, 'the victim to process 200 items');
    $other = proc_open(static::phpCommand('worker.php', $this->args(['out' => "$dir/other", 'pause-ms' => 1, 'claim-wait-ms' => 10000])), [], $pipes);
    static::killChild($victim);
    $this->assertSame(0, proc_close($other));

    // Restart workers, as the next cron run or drush queue:run would, until the dead worker's
    // partitions have moved (its session times out) and everything is processed.
    $deadline = microtime(TRUE) + 60;
    $round = 0;
    do {
      $this->assertSame(0, proc_close(proc_open(static::phpCommand('worker.php', $this->args(['out' => "$dir/restart" . $round++, 'claim-wait-ms' => 10000])), [], $pipes)));
      [$seen, $duplicates] = $this->collect($dir, FALSE);
    } while (count($seen) < $total && microtime(TRUE) < $deadline);

    [$seen, $duplicates] = $this->collect($dir);
    $this->assertSame(range(0, $total - 1), $seen, 'nothing lost');
    $this->assertLessThanOrEqual(1, $duplicates, 'only the item in flight when the worker died may come twice');
    $this->assertSame(0, $this->queue($this->name)->numberOfItems());
  }

  /**
   * Reads the workers' output files: [sorted unique items, duplicates, lines per file].
   */
  private function collect(string $dir, bool $remove = TRUE): array {
    $seen = [];
    $duplicates = 0;
    $perWorker = [];
    foreach (glob("$dir/*") as $file) {
      $lines = file($file, FILE_IGNORE_NEW_LINES);
      $perWorker[] = count($lines);
      foreach ($lines as $line) {
        isset($seen[(int) $line]) ? $duplicates++ : $seen[(int) $line] = TRUE;
      }
      if ($remove) {
        unlink($file);
      }
    }
    if ($remove) {
      rmdir($dir);
    }
    $seen = array_keys($seen);
    sort($seen);
    return [$seen, $duplicates, $perWorker];
  }

  public static function endings(): array {
    return [
      'normal end' => ['return', 0],
      'exit()' => ['exit', 0],
      'fatal error' => ['fatal', 255],
    ];
  }

  /**
   * @dataProvider endings
   */
  #[\PHPUnit\Framework\Attributes\DataProvider('endings')]
  public function testFastModeItemsReachKafkaHoweverTheScriptEnds(string $end, int $code): void {
    static::provision($this->name);
    [$exit, $out, $err] = static::runPhp('enqueue.php', ['brokers' => static::brokers(), 'queue' => $this->name, 'count' => 5000, 'delivery' => 'fast', 'end' => $end]);
    $this->assertSame($code, $exit, $err);
    $this->assertSame("created 5000\n", $out);
    $this->assertSame(5000, $this->queue($this->name)->numberOfItems());
  }

  public function testUndeliverableFastItemsAreReportedNotDroppedSilently(): void {
    [$exit, , $err] = static::runPhp('enqueue.php', ['brokers' => '127.0.0.1:1', 'queue' => $this->name, 'count' => 3, 'delivery' => 'fast']);
    $this->assertNotSame(0, $exit, 'createItem cannot even find the topic without brokers');
    $this->assertStringContainsString('KafkaQueueException', $err);
  }

  public function testAForkedChildGetsClientsOfItsOwn(): void {
    static::provision($this->name);
    $queue = $this->queue($this->name);
    $queue->createItem('parent before fork');
    $pid = pcntl_fork();
    $this->assertNotSame(-1, $pid);
    if ($pid === 0) {
      // The child must not touch the parent's librdkafka threads: its createItem works only
      // if it made its own producer.
      try {
        $child = $this->queue($this->name);
        $child->createItem('child');
        $status = $child->numberOfItems() === 2 ? 0 : 3;
      }
      catch (\Throwable $e) {
        $status = 4;
      }
      exit($status);
    }
    // The child gets 30 s: a child that hangs (a lock inherited from a thread of the parent)
    // is killed and fails the test instead of hanging the suite.
    $deadline = microtime(TRUE) + 30;
    while (($done = pcntl_waitpid($pid, $status, WNOHANG)) === 0 && microtime(TRUE) < $deadline) {
      usleep(20000);
    }
    if ($done === 0) {
      // Which threads the child still has, and where each waits, for whoever reads the failure.
      $threads = [];
      foreach (glob("/proc/$pid/task/*") as $task) {
        $threads[] = trim((string) @file_get_contents("$task/comm")) . ' in ' . (@file_get_contents("$task/wchan") ?: '?');
      }
      posix_kill($pid, SIGKILL);
      pcntl_waitpid($pid, $status);
      $this->fail('the forked child did not end within 30 s; its threads: ' . implode(', ', $threads));
    }
    $this->assertTrue(pcntl_wifexited($status));
    $this->assertSame(0, pcntl_wexitstatus($status), 'the child created and counted its item');
    $queue->createItem('parent after fork');
    $this->assertSame(3, $queue->numberOfItems(), 'the parent still works and the child wrote its item');
  }

}
