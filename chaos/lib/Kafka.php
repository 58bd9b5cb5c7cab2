<?php

declare(strict_types=1);

namespace KafkaQueueChaos;

/**
 * Kafka from the outside: kafka.sh (brokers), the ChaosAdmin helper (leaders, commits) and
 * provisioning through the extension's own KafkaQueueAdmin.
 */
final class Kafka {

  private static ?string $classes = NULL;

  /**
   * Runs scripts/kafka/kafka.sh; returns [exit code, output].
   */
  public static function sh(array $args, array $env = []): array {
    $command = array_merge([Env::root() . '/scripts/kafka/kafka.sh'], $args);
    return static::run($command, $env);
  }

  public static function run(array $command, array $env = []): array {
    // Starting a cluster is the slowest of these (about a minute on two cores).
    $command = array_merge(['timeout', '-k', '5', '300'], $command);
    $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes, NULL, $env + getenv());
    $output = stream_get_contents($pipes[1]);
    fclose($pipes[1]);
    return [proc_close($process), $output];
  }

  /**
   * Runs ChaosAdmin (compiled once per run); returns [exit code, output].
   */
  public static function admin(string $bootstrap, string ...$args): array {
    if (static::$classes === NULL) {
      $dir = sys_get_temp_dir() . '/kafka_queue_chaos/classes-' . getmypid();
      @mkdir($dir, 0777, TRUE);
      [$code, $out] = static::run(['javac', '-nowarn', '-d', $dir, '-cp', Env::root() . '/.kafka/libs/*', Env::root() . '/chaos/java/ChaosAdmin.java']);
      if ($code !== 0) {
        throw new \RuntimeException("javac ChaosAdmin failed: $out");
      }
      static::$classes = $dir;
      register_shutdown_function(fn() => static::run(['rm', '-rf', $dir]));
    }
    return static::run(array_merge(['java', '-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1',
      '-Dlog4j2.configurationFile=' . Env::root() . '/scripts/kafka/log4j2.properties',
      '-Dkafka.logs.dir=' . sys_get_temp_dir() . '/kafka_queue_chaos', '-Dkafka.log.file=tools.log',
      '-cp', static::$classes . ':' . Env::root() . '/.kafka/libs/*', 'ChaosAdmin', $bootstrap], $args));
  }

  public static function provision(string $bootstrap, string $queue, int $partitions, int $rf): string {
    $admin = new \KafkaQueueAdmin(['bootstrap.servers' => $bootstrap, 'timeout_ms' => 20000]);
    $rows = $admin->provision([$queue], $partitions, $rf);
    if (!in_array($rows[0]['action'], ['created', 'exists'], TRUE)) {
      throw new \RuntimeException("provisioning $queue: " . json_encode($rows));
    }
    return $rows[0]['topic'];
  }

  /**
   * Waits until the extension sees the topic with its partitions (metadata propagates).
   */
  public static function waitForTopic(string $bootstrap, string $queue, float $seconds = 30): void {
    $deadline = microtime(TRUE) + $seconds;
    while (TRUE) {
      try {
        (new \KafkaQueue($queue, ['bootstrap.servers' => $bootstrap]))->createQueue();
        return;
      }
      catch (\KafkaQueueException $e) {
        if (microtime(TRUE) > $deadline) {
          throw $e;
        }
        usleep(200000);
      }
    }
  }

}
