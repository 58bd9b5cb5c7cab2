<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue\Unit;

use Drupal\Core\Site\Settings;
use Drupal\kafka_queue\KafkaQueueSettings;
use Drupal\Tests\UnitTestCase;

/**
 * Resolution of $settings['kafka_queue'] and of the queue routing settings.
 *
 * With core's own Settings class. Which queues end up on Kafka, with the
 * QueueWorker plugins, is tested by the kernel test RoutingTest.
 *
 * @group kafka_queue
 * @coversDefaultClass \Drupal\kafka_queue\KafkaQueueSettings
 */
final class SettingsTest extends UnitTestCase {

  /**
   * The module's settings for a settings.php array.
   */
  private function settings(array $settings, string $sitePath = 'sites/default'): KafkaQueueSettings {
    return new KafkaQueueSettings(new Settings($settings + ['hash_salt' => 'salt-one']), $sitePath);
  }

  /**
   * Tests the default consumer group: stable per site, distinct across sites.
   */
  public function testDerivedGroupId(): void {
    $group = $this->settings([])->groupId();
    $this->assertMatchesRegularExpression('/^drupal\.default\.[0-9a-f]{12}$/', $group);
    $this->assertTrue($this->settings([])->isGroupIdDerived());
    $this->assertSame($group, $this->settings([])->groupId(), 'Same site, same group: every web server and every deploy agree.');
    $this->assertNotSame($group, $this->settings(['hash_salt' => 'salt-two'])->groupId(), 'Two sites have different hash salts, hence different groups.');
    $this->assertNotSame($group, $this->settings([], 'sites/example.com')->groupId(), 'Multisite: the site directory is part of the group.');
    $this->assertStringStartsWith('drupal.example_com.', $this->settings([], 'sites/example.com')->groupId());
    $this->assertStringNotContainsString('salt-one', $group, 'The hash salt is not readable from the group.');

    $site = $this->settings(['kafka_queue' => ['group.id' => 'mysite-prod']]);
    $this->assertSame('mysite-prod', $site->groupId());
    $this->assertFalse($site->isGroupIdDerived());
    $this->assertSame('mysite-prod', $site->queueConfig('any')['group.id']);
    $this->assertSame($group, $this->settings([])->queueConfig('any')['group.id'], 'The derived group reaches the extension.');
  }

  /**
   * Tests that a site without hash salt and group.id gets a clear error.
   */
  public function testNoHashSalt(): void {
    $settings = new KafkaQueueSettings(new Settings([]), 'sites/default');
    $this->expectException(\RuntimeException::class);
    $this->expectExceptionMessage("\$settings['kafka_queue']['group.id']");
    $settings->groupId();
  }

  /**
   * Tests the configuration given to each queue.
   */
  public function testQueueConfig(): void {
    $settings = $this->settings(['kafka_queue' => [
      'bootstrap.servers' => 'k1:9092',
      'sasl.password' => 'secret',
      'topic_prefix' => 'site.',
      'delivery' => 'strict',
      'queues' => ['mail' => ['delivery' => 'fast', 'claim_wait_ms' => 50]],
      'extra_queues' => ['daemon'],
      'provision' => ['web_servers' => 2],
      'admin' => ['sasl.username' => 'admin'],
    ]]);
    $site = $settings->siteConfig();
    $this->assertSame(['bootstrap.servers', 'sasl.password', 'topic_prefix', 'delivery', 'group.id'], array_keys($site), 'Module keys never reach the extension.');

    $mail = $settings->queueConfig('mail');
    $this->assertSame('fast', $mail['delivery'], 'A per-queue override wins.');
    $this->assertSame(50, $mail['claim_wait_ms']);
    $this->assertSame('k1:9092', $mail['bootstrap.servers']);
    $this->assertSame('strict', $settings->queueConfig('other')['delivery']);
    $this->assertArrayNotHasKey('claim_wait_ms', $settings->queueConfig('other'));
  }

  /**
   * Tests that site-wide keys cannot be overridden per queue.
   *
   * @dataProvider siteWideKeys
   */
  public function testSiteWideKeysAreNotPerQueue(string $key): void {
    $settings = $this->settings(['kafka_queue' => ['queues' => ['mail' => [$key => 'value-never-shown']]]]);
    try {
      $settings->queueConfig('mail');
      $this->fail('Accepted a per-queue ' . $key);
    }
    catch (\InvalidArgumentException $e) {
      $this->assertStringContainsString("\$settings['kafka_queue']['queues']['mail']['$key']", $e->getMessage());
      $this->assertStringNotContainsString('value-never-shown', $e->getMessage());
    }
  }

  /**
   * Data provider: keys that are the same for every queue.
   */
  public static function siteWideKeys(): array {
    return [['bootstrap.servers'], ['group.id'], ['topic_prefix'], ['admin']];
  }

  /**
   * Tests malformed settings: each error names the setting.
   */
  public function testMalformedSettings(): void {
    $cases = [
      ["\$settings['kafka_queue']", ['kafka_queue' => 'k1:9092']],
      ["\$settings['kafka_queue']['queues']['mail']", ['kafka_queue' => ['queues' => ['mail' => 'fast']]]],
      ["\$settings['kafka_queue']['extra_queues']['0']", ['kafka_queue' => ['extra_queues' => [['x']]]]],
      ["\$settings['kafka_queue']['provision']['web_servers']", ['kafka_queue' => ['provision' => ['web_servers' => 0]]]],
      ["\$settings['kafka_queue']['admin']['delivery']", ['kafka_queue' => ['admin' => ['delivery' => 'fast']]]],
      ["\$settings['kafka_queue']['group.id']", ['kafka_queue' => ['group.id' => 42]]],
    ];
    foreach ($cases as [$path, $array]) {
      $settings = $this->settings($array);
      try {
        $settings->queueConfig('mail');
        $settings->extraQueues();
        $settings->webServers();
        $settings->adminConfig(TRUE);
        $this->fail("Accepted $path");
      }
      catch (\InvalidArgumentException $e) {
        $this->assertStringContainsString($path, $e->getMessage());
      }
    }
  }

  /**
   * Tests the admin client's configuration, with and without deploy credentials.
   */
  public function testAdminConfig(): void {
    $settings = $this->settings(['kafka_queue' => [
      'bootstrap.servers' => 'k1:9092',
      'sasl.username' => 'site',
      'sasl.password' => 'site-secret',
      'group.id' => 'g',
      'topic_prefix' => 'p.',
      'timeout_ms' => 3000,
      'delivery' => 'fast',
      'claim_wait_ms' => 10,
      'admin' => ['sasl.username' => 'deployer', 'sasl.password' => 'admin-secret', 'timeout_ms' => 30000],
    ]]);
    $this->assertSame([
      'bootstrap.servers' => 'k1:9092',
      'sasl.username' => 'site',
      'sasl.password' => 'site-secret',
      'topic_prefix' => 'p.',
      'timeout_ms' => 3000,
    ], $settings->adminConfig(FALSE), 'Run-time checks use the site credentials and no queue options.');
    $this->assertSame([
      'bootstrap.servers' => 'k1:9092',
      'sasl.username' => 'deployer',
      'sasl.password' => 'admin-secret',
      'topic_prefix' => 'p.',
      'timeout_ms' => 30000,
    ], $settings->adminConfig(TRUE), 'Provisioning uses the admin credentials.');
  }

  /**
   * Tests routing, as core's QueueFactory::get() resolves it.
   */
  public function testRouting(): void {
    $default = $this->settings(['queue_default' => 'queue.kafka']);
    $this->assertTrue($default->reachesKafkaService('anything'));
    $this->assertFalse($default->isRoutedByName('anything'));
    $this->assertSame([], $default->namedRoutes());

    $mixed = $this->settings([
      'queue_service_on_kafka' => 'queue.kafka',
      'queue_service_elsewhere' => 'queue.database',
      'queue_reliable_service_reliable' => 'queue.kafka',
    ]);
    $this->assertTrue($mixed->reachesKafkaService('on_kafka'));
    $this->assertTrue($mixed->isRoutedByName('on_kafka'));
    $this->assertFalse($mixed->reachesKafkaService('elsewhere'));
    $this->assertFalse($mixed->reachesKafkaService('unset'), 'queue.database is the default');
    $this->assertTrue($mixed->reachesKafkaService('reliable'));
    $this->assertTrue($mixed->isRoutedByName('reliable'));
    $this->assertSame(['on_kafka', 'reliable'], $mixed->namedRoutes());

    $override = $this->settings(['queue_default' => 'queue.kafka', 'queue_service_local' => 'queue.database']);
    $this->assertFalse($override->reachesKafkaService('local'), 'queue_service_NAME beats queue_default');
    $this->assertTrue($override->reachesKafkaService('other'));
  }

}
