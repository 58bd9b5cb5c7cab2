<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue;

use Drupal\Core\Queue\QueueFactoryInterface;
use Drupal\kafka_queue\Queue\KafkaQueue;
use Drupal\Tests\kafka_queue\Support\TestContainer;
use Drupal\Tests\kafka_queue\Support\TestQueueWorkerManager;

/**
 * Drupal's queue factory reaches the Kafka backend as settings.php says.
 */
final class QueueFactoryTest extends KafkaTestCase {

  /**
   * Tests $settings['queue_default'] = 'queue.kafka'.
   */
  public function testQueueDefault(): void {
    $site = self::site(self::siteSettings());
    $name = self::queueName();
    $queue = $site->get('queue')->get($name);
    $this->assertInstanceOf(KafkaQueue::class, $queue);
    $this->assertSame($queue, $site->get('queue')->get($name));
    $this->assertSame($queue, $site->get('queue.kafka')->get($name), 'One queue object per name and process.');
    $this->assertSame(self::topicPrefix() . $name, $queue->topic());
  }

  /**
   * Tests $settings['queue_service_NAME'] and queue_reliable_service_NAME.
   */
  public function testPerQueueService(): void {
    $kafka = self::queueName('kafka');
    $reliable = self::queueName('reliable');
    $elsewhere = self::queueName('elsewhere');
    $settings = self::siteSettings([], [
      'queue_default' => NULL,
      'queue_service_' . $kafka => 'queue.kafka',
      'queue_reliable_service_' . $reliable => 'queue.kafka',
    ]);
    $site = self::site($settings);
    // Stands in for core's database queue factory, tagged as in core.
    $database = new class() implements QueueFactoryInterface {

      public function get($name) {
        return 'database:' . $name;
      }

    };
    $site->set('queue.database', $database, ['queue_factory']);

    $this->assertInstanceOf(KafkaQueue::class, $site->get('queue')->get($kafka));
    $this->assertInstanceOf(KafkaQueue::class, $site->get('queue')->get($reliable, TRUE));
    $this->assertSame('database:' . $elsewhere, $site->get('queue')->get($elsewhere));
  }

  /**
   * Tests that the factory is found only because it is tagged (Drupal 11).
   */
  public function testFactoryIsTagged(): void {
    $site = self::site();
    $this->assertContains('queue.kafka', $site->taggedIds('queue_factory'));
  }

  /**
   * Tests that the site's group and options reach the extension.
   */
  public function testConfigurationReachesExtension(): void {
    $name = self::queueName();
    self::provisionTopics([$name]);
    $queue = self::site()->get('queue')->get($name);
    $status = $queue->status();
    $this->assertSame('kqtest-' . self::runId() . '.' . self::topicPrefix() . $name, $status['group'], 'The extension derives <group.id>.<topic> from the site group.');

    // An option the extension does not know is refused, by name.
    $site = self::site(self::siteSettings(['no_such_option' => 1]));
    try {
      $site->get('queue')->get(self::queueName());
      $this->fail('Accepted an unknown option');
    }
    catch (\KafkaQueueException $e) {
      $this->assertStringContainsString('no_such_option', $e->getMessage());
    }
  }

  /**
   * Tests that the derived group reaches the extension when none is set.
   */
  public function testDerivedGroupReachesExtension(): void {
    $name = self::queueName();
    self::provisionTopics([$name]);
    $settings = self::siteSettings(['group.id' => NULL]);
    $site = TestContainer::forSite($settings, new TestQueueWorkerManager(), NULL, 'sites/example.com');
    $group = $site->get('kafka_queue.settings')->groupId();
    $this->assertMatchesRegularExpression('/^drupal\.example_com\.[0-9a-f]{12}$/', $group);
    $this->assertStringStartsWith($group . '.', $site->get('queue')->get($name)->status()['group']);
  }

}
