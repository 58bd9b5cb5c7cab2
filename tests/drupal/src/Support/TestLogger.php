<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue\Support;

use Psr\Log\LoggerInterface;

/**
 * A logger channel that keeps its records.
 */
final class TestLogger implements LoggerInterface {

  /**
   * Records: level, message (placeholders replaced), raw message, context.
   *
   * @var array[]
   */
  public array $records = [];

  /**
   * Constructs a logger for a channel.
   */
  public function __construct(public readonly string $channel = 'test') {}

  /**
   * The formatted messages, optionally of one level.
   *
   * @return string[]
   *   Messages with their placeholders replaced.
   */
  public function messages(?string $level = NULL): array {
    $messages = [];
    foreach ($this->records as $record) {
      if ($level === NULL || $record['level'] === $level) {
        $messages[] = $record['message'];
      }
    }
    return $messages;
  }

  /**
   * {@inheritdoc}
   */
  public function log($level, string|\Stringable $message, array $context = []): void {
    $replacements = [];
    foreach ($context as $key => $value) {
      if (is_string($key) && is_scalar($value)) {
        $replacements[$key] = (string) $value;
      }
    }
    $this->records[] = [
      'level' => $level,
      'message' => strtr((string) $message, $replacements),
      'raw' => (string) $message,
      'context' => $context,
    ];
  }

  /**
   * {@inheritdoc}
   */
  public function emergency(string|\Stringable $message, array $context = []): void {
    $this->log('emergency', $message, $context);
  }

  /**
   * {@inheritdoc}
   */
  public function alert(string|\Stringable $message, array $context = []): void {
    $this->log('alert', $message, $context);
  }

  /**
   * {@inheritdoc}
   */
  public function critical(string|\Stringable $message, array $context = []): void {
    $this->log('critical', $message, $context);
  }

  /**
   * {@inheritdoc}
   */
  public function error(string|\Stringable $message, array $context = []): void {
    $this->log('error', $message, $context);
  }

  /**
   * {@inheritdoc}
   */
  public function warning(string|\Stringable $message, array $context = []): void {
    $this->log('warning', $message, $context);
  }

  /**
   * {@inheritdoc}
   */
  public function notice(string|\Stringable $message, array $context = []): void {
    $this->log('notice', $message, $context);
  }

  /**
   * {@inheritdoc}
   */
  public function info(string|\Stringable $message, array $context = []): void {
    $this->log('info', $message, $context);
  }

  /**
   * {@inheritdoc}
   */
  public function debug(string|\Stringable $message, array $context = []): void {
    $this->log('debug', $message, $context);
  }

}
