<?php

declare(strict_types=1);

namespace KafkaQueueChaos;

/**
 * Where things are, and how the scenarios are tuned (CHAOS_CI=1: the reduced form).
 */
final class Env {

  public static function root(): string {
    return dirname(__DIR__, 2);
  }

  public static function ci(): bool {
    return getenv('CHAOS_CI') === '1';
  }

  /**
   * A figure of the full run, or of the reduced one.
   */
  public static function pick($full, $ci) {
    return static::ci() ? $ci : $full;
  }

  public static function extension(): string {
    return getenv('KAFKA_QUEUE_EXTENSION') ?: static::root() . '/target/release/libkafka_queue.so';
  }

  /**
   * A fresh directory for one scenario's logs (under CHAOS_OUT, else the temp dir).
   */
  public static function workDir(string $scenario): string {
    $base = getenv('CHAOS_OUT') ?: sys_get_temp_dir() . '/kafka_queue_chaos';
    $dir = sprintf('%s/%s-%s-%s', $base, $scenario, date('Ymd-His'), bin2hex(random_bytes(2)));
    if (!is_dir($dir) && !mkdir($dir, 0777, TRUE)) {
      throw new \RuntimeException("cannot create $dir");
    }
    return $dir;
  }

  public static function uniqueName(string $prefix): string {
    return 'chaos_' . $prefix . '_' . bin2hex(random_bytes(4));
  }

  public static function say(string $message): void {
    fprintf(STDERR, "  [%s] %s\n", date('H:i:s'), $message);
  }

}
