<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue;

use Drupal\Core\Site\Settings;
use Drupal\kafka_queue\NativeExtension;
use Drupal\Tests\kafka_queue\Support\TestContainer;
use Drupal\Tests\kafka_queue\Support\TestQueueWorkerManager;
use PHPUnit\Framework\TestCase;

/**
 * Base class of the tests that run against the real broker.
 *
 * Every test run gets its own topic prefix and consumer group, and every
 * queue a random name, so runs never see each other's items. Topics are
 * created only through \KafkaQueueAdmin::provision(), as on a site.
 */
abstract class KafkaTestCase extends TestCase {

  /**
   * The identifier of this test run.
   */
  private static ?string $runId = NULL;

  /**
   * {@inheritdoc}
   */
  protected function setUp(): void {
    parent::setUp();
    // Never skip: without the extension every test here fails, loudly.
    $this->assertTrue(NativeExtension::isLoaded(), 'The kafka_queue extension is not loaded. Run: php -d extension=target/release/libkafka_queue.so /usr/bin/phpunit -c tests/drupal/phpunit.xml');
  }

  /**
   * The brokers of the test cluster.
   */
  protected static function brokers(): string {
    $brokers = getenv('KAFKA_QUEUE_TEST_BROKERS');
    return is_string($brokers) && $brokers !== '' ? $brokers : '127.0.0.1:19092';
  }

  /**
   * The identifier of this run: 8 random hex digits.
   */
  protected static function runId(): string {
    return self::$runId ??= bin2hex(random_bytes(4));
  }

  /**
   * The topic prefix of this run.
   */
  protected static function topicPrefix(): string {
    return 'kqtest.' . self::runId() . '.';
  }

  /**
   * A random queue name, unique to this run.
   */
  protected static function queueName(string $hint = 'q'): string {
    return $hint . '_' . bin2hex(random_bytes(4));
  }

  /**
   * The module's settings array for the test cluster.
   *
   * @param array $overrides
   *   Keys that replace the defaults; a NULL value removes a key.
   */
  protected static function kafkaSettings(array $overrides = []): array {
    $settings = $overrides + [
      'bootstrap.servers' => self::brokers(),
      'group.id' => 'kqtest-' . self::runId(),
      'topic_prefix' => self::topicPrefix(),
      'timeout_ms' => 10000,
    ];
    return array_filter($settings, static fn($value) => $value !== NULL);
  }

  /**
   * Site settings: every queue on Kafka unless $extra says otherwise.
   */
  protected static function siteSettings(array $kafka = [], array $extra = []): Settings {
    return new Settings($extra + [
      'hash_salt' => 'kafka-queue-test-salt-' . self::runId(),
      'queue_default' => 'queue.kafka',
      'kafka_queue' => self::kafkaSettings($kafka),
    ]);
  }

  /**
   * A site's container with the module enabled.
   */
  protected static function site(?Settings $settings = NULL, ?TestQueueWorkerManager $workers = NULL): TestContainer {
    return TestContainer::forSite($settings ?? self::siteSettings(), $workers ?? new TestQueueWorkerManager());
  }

  /**
   * Creates topics for queues, as deploy-time provisioning does.
   *
   * @return array[]
   *   The rows of \KafkaQueueAdmin::provision().
   */
  protected static function provisionTopics(array $names, int $partitions = 2): array {
    $admin = new \KafkaQueueAdmin([
      'bootstrap.servers' => self::brokers(),
      'topic_prefix' => self::topicPrefix(),
      'timeout_ms' => 10000,
    ]);
    $rows = $admin->provision($names, $partitions, 1, FALSE);
    foreach ($rows as $row) {
      if (!in_array($row['action'], ['created', 'exists'], TRUE)) {
        throw new \RuntimeException(sprintf('Provisioning %s: %s', $row['topic'], $row['action']));
      }
    }
    return $rows;
  }

  /**
   * Waits for a condition, failing the test at the deadline.
   *
   * @param callable $condition
   *   Returns a truthy value once the condition holds.
   * @param float $seconds
   *   The deadline, from now.
   * @param string $what
   *   The condition, for the failure message.
   *
   * @return mixed
   *   The condition's truthy value.
   */
  protected function waitUntil(callable $condition, float $seconds, string $what): mixed {
    $deadline = microtime(TRUE) + $seconds;
    do {
      $value = $condition();
      if ($value) {
        return $value;
      }
      usleep(50000);
    } while (microtime(TRUE) < $deadline);
    $this->fail(sprintf('Not within %.1f s: %s', $seconds, $what));
  }

}
