<?php

declare(strict_types=1);

namespace KafkaQueue\Tests;

use PHPUnit\Framework\TestCase;

/**
 * Helpers shared by the tests: names, provisioning, waiting, child PHP processes.
 */
abstract class KafkaTestCase extends TestCase {

  protected static function brokers(): string {
    return getenv('KAFKA_QUEUE_TEST_BROKERS') ?: '127.0.0.1:19092';
  }

  /**
   * A fresh queue name, unique across runs.
   */
  protected static function uniqueName(string $prefix = 'test'): string {
    return $prefix . '_' . bin2hex(random_bytes(5));
  }

  /**
   * Creates the topic of a queue, as the deploy-time provisioning does.
   */
  protected static function provision(string $name, int $partitions = 2): void {
    $rows = (new \KafkaQueueAdmin(['bootstrap.servers' => static::brokers()]))->provision([$name], $partitions, 1);
    self::assertContains($rows[0]['action'], ['created', 'exists']);
  }

  /**
   * A queue on the test broker; each test gets its own site (consumer group) by default.
   */
  protected function queue(string $name, array $config = []): \KafkaQueue {
    return new \KafkaQueue($name, $config + [
      'bootstrap.servers' => static::brokers(),
      'group.id' => $this->site(),
      'claim_wait_ms' => 3000,
    ]);
  }

  private ?string $site = NULL;

  protected function site(): string {
    return $this->site ??= 'site_' . bin2hex(random_bytes(5));
  }

  /**
   * Calls $probe until it returns something other than NULL/FALSE, or fails at the deadline.
   */
  protected static function waitFor(callable $probe, float $seconds, string $what) {
    $deadline = microtime(TRUE) + $seconds;
    do {
      $result = $probe();
      if ($result !== NULL && $result !== FALSE) {
        return $result;
      }
      usleep(20000);
    } while (microtime(TRUE) < $deadline);
    self::fail("Timed out after {$seconds}s waiting for: $what");
  }

  /**
   * The command that runs a helper script in a child PHP with the extension loaded.
   *
   * The child is stopped after $limit seconds (coreutils' timeout, which runs it as its own
   * child: a test that kills the child uses killChild()).
   */
  protected static function phpCommand(string $script, array $args = [], float $limit = 120): array {
    $command = ['timeout', '-k', '5', (string) $limit, PHP_BINARY];
    $extension = getenv('KAFKA_QUEUE_EXTENSION');
    if ($extension) {
      array_push($command, '-d', "extension=$extension");
    }
    $command[] = __DIR__ . '/../bin/' . $script;
    foreach ($args as $key => $value) {
      $command[] = "--$key=$value";
    }
    return $command;
  }

  /**
   * Kills the PHP process of a child started with phpCommand() at once (SIGKILL), as a crash
   * would; its time-limit wrapper then ends too.
   */
  protected static function killChild($process): void {
    $wrapper = proc_get_status($process)['pid'];
    $children = @file_get_contents("/proc/$wrapper/task/$wrapper/children");
    foreach (array_filter(explode(' ', (string) $children)) as $pid) {
      posix_kill((int) $pid, SIGKILL);
    }
    proc_close($process);
  }

  /**
   * Runs a helper script to its end, at most $timeout seconds; returns [exit code, stdout,
   * stderr] (exit code 124 when the time ran out).
   */
  protected static function runPhp(string $script, array $args = [], float $timeout = 60): array {
    $process = proc_open(static::phpCommand($script, $args, $timeout), [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $stdout = stream_get_contents($pipes[1]);
    $stderr = stream_get_contents($pipes[2]);
    $code = proc_close($process);
    return [$code, $stdout, $stderr];
  }

  /**
   * Claims until the queue says it is drained; returns the items.
   */
  protected static function drain(\KafkaQueue $queue, bool $delete = TRUE): array {
    $items = [];
    while ($item = $queue->claimItem()) {
      $items[] = $item;
      if ($delete) {
        $queue->deleteItem($item);
      }
    }
    return $items;
  }

}
