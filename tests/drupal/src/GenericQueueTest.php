<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue;

use Drupal\kafka_queue\Queue\QueueStateStore;

/**
 * Core's generic queue test, and the Drupal-side queue state.
 */
final class GenericQueueTest extends KafkaTestCase {

  /**
   * Tests core's QueueTest::runQueueTest() sequence on two Kafka queues.
   */
  public function testRunQueueTest(): void {
    $names = [self::randomMachineName(), self::randomMachineName()];
    self::provisionTopics($names);
    $factory = self::site()->get('queue');
    $queue1 = $factory->get($names[0]);
    $queue1->createQueue();
    $queue2 = $factory->get($names[1]);
    $queue2->createQueue();

    $this->runQueueTest($queue1, $queue2);
  }

  /**
   * Tests createQueue() and deleteQueue() on the Drupal side.
   */
  public function testQueueState(): void {
    $name = self::queueName();
    self::provisionTopics([$name]);
    $site = self::site();
    $queue = $site->get('queue')->get($name);
    $state = $site->get('kafka_queue.queue_state');
    $store = $site->get('keyvalue')->get(QueueStateStore::COLLECTION);
    $this->assertNull($state->get($name));

    $queue->createQueue();
    $this->assertSame(QueueStateStore::AVAILABLE, $state->get($name)['status']);
    $this->assertSame(self::topicPrefix() . $name, $state->get($name)['topic']);
    $this->assertSame(1, $store->writes);

    // What cron does on every run: one read, no write.
    $reads = $store->reads;
    for ($i = 0; $i < 5; $i++) {
      $queue->createQueue();
    }
    $this->assertSame(1, $store->writes, 'createQueue() writes only when the state changes');
    $this->assertSame($reads + 5, $store->reads, 'createQueue() reads one record');

    $id = $queue->createItem(['before' => 'delete']);
    $this->assertIsString($id);
    $this->assertSame(1, $queue->numberOfItems());
    $queue->deleteQueue();
    $this->assertSame(QueueStateStore::DELETED, $state->get($name)['status']);
    $this->assertSame(0, $queue->numberOfItems(), 'A deleted queue is empty');
    $this->assertFalse($queue->claimItem(1), 'An item created before deleteQueue() is never delivered');

    // As with core's queues, a deleted queue takes items again.
    $queue->createQueue();
    $this->assertSame(QueueStateStore::AVAILABLE, $state->get($name)['status']);
    $queue->createItem(['after' => 'delete']);
    $item = $queue->claimItem(30);
    $this->assertIsObject($item, 'The item created after deleteQueue() is claimable at once');
    $this->assertSame(['after' => 'delete'], $item->data);
    $this->assertTrue($queue->deleteItem($item));
    $this->assertSame(0, $queue->numberOfItems());
  }

  /**
   * Tests that an item is claimable at once after an empty claim.
   *
   * Drupal code creates an item and claims it in the same request (core's
   * generic test does, so do sites that process a queue inline). A claim that
   * found the queue drained must not hide an item this same queue object
   * created since: the contract's "false at once when the queue is known to
   * be drained" holds only while it is known to be drained.
   */
  public function testClaimSeesOwnNewItem(): void {
    $name = self::queueName();
    self::provisionTopics([$name]);
    $queue = self::site()->get('queue')->get($name);
    $this->assertFalse($queue->claimItem(30));
    $queue->createItem('created after an empty claim');
    $item = $queue->claimItem(30);
    $this->assertIsObject($item, 'claimItem() returned FALSE right after this queue object created an item, because a previous claim had found the queue empty.');
    $this->assertSame('created after an empty claim', $item->data);
    $this->assertTrue($queue->deleteItem($item));
  }

  /**
   * Tests createQueue() of a queue whose topic was never provisioned.
   */
  public function testCreateQueueWithoutTopic(): void {
    $name = self::queueName('unprovisioned');
    $site = self::site();
    $queue = $site->get('queue')->get($name);
    try {
      $queue->createQueue();
      $this->fail('createQueue() accepted a missing topic');
    }
    catch (\KafkaQueueException $e) {
      $this->assertStringContainsString(self::topicPrefix() . $name, $e->getMessage(), 'The message names the topic');
    }
    $this->assertNull($site->get('kafka_queue.queue_state')->get($name), 'Nothing recorded for a queue that could not be created');
  }

  /**
   * Queues and unqueues a set of items to check the basic queue functionality.
   *
   * Core's \Drupal\KernelTests\Core\Queue\QueueTest::runQueueTest(), as it is.
   *
   * @param \Drupal\Core\Queue\QueueInterface $queue1
   *   An instantiated queue object.
   * @param \Drupal\Core\Queue\QueueInterface $queue2
   *   An instantiated queue object.
   */
  protected function runQueueTest($queue1, $queue2) {
    // Create four items.
    $data = [];
    for ($i = 0; $i < 4; $i++) {
      $data[] = [self::randomMachineName() => self::randomMachineName()];
    }

    // Queue items 1 and 2 in the queue1.
    $queue1->createItem($data[0]);
    $queue1->createItem($data[1]);

    // Retrieve two items from queue1.
    $items = [];
    $new_items = [];

    $items[] = $item = $queue1->claimItem();
    $new_items[] = $item->data;

    $items[] = $item = $queue1->claimItem();
    $new_items[] = $item->data;

    // First two dequeued items should match the first two items we queued.
    $this->assertEquals(2, $this->queueScore($data, $new_items), 'Two items matched');

    // Add two more items.
    $queue1->createItem($data[2]);
    $queue1->createItem($data[3]);

    $this->assertSame(4, $queue1->numberOfItems(), 'Queue 1 is not empty after adding items.');
    $this->assertSame(0, $queue2->numberOfItems(), 'Queue 2 is empty while Queue 1 has items');

    $items[] = $item = $queue1->claimItem();
    $new_items[] = $item->data;

    $items[] = $item = $queue1->claimItem();
    $new_items[] = $item->data;

    // All dequeued items should match the items we queued exactly once,
    // therefore the score must be exactly 4.
    $this->assertEquals(4, $this->queueScore($data, $new_items), 'Four items matched');

    // There should be no duplicate items.
    $this->assertEquals(4, $this->queueScore($new_items, $new_items), 'Four items matched');

    // Delete all items from queue1.
    foreach ($items as $item) {
      $queue1->deleteItem($item);
    }

    // Check that both queues are empty.
    $this->assertSame(0, $queue1->numberOfItems(), 'Queue 1 is empty');
    $this->assertSame(0, $queue2->numberOfItems(), 'Queue 2 is empty');
  }

  /**
   * Returns the number of equal items in two arrays.
   */
  protected function queueScore($items, $new_items) {
    $score = 0;
    foreach ($items as $item) {
      foreach ($new_items as $new_item) {
        if ($item === $new_item) {
          $score++;
        }
      }
    }
    return $score;
  }

  /**
   * An 8-character random name, as core's randomMachineName() gives.
   */
  private static function randomMachineName(): string {
    $chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
    $name = '';
    for ($i = 0; $i < 8; $i++) {
      $name .= $chars[random_int(0, $i === 0 ? 25 : 35)];
    }
    return $name;
  }

}
