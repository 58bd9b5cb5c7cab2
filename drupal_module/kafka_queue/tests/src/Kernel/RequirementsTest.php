<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue\Kernel;

use ColinODell\PsrTestLogger\TestLogger;
use Drupal\KernelTests\KernelTestBase;
use Drupal\kafka_queue\Admin\Requirements;
use Drupal\kafka_queue\Queue\QueueStateStore;
use Drupal\Tests\kafka_queue\Traits\KafkaTestTrait;

/**
 * The status report lines (hook_requirements()), the state store, uninstall.
 *
 * @group kafka_queue
 */
class RequirementsTest extends KernelTestBase {

  use KafkaTestTrait;

  /**
   * {@inheritdoc}
   */
  protected static $modules = ['kafka_queue', 'kafka_queue_test'];

  /**
   * {@inheritdoc}
   */
  protected function setUp(): void {
    parent::setUp();
    $this->setUpKafka();
    \Drupal::moduleHandler()->loadInclude('kafka_queue', 'install');
  }

  /**
   * The runtime lines, as severity, value and description per key.
   *
   * Value and description as a reader sees them: markup rendered as text.
   */
  private function check(): array {
    $this->assertSame([], kafka_queue_requirements('install'));
    $this->assertSame([], kafka_queue_requirements('update'));
    $lines = [];
    foreach (kafka_queue_requirements('runtime') as $key => $line) {
      $lines[$key] = [$line['severity'], $this->text($line['value']), $this->text($line['description'] ?? '')];
    }
    return $lines;
  }

  /**
   * Markup as text.
   */
  private function text(mixed $markup): string {
    return html_entity_decode(strip_tags((string) $markup), ENT_QUOTES);
  }

  /**
   * Replaces $settings['kafka_queue'] once services were built from it.
   */
  private function changeSettings(array $overrides): void {
    $this->setSetting('kafka_queue', $this->kafkaSettings($overrides));
    $this->container->get('kernel')->rebuildContainer();
  }

  /**
   * Routes test workers to Kafka by name.
   */
  private function route(string ...$names): void {
    foreach ($names as $name) {
      $this->setSetting('queue_service_' . $name, 'queue.kafka');
    }
  }

  /**
   * A healthy site: every line OK.
   */
  public function testAllGood(): void {
    $this->route('kafka_queue_test_ok', 'kafka_queue_test_requeue');
    $this->provisionTopics(['kafka_queue_test_ok', 'kafka_queue_test_requeue']);
    $lines = $this->check();
    $this->assertSame(['kafka_queue_extension', 'kafka_queue_settings', 'kafka_queue_brokers', 'kafka_queue_topics'], array_keys($lines));
    foreach ($lines as $key => [$severity, $value, $description]) {
      $this->assertSame(Requirements::OK, $severity, "$key: $value $description");
    }
    $this->assertSame(phpversion('kafka_queue'), $lines['kafka_queue_extension'][1]);
    $this->assertSame(static::kafkaBrokers(), $lines['kafka_queue_brokers'][1]);
    $this->assertSame('2 queues on Kafka', $lines['kafka_queue_settings'][1]);
    $this->assertSame('Consumer group ' . $this->kafkaGroup . '. Topic prefix: "' . $this->kafkaPrefix . '".', $lines['kafka_queue_settings'][2]);
    $this->assertSame('All 2 present', $lines['kafka_queue_topics'][1]);
  }

  /**
   * A queue without topic: an error that says what to run.
   */
  public function testMissingTopic(): void {
    $this->route('kafka_queue_test_ok', 'kafka_queue_test_fail');
    $this->provisionTopics(['kafka_queue_test_ok']);
    [$severity, $value, $description] = $this->check()['kafka_queue_topics'];
    $this->assertSame(Requirements::ERROR, $severity);
    $this->assertSame('1 missing', $value);
    $this->assertStringContainsString('kafka_queue_test_fail → ' . $this->kafkaPrefix . 'kafka_queue_test_fail', $description);
    $this->assertStringNotContainsString('kafka_queue_test_ok', $description);
    $this->assertStringContainsString('drush kafka-queue:provision --web-servers=N', $description);
  }

  /**
   * Topics whose partition count differs from the configured one.
   */
  public function testPartitionCountDiffers(): void {
    $this->setSetting('kafka_queue', $this->kafkaSettings(['provision' => ['web_servers' => 2]]));
    $this->route('kafka_queue_test_ok');
    $this->provisionTopics(['kafka_queue_test_ok'], 2);
    [$severity, , $description] = $this->check()['kafka_queue_topics'];
    $this->assertSame(Requirements::WARNING, $severity);
    $this->assertStringContainsString('kafka_queue_test_ok → ' . $this->kafkaPrefix . 'kafka_queue_test_ok (2)', $description);
    $this->assertStringContainsString('(4)', $description);
  }

  /**
   * Unreachable brokers: an error within the configured timeout.
   */
  public function testBrokersUnreachable(): void {
    $this->setSetting('kafka_queue', $this->kafkaSettings(['bootstrap.servers' => '127.0.0.1:1', 'timeout_ms' => 1500]));
    $this->route('kafka_queue_test_ok');
    $start = microtime(TRUE);
    $lines = $this->check();
    $this->assertLessThan(10, microtime(TRUE) - $start);
    $this->assertSame(Requirements::ERROR, $lines['kafka_queue_brokers'][0]);
    $this->assertSame('127.0.0.1:1', $lines['kafka_queue_brokers'][1]);
    $this->assertStringContainsString('could not be reached', $lines['kafka_queue_brokers'][2]);
    $this->assertArrayNotHasKey('kafka_queue_topics', $lines);
  }

  /**
   * A site that routes no queue to Kafka, and malformed settings.
   */
  public function testNothingRoutedAndBadSettings(): void {
    $lines = $this->check();
    $this->assertSame(Requirements::WARNING, $lines['kafka_queue_settings'][0]);
    $this->assertStringContainsString("\$settings['queue_default'] = 'queue.kafka';", $lines['kafka_queue_settings'][2]);
    $this->assertArrayNotHasKey('kafka_queue_brokers', $lines);

    $this->changeSettings(['extra_queues' => 'not-a-list']);
    $lines = $this->check();
    $this->assertSame(Requirements::ERROR, $lines['kafka_queue_settings'][0]);
    $this->assertStringContainsString("\$settings['kafka_queue']['extra_queues']", $lines['kafka_queue_settings'][2]);
  }

  /**
   * The derived group: the status report says to pin it.
   */
  public function testDerivedGroupIsExplained(): void {
    $this->setSetting('kafka_queue', $this->kafkaSettings(['group.id' => NULL]));
    $this->route('kafka_queue_test_ok');
    $this->provisionTopics(['kafka_queue_test_ok']);
    $lines = $this->check();
    $this->assertSame(Requirements::OK, $lines['kafka_queue_settings'][0]);
    $this->assertMatchesRegularExpression("/Consumer group drupal\\.[A-Za-z0-9_-]+\\.[0-9a-f]{12}, derived from the site's hash salt: pin it/", $lines['kafka_queue_settings'][2]);
  }

  /**
   * The Drupal-side state: written on change only, forgotten on uninstall.
   */
  public function testQueueState(): void {
    $this->route('kafka_queue_test_ok');
    $this->provisionTopics(['kafka_queue_test_ok']);
    $store = \Drupal::service('kafka_queue.queue_state');
    $queue = \Drupal::queue('kafka_queue_test_ok');
    $this->assertNull($store->get('kafka_queue_test_ok'));

    $queue->createQueue();
    $record = $store->get('kafka_queue_test_ok');
    $this->assertSame(QueueStateStore::AVAILABLE, $record['status']);
    $this->assertSame($this->kafkaPrefix . 'kafka_queue_test_ok', $record['topic']);
    // Cron calls createQueue() on every run: no write when nothing changed.
    \Drupal::keyValue(QueueStateStore::COLLECTION)->set('kafka_queue_test_ok', ['changed' => 1] + $record);
    $queue->createQueue();
    $this->assertSame(1, $store->get('kafka_queue_test_ok')['changed']);

    $queue->createItem('x');
    $queue->deleteQueue();
    $this->assertSame(QueueStateStore::DELETED, $store->get('kafka_queue_test_ok')['status']);
    $this->assertSame(0, $queue->numberOfItems());
    // A deleted queue takes items, as Drupal's own queues do.
    $queue->createItem('y');
    $this->assertSame(1, $queue->numberOfItems());
    $rows = \Drupal::service('kafka_queue.status')->rows();
    $this->assertSame(QueueStateStore::DELETED, $rows['kafka_queue_test_ok']['drupal_state']);
    $this->assertSame(1, $rows['kafka_queue_test_ok']['items']);

    // hook_uninstall() forgets the state; Kafka keeps the items.
    kafka_queue_uninstall(FALSE);
    $this->assertNull($store->get('kafka_queue_test_ok'));
    $this->assertSame(1, $queue->numberOfItems());
  }

  /**
   * The SASL passwords appear in no message, log, trace or queue dump.
   *
   * Dumps stay shallow: any Drupal service reaches the container, whose
   * Settings hold settings.php's values.
   */
  public function testSecretsAreNeverShown(): void {
    $secret = 'S3cret-' . bin2hex(random_bytes(8));
    $logger = new TestLogger();
    // Show arguments in stack traces, as a development site might.
    $ignoreArgs = ini_set('zend.exception_ignore_args', '0');
    $this->provisionTopics(['kafka_queue_test_ok']);
    $this->route('kafka_queue_test_ok');
    $texts = [];
    foreach ([static::kafkaBrokers(), '127.0.0.1:1'] as $brokers) {
      $this->changeSettings([
        'bootstrap.servers' => $brokers,
        'timeout_ms' => 1500,
        'sasl.username' => 'site',
        'sasl.password' => $secret,
        'admin' => ['sasl.password' => $secret . '-admin'],
      ]);
      \Drupal::service('logger.factory')->addLogger($logger);
      $texts[] = print_r($this->check(), TRUE);
      foreach ([
        fn() => \Drupal::service('kafka_queue.status')->rows(),
        fn() => \Drupal::service('kafka_queue.topic_manager')->provision(1, 1, TRUE),
        fn() => \Drupal::queue('kafka_queue_test_ok')->createQueue(),
        fn() => \Drupal::queue('kafka_queue_test_ok')->garbageCollection(),
        fn() => \Drupal::queue('kafka_queue_test_ok')->status(),
      ] as $call) {
        try {
          $texts[] = print_r($call(), TRUE);
        }
        catch (\Exception $e) {
          $texts[] = get_class($e) . ': ' . $e->getMessage() . "\n" . $e->getTraceAsString();
        }
      }
      $queue = \Drupal::queue('kafka_queue_test_ok');
      $texts[] = print_r(array_map(static fn($value) => is_object($value) ? get_class($value) : $value, (array) $queue), TRUE);
    }
    $texts[] = print_r($logger->records, TRUE);
    ini_set('zend.exception_ignore_args', (string) $ignoreArgs);
    $all = implode("\n", $texts);
    $this->assertStringContainsString('could not be reached', $all, 'The unreachable case ran');
    $this->assertStringNotContainsString($secret, $all);
  }

}
