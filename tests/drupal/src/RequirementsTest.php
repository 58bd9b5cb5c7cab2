<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue;

use Drupal\Core\Extension\Requirement\RequirementSeverity;
use Drupal\Core\Site\Settings;
use Drupal\kafka_queue\Admin\Requirements;
use Drupal\kafka_queue\Hook\KafkaQueueRequirementsHooks;
use Drupal\Tests\kafka_queue\Support\TestContainer;
use Drupal\Tests\kafka_queue\Support\TestQueueWorkerManager;

/**
 * The status report lines, from the procedural and the OOP hook.
 */
final class RequirementsTest extends KafkaTestCase {

  /**
   * The runtime requirements of a site, as severity and text per key.
   */
  private function check(TestContainer $site): array {
    $lines = [];
    foreach ($site->get('kafka_queue.requirements')->runtime() as $key => $line) {
      $lines[$key] = [$line['severity'], (string) $line['value'], (string) ($line['description'] ?? '')];
    }
    return $lines;
  }

  /**
   * A site whose QueueWorker plugins are the given queues.
   */
  private function siteWith(array $names, ?Settings $settings = NULL): TestContainer {
    $definitions = [];
    foreach ($names as $name) {
      $definitions[$name] = ['id' => $name];
    }
    return self::site($settings ?? self::siteSettings(), new TestQueueWorkerManager($definitions));
  }

  /**
   * Tests a healthy site: every line OK.
   */
  public function testAllGood(): void {
    $names = [self::queueName(), self::queueName()];
    self::provisionTopics($names);
    $lines = $this->check($this->siteWith($names));
    $this->assertSame(['kafka_queue_extension', 'kafka_queue_settings', 'kafka_queue_brokers', 'kafka_queue_topics'], array_keys($lines));
    foreach ($lines as $key => [$severity, $value, $description]) {
      $this->assertSame(Requirements::OK, $severity, "$key: $value $description");
    }
    $this->assertSame(phpversion('kafka_queue'), $lines['kafka_queue_extension'][1]);
    $this->assertSame(self::brokers(), $lines['kafka_queue_brokers'][1]);
    $this->assertSame('2 queues on Kafka', $lines['kafka_queue_settings'][1]);
    $this->assertStringContainsString('Consumer group kqtest-' . self::runId(), $lines['kafka_queue_settings'][2]);
    $this->assertSame('All 2 present', $lines['kafka_queue_topics'][1]);
  }

  /**
   * Tests a worker queue without topic: an error that says what to run.
   */
  public function testMissingTopic(): void {
    $present = self::queueName('present');
    $missing = self::queueName('missing');
    self::provisionTopics([$present]);
    $lines = $this->check($this->siteWith([$present, $missing]));
    [$severity, $value, $description] = $lines['kafka_queue_topics'];
    $this->assertSame(Requirements::ERROR, $severity);
    $this->assertSame('1 missing', $value);
    $this->assertStringContainsString($missing . ' → ' . self::topicPrefix() . $missing, $description);
    $this->assertStringNotContainsString($present, $description);
    $this->assertStringContainsString('drush kafka-queue:provision --web-servers=N', $description);
  }

  /**
   * Tests topics whose partition count differs from the configured one.
   */
  public function testPartitionCountDiffers(): void {
    $name = self::queueName();
    self::provisionTopics([$name], 2);
    $lines = $this->check($this->siteWith([$name], self::siteSettings(['provision' => ['web_servers' => 2]])));
    $this->assertSame(Requirements::WARNING, $lines['kafka_queue_topics'][0]);
    $this->assertStringContainsString($name . ' → ' . self::topicPrefix() . $name . ' (2)', $lines['kafka_queue_topics'][2]);
    $this->assertStringContainsString('(4)', $lines['kafka_queue_topics'][2]);
  }

  /**
   * Tests unreachable brokers: an error within the configured timeout.
   */
  public function testBrokersUnreachable(): void {
    $start = microtime(TRUE);
    $lines = $this->check($this->siteWith([self::queueName()], self::siteSettings(['bootstrap.servers' => '127.0.0.1:1', 'timeout_ms' => 1500])));
    $this->assertLessThan(10, microtime(TRUE) - $start);
    $this->assertSame(Requirements::ERROR, $lines['kafka_queue_brokers'][0]);
    $this->assertSame('127.0.0.1:1', $lines['kafka_queue_brokers'][1]);
    $this->assertStringContainsString('could not be reached', $lines['kafka_queue_brokers'][2]);
    $this->assertArrayNotHasKey('kafka_queue_topics', $lines);
  }

  /**
   * Tests a site that routes no queue to Kafka, and malformed settings.
   */
  public function testNothingRoutedAndBadSettings(): void {
    $lines = $this->check($this->siteWith([self::queueName()], self::siteSettings([], ['queue_default' => NULL])));
    $this->assertSame(Requirements::WARNING, $lines['kafka_queue_settings'][0]);
    $this->assertStringContainsString("\$settings['queue_default'] = 'queue.kafka';", $lines['kafka_queue_settings'][2]);
    $this->assertArrayNotHasKey('kafka_queue_brokers', $lines);

    $lines = $this->check($this->siteWith([self::queueName()], self::siteSettings(['extra_queues' => 'not-a-list'])));
    $this->assertSame(Requirements::ERROR, $lines['kafka_queue_settings'][0]);
    $this->assertStringContainsString("\$settings['kafka_queue']['extra_queues']", $lines['kafka_queue_settings'][2]);
  }

  /**
   * Tests the derived group: the status report says to pin it.
   */
  public function testDerivedGroupIsExplained(): void {
    $name = self::queueName();
    self::provisionTopics([$name]);
    $lines = $this->check($this->siteWith([$name], self::siteSettings(['group.id' => NULL])));
    $this->assertSame(Requirements::OK, $lines['kafka_queue_settings'][0]);
    $this->assertMatchesRegularExpression("/Consumer group drupal\\.default\\.[0-9a-f]{12}, derived from the site's hash salt: pin it/", $lines['kafka_queue_settings'][2]);
  }

  /**
   * Tests both hook implementations return the service's lines.
   */
  public function testHooks(): void {
    $name = self::queueName();
    self::provisionTopics([$name]);
    $site = $this->siteWith([$name]);
    \Drupal::setContainer($site);
    require_once dirname(__DIR__, 3) . '/drupal_module/kafka_queue/kafka_queue.install';

    $this->assertSame([], kafka_queue_requirements('install'));
    $this->assertSame([], kafka_queue_requirements('update'));
    $legacy = kafka_queue_requirements('runtime');
    $this->assertSame(['kafka_queue_extension', 'kafka_queue_settings', 'kafka_queue_brokers', 'kafka_queue_topics'], array_keys($legacy));
    $this->assertSame([0, 0, 0, 0], array_column($legacy, 'severity'), 'hook_requirements() takes REQUIREMENT_* integers');

    $hooks = new KafkaQueueRequirementsHooks($site->get(Requirements::class));
    $modern = $hooks->runtimeRequirements();
    $this->assertSame(array_keys($legacy), array_keys($modern), 'Drupal 11.2 runs both: same keys, one line each');
    foreach ($modern as $line) {
      $this->assertSame(RequirementSeverity::OK, $line['severity']);
    }

    // hook_uninstall() forgets the Drupal-side state.
    $site->get('queue')->get($name)->createQueue();
    $this->assertNotNull($site->get('kafka_queue.queue_state')->get($name));
    kafka_queue_uninstall(FALSE);
    $this->assertNull($site->get('kafka_queue.queue_state')->get($name));
  }

  /**
   * Tests that the SASL password appears in no message, log or dump.
   */
  public function testSecretsAreNeverShown(): void {
    $secret = 'S3cret-' . bin2hex(random_bytes(8));
    // Show arguments in stack traces, as a development site might.
    $ignoreArgs = ini_set('zend.exception_ignore_args', '0');
    $name = self::queueName();
    self::provisionTopics([$name]);
    $texts = [];
    foreach ([self::brokers(), '127.0.0.1:1'] as $brokers) {
      $settings = self::siteSettings([
        'bootstrap.servers' => $brokers,
        'timeout_ms' => 1500,
        'sasl.username' => 'site',
        'sasl.password' => $secret,
        'admin' => ['sasl.password' => $secret . '-admin'],
        'extra_queues' => [$name],
      ]);
      $site = $this->siteWith([$name], $settings);
      $texts[] = print_r($this->check($site), TRUE);
      foreach ([
        fn() => $site->get('kafka_queue.status')->rows(),
        fn() => $site->get('kafka_queue.topic_manager')->provision(1, 1, TRUE),
        fn() => $site->get('queue')->get($name)->createQueue(),
        fn() => $site->get('queue')->get($name)->garbageCollection(),
      ] as $call) {
        try {
          $texts[] = print_r($call(), TRUE);
        }
        catch (\Exception $e) {
          $texts[] = get_class($e) . ': ' . $e->getMessage() . "\n" . $e->getTraceAsString() . print_r($e->getTrace(), TRUE);
        }
      }
      $texts[] = print_r($site->get('queue')->get($name), TRUE);
      $texts[] = var_export($site->get('queue')->get($name), TRUE);
      $texts[] = print_r($site->get('logger.channel.kafka_queue')->records, TRUE);
    }
    ini_set('zend.exception_ignore_args', (string) $ignoreArgs);
    $all = implode("\n", $texts);
    $this->assertStringContainsString('could not be reached', $all, 'The unreachable case ran');
    $this->assertStringNotContainsString($secret, $all);
  }

}
