<?php

declare(strict_types=1);

namespace KafkaQueueChaos;

/**
 * The 3-node cluster of kafka.sh.
 */
final class Cluster {

  public const BOOTSTRAP = '127.0.0.1:19192,127.0.0.1:19292,127.0.0.1:19392';

  public static function start(): void {
    [$code, $out] = Kafka::sh(['cluster-start', '3']);
    if ($code !== 0) {
      throw new \RuntimeException("cluster-start failed:\n$out");
    }
  }

  public static function stop(): void {
    Kafka::sh(['cluster-stop']);
  }

  public static function kill(int $node): void {
    [$code, $out] = Kafka::sh(['node-kill', (string) $node]);
    if ($code !== 0) {
      throw new \RuntimeException("node-kill $node failed:\n$out");
    }
  }

  public static function startNode(int $node): void {
    [$code, $out] = Kafka::sh(['node-start', (string) $node]);
    if ($code !== 0) {
      throw new \RuntimeException("node-start $node failed:\n$out");
    }
  }

  /**
   * partition => leader node id.
   */
  public static function leaders(string $topic): array {
    [$code, $out] = Kafka::admin(static::BOOTSTRAP, 'leaders', $topic);
    if ($code !== 0) {
      throw new \RuntimeException("leaders of $topic: $out");
    }
    $leaders = [];
    foreach (explode("\n", trim($out)) as $line) {
      if (preg_match('/^(\d+) (-?\d+) (\d+) (\d+)$/', $line, $m)) {
        $leaders[(int) $m[1]] = (int) $m[2];
      }
    }
    return $leaders;
  }

  public static function inSync(string $topic, int $seconds): bool {
    [$code] = Kafka::admin(static::BOOTSTRAP, 'in-sync', $topic, (string) $seconds);
    return $code === 0;
  }

}
