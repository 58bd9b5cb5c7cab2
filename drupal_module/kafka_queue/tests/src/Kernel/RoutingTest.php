<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue\Kernel;

use Drupal\Core\Queue\DatabaseQueue;
use Drupal\KernelTests\KernelTestBase;
use Drupal\kafka_queue\Queue\KafkaQueue;
use Drupal\kafka_queue\Queue\KafkaQueueFactory;
use Drupal\Tests\kafka_queue\Traits\KafkaTestTrait;

/**
 * Which backend Drupal's queue factory gives each queue.
 *
 * Through core's own factory (\Drupal::queue()): queue_default,
 * queue_service_NAME, queue_reliable_service_NAME, extra_queues, and the
 * queues without QueueWorker that stay on the database.
 *
 * @group kafka_queue
 */
class RoutingTest extends KernelTestBase {

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
    $this->setUpKafka(['extra_queues' => ['kq_extra']]);
  }

  /**
   * Queue_default: QueueWorker queues and extra queues go to Kafka.
   */
  public function testQueueDefault(): void {
    $this->setSetting('queue_default', 'queue.kafka');
    $this->setSetting('queue_service_kafka_queue_test_fail', 'queue.database');

    $ok = \Drupal::queue('kafka_queue_test_ok');
    $this->assertInstanceOf(KafkaQueue::class, $ok);
    $this->assertSame($this->kafkaPrefix . 'kafka_queue_test_ok', $ok->topic());
    $this->assertInstanceOf(KafkaQueue::class, \Drupal::queue('kq_extra'));
    // An exception to queue_default.
    $this->assertInstanceOf(DatabaseQueue::class, \Drupal::queue('kafka_queue_test_fail'));
    // No QueueWorker, not named: the database, as core's Update module's
    // update_fetch_tasks would be.
    $this->assertInstanceOf(DatabaseQueue::class, \Drupal::queue('update_fetch_tasks'));
    $this->assertInstanceOf(DatabaseQueue::class, \Drupal::queue('kq_no_worker'));

    // One object per queue and process.
    $this->assertSame($ok, \Drupal::queue('kafka_queue_test_ok'));

    $registry = \Drupal::service('kafka_queue.registry');
    $this->assertSame(['kafka_queue_test_delay', 'kafka_queue_test_ok', 'kafka_queue_test_requeue', 'kafka_queue_test_suspend', 'kq_extra'], $registry->queueNames());
    $this->assertSame(['kafka_queue_test_delay', 'kafka_queue_test_fail', 'kafka_queue_test_ok', 'kafka_queue_test_requeue', 'kafka_queue_test_suspend', 'kq_extra'], $registry->provisionNames());
  }

  /**
   * Queue_service_NAME: only the named queues, with or without QueueWorker.
   */
  public function testQueueServiceName(): void {
    $this->setSetting('queue_service_kafka_queue_test_ok', 'queue.kafka');
    $this->setSetting('queue_service_kq_named', 'queue.kafka');

    $this->assertInstanceOf(KafkaQueue::class, \Drupal::queue('kafka_queue_test_ok'));
    $this->assertInstanceOf(KafkaQueue::class, \Drupal::queue('kq_named'));
    $this->assertInstanceOf(DatabaseQueue::class, \Drupal::queue('kafka_queue_test_fail'));
    $this->assertInstanceOf(DatabaseQueue::class, \Drupal::queue('kq_no_worker'));

    $registry = \Drupal::service('kafka_queue.registry');
    $this->assertSame(['kafka_queue_test_ok', 'kq_extra', 'kq_named'], $registry->queueNames());
    $this->assertContains('kq_named', $registry->provisionNames());
  }

  /**
   * Queue_reliable_service_NAME: callers that ask for a reliable queue.
   *
   * Core's factory keeps the first queue object of a name for the process,
   * whoever asked: a later lookup without the flag gets the same queue.
   */
  public function testReliableServiceFirst(): void {
    $this->setSetting('queue_reliable_service_kq_reliable', 'queue.kafka');
    $queue = \Drupal::queue('kq_reliable', TRUE);
    $this->assertInstanceOf(KafkaQueue::class, $queue);
    $this->assertSame($queue, \Drupal::queue('kq_reliable'));
  }

  /**
   * Queue_reliable_service_NAME is not asked by cron and Drush.
   *
   * They look queues up without the flag, and a first lookup without it
   * never reaches the Kafka backend; the queue then stays on the database
   * for the whole process, reliable callers included. Hence docs/drupal.md:
   * route with queue_service_NAME.
   */
  public function testReliableServiceNotFirst(): void {
    $this->setSetting('queue_reliable_service_kq_reliable', 'queue.kafka');
    $queue = \Drupal::queue('kq_reliable');
    $this->assertInstanceOf(DatabaseQueue::class, $queue);
    $this->assertSame($queue, \Drupal::queue('kq_reliable', TRUE));
  }

  /**
   * The backend is the tagged queue.kafka service, and reaches the extension.
   */
  public function testServiceAndConfiguration(): void {
    $factory = \Drupal::service('queue.kafka');
    $this->assertInstanceOf(KafkaQueueFactory::class, $factory);
    $this->setSetting('queue_default', 'queue.kafka');
    $this->provisionTopics(['kafka_queue_test_ok']);
    $queue = \Drupal::queue('kafka_queue_test_ok');
    $queue->createQueue();
    $status = $queue->status();
    $this->assertSame($this->kafkaPrefix . 'kafka_queue_test_ok', $status['topic']);
    $this->assertStringStartsWith($this->kafkaGroup . '.', $status['group']);
    $this->assertSame(2, $status['partitions']);
  }

  /**
   * Without group.id the site's derived group reaches the extension.
   */
  public function testDerivedGroup(): void {
    $this->setSetting('kafka_queue', $this->kafkaSettings(['group.id' => NULL]));
    $this->setSetting('queue_default', 'queue.kafka');
    $this->provisionTopics(['kafka_queue_test_ok']);
    $settings = \Drupal::service('kafka_queue.settings');
    $this->assertTrue($settings->isGroupIdDerived());
    $derived = $settings->groupId();
    $this->assertMatchesRegularExpression('/^drupal\.[A-Za-z0-9_-]+\.[0-9a-f]{12}$/', $derived);
    $this->assertStringStartsWith($derived . '.', \Drupal::queue('kafka_queue_test_ok')->status()['group']);
  }

}
