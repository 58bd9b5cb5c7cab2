<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue\Traits;

use Drupal\kafka_queue\NativeExtension;

/**
 * Points a kernel test at the real test broker.
 *
 * Every test gets its own topic prefix and consumer group, so tests never
 * see each other's items. Topics are created only through
 * \KafkaQueueAdmin::provision(), as deploy-time provisioning does on a site.
 * The broker comes from the KAFKA_QUEUE_TEST_BROKERS environment variable
 * (default 127.0.0.1:19092).
 */
trait KafkaTestTrait {

  /**
   * The topic prefix of this test.
   */
  protected string $kafkaPrefix;

  /**
   * The consumer group of this test's site.
   */
  protected string $kafkaGroup;

  /**
   * Configures the site for the test broker.
   *
   * @param array $overrides
   *   Keys of $settings['kafka_queue'] that replace the defaults.
   */
  protected function setUpKafka(array $overrides = []): void {
    // Never skip: without the extension every Kafka test fails, loudly.
    $this->assertTrue(NativeExtension::isLoaded(), 'The kafka_queue extension is not loaded in this PHP: load it through PHP_INI_SCAN_DIR (make test-drupal does).');
    $id = bin2hex(random_bytes(4));
    $this->kafkaPrefix = 'kqtest.' . $id . '.';
    $this->kafkaGroup = 'kqtest-' . $id;
    $this->setSetting('kafka_queue', $this->kafkaSettings($overrides));
  }

  /**
   * The module's settings array for the test broker.
   *
   * @param array $overrides
   *   Keys that replace the defaults; a NULL value removes a key.
   *
   * @return array
   *   The value for $settings['kafka_queue'].
   */
  protected function kafkaSettings(array $overrides = []): array {
    $settings = $overrides + [
      'bootstrap.servers' => static::kafkaBrokers(),
      'group.id' => $this->kafkaGroup,
      'topic_prefix' => $this->kafkaPrefix,
      'timeout_ms' => 10000,
    ];
    return array_filter($settings, static fn($value) => $value !== NULL);
  }

  /**
   * The brokers of the test cluster.
   */
  protected static function kafkaBrokers(): string {
    $brokers = getenv('KAFKA_QUEUE_TEST_BROKERS');
    return is_string($brokers) && $brokers !== '' ? $brokers : '127.0.0.1:19092';
  }

  /**
   * Creates the topics of some queues, as deploy-time provisioning does.
   *
   * @param string[] $names
   *   Queue names.
   * @param int $partitions
   *   Partitions per topic.
   *
   * @return array[]
   *   The rows of \KafkaQueueAdmin::provision().
   */
  protected function provisionTopics(array $names, int $partitions = 2): array {
    $admin = new \KafkaQueueAdmin([
      'bootstrap.servers' => static::kafkaBrokers(),
      'topic_prefix' => $this->kafkaPrefix,
      'timeout_ms' => 10000,
    ]);
    $rows = $admin->provision($names, $partitions, 1, FALSE);
    foreach ($rows as $row) {
      $this->assertContains($row['action'], ['created', 'exists'], 'Provisioning ' . $row['topic']);
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
