<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue\Kernel;

use Drupal\KernelTests\Core\Queue\QueueTest;
use Drupal\kafka_queue\Queue\KafkaQueue;
use Drupal\Tests\kafka_queue\Traits\KafkaTestTrait;

/**
 * Core's queue test, with queue.kafka as the backend.
 *
 * Runs core's runQueueTest() on two Kafka queues obtained from Drupal's own
 * queue factory, routed by name (they are no QueueWorker plugins); the
 * inherited database and memory queue tests run too.
 *
 * @group kafka_queue
 */
class KafkaQueueTest extends QueueTest {

  use KafkaTestTrait;

  /**
   * {@inheritdoc}
   */
  protected static $modules = ['kafka_queue'];

  /**
   * {@inheritdoc}
   */
  protected function setUp(): void {
    parent::setUp();
    $this->setUpKafka();
  }

  /**
   * Runs core's queue test on Kafka queues from \Drupal::queue().
   */
  public function testKafkaQueue(): void {
    $names = [$this->randomMachineName(), $this->randomMachineName()];
    $this->provisionTopics($names);
    foreach ($names as $name) {
      $this->setSetting('queue_service_' . $name, 'queue.kafka');
    }
    $queue1 = \Drupal::queue($names[0]);
    $queue2 = \Drupal::queue($names[1]);
    $this->assertInstanceOf(KafkaQueue::class, $queue1);
    $this->assertInstanceOf(KafkaQueue::class, $queue2);
    $queue1->createQueue();
    $queue2->createQueue();

    $this->runQueueTest($queue1, $queue2);
  }

}
