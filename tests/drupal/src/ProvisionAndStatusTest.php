<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue;

use Drupal\kafka_queue\Admin\TopicManager;
use Drupal\Tests\kafka_queue\Support\TestQueueWorkerManager;

/**
 * Deploy-time provisioning and the status command's service, on the broker.
 */
final class ProvisionAndStatusTest extends KafkaTestCase {

  /**
   * Tests provisioning every queue on Kafka: dry run, create, repeat.
   */
  public function testProvision(): void {
    [$a, $b, $local, $extra] = [self::queueName('a'), self::queueName('b'), self::queueName('local'), self::queueName('extra')];
    $workers = new TestQueueWorkerManager([$a => ['id' => $a], $b => ['id' => $b], $local => ['id' => $local]]);
    $settings = self::siteSettings(['extra_queues' => [$extra]], ['queue_service_' . $local => 'queue.database']);
    $site = self::site($settings, $workers);
    /** @var \Drupal\kafka_queue\Admin\TopicManager $topics */
    $topics = $site->get('kafka_queue.topic_manager');
    $expected = [$a, $b, $local, $extra];
    sort($expected);

    $dry = $topics->provision(2, 1, TRUE);
    $this->assertSame($expected, array_column($dry, 'queue'), 'Every worker, routed to Kafka or not yet, and the extra queues');
    $this->assertSame(['would create'], array_values(array_unique(array_column($dry, 'action'))));
    $this->assertSame([4, 4, 4, 4], array_column($dry, 'partitions'), '--web-servers=2 gives 4 partitions');
    $this->assertSame($dry, $topics->provision(2, 1, TRUE), 'A dry run creates nothing');

    $created = $topics->provision(2, 1);
    $this->assertSame(['created'], array_values(array_unique(array_column($created, 'action'))));
    foreach ($created as $row) {
      $this->assertSame(self::topicPrefix() . $row['queue'], $row['topic']);
    }
    $log = $site->get('logger.channel.kafka_queue')->messages('notice');
    $this->assertCount(4, $log);
    $this->assertStringContainsString('4 partitions, replication factor 1', $log[0]);

    $again = $topics->provision(2, 1);
    $this->assertSame(['exists'], array_values(array_unique(array_column($again, 'action'))), 'Provisioning is idempotent');

    $more = $topics->provision(3, 1);
    $this->assertSame([TopicManager::PARTITIONS_DIFFER], array_values(array_unique(array_column($more, 'action'))));
    $this->assertSame([4, 4, 4, 4], array_column($more, 'partitions'), 'Existing topics are left as they are');
    $this->assertCount(4, $site->get('logger.channel.kafka_queue')->messages('warning'));

    // The queues work at once.
    $queue = $site->get('queue')->get($a);
    $queue->createQueue();
    $queue->createItem('hello');
    $this->assertSame('hello', $queue->claimItem(30)->data);
  }

  /**
   * Tests the defaults from settings and the validation of the numbers.
   */
  public function testProvisionDefaultsAndValidation(): void {
    $name = self::queueName();
    $site = self::site(self::siteSettings(['extra_queues' => [$name], 'provision' => ['web_servers' => 3]]));
    $rows = $site->get('kafka_queue.topic_manager')->provision(NULL, NULL, TRUE);
    $this->assertSame(6, $rows[0]['partitions']);

    $bare = self::site(self::siteSettings(['extra_queues' => [$name]]));
    try {
      $bare->get('kafka_queue.topic_manager')->provision();
      $this->fail('Provisioned without a number of web servers');
    }
    catch (\InvalidArgumentException $e) {
      $this->assertStringContainsString('--web-servers', $e->getMessage());
    }
    $this->expectException(\InvalidArgumentException::class);
    $bare->get('kafka_queue.topic_manager')->provision(0);
  }

  /**
   * Tests that provisioning uses the separate admin credentials.
   */
  public function testProvisionUsesAdminCredentials(): void {
    $name = self::queueName();
    // The site's brokers are unreachable; only the admin settings reach Kafka.
    $settings = self::siteSettings([
      'bootstrap.servers' => '127.0.0.1:1',
      'extra_queues' => [$name],
      'admin' => ['bootstrap.servers' => self::brokers()],
    ]);
    $rows = self::site($settings)->get('kafka_queue.topic_manager')->provision(1, 1);
    $this->assertSame('created', $rows[0]['action']);
  }

  /**
   * Tests the status rows behind "drush kafka-queue:status".
   */
  public function testStatus(): void {
    [$busy, $empty, $missing] = [self::queueName('busy'), self::queueName('empty'), self::queueName('missing')];
    $workers = new TestQueueWorkerManager([$busy => ['id' => $busy], $empty => ['id' => $empty], $missing => ['id' => $missing]]);
    $site = self::site(self::siteSettings(['provision' => ['web_servers' => 2]]), $workers);
    self::provisionTopics([$busy, $empty], 4);

    $queue = $site->get('queue')->get($busy);
    $queue->createQueue();
    for ($i = 0; $i < 5; $i++) {
      $queue->createItem($i);
    }
    $first = $queue->claimItem(60);
    $second = $queue->claimItem(60);
    $this->assertTrue($queue->deleteItem($first));
    $site->get('queue')->get($empty)->deleteQueue();

    $rows = $site->get('kafka_queue.status')->rows();
    $this->assertEqualsCanonicalizing([$busy, $empty, $missing], array_keys($rows));

    $row = $rows[$busy];
    $this->assertSame(['queue', 'topic', 'partitions', 'items', 'claimed', 'deleted_list', 'group', 'group_state', 'members', 'drupal_state', 'problem', 'detail'], array_keys($row), 'Columns in a stable order');
    $this->assertSame(self::topicPrefix() . $busy, $row['topic']);
    $this->assertSame(4, $row['partitions']);
    $this->assertSame(4, $row['items'], 'Five created, one deleted; the claimed one counts');
    $this->assertSame(1, $row['claimed'], 'The claim held by this process');
    // A deletion at the head of a partition moves the committed offset
    // instead of growing the deleted list.
    $this->assertIsInt($row['deleted_list']);
    $this->assertSame('kqtest-' . self::runId() . '.' . $row['topic'], $row['group']);
    $this->assertIsString($row['group_state']);
    $this->assertIsInt($row['members']);
    $this->assertSame('available', $row['drupal_state']);
    $this->assertSame('', $row['problem']);
    $this->assertCount(4, $row['detail']);
    $this->assertSame(4, array_sum(array_column($row['detail'], 'items')));

    $this->assertSame(0, $rows[$empty]['items']);
    $this->assertSame('deleted', $rows[$empty]['drupal_state']);
    $this->assertSame('', $rows[$empty]['problem']);

    $this->assertNull($rows[$missing]['items']);
    $this->assertSame('none', $rows[$missing]['drupal_state']);
    $this->assertSame(self::topicPrefix() . $missing, $rows[$missing]['topic']);
    $this->assertStringContainsString('drush kafka-queue:provision', $rows[$missing]['problem']);

    // One queue by name; the partition count is checked against the setting.
    $site3 = self::site(self::siteSettings(['provision' => ['web_servers' => 3]]), $workers);
    $only = $site3->get('kafka_queue.status')->rows([$busy]);
    $this->assertSame([$busy], array_keys($only));
    $this->assertStringContainsString('4 partitions, 6 expected', $only[$busy]['problem']);
    $this->assertTrue($queue->releaseItem($second));
  }

  /**
   * Tests the status when the brokers cannot be reached: bounded and loud.
   */
  public function testStatusUnreachable(): void {
    $name = self::queueName();
    $site = self::site(self::siteSettings(['bootstrap.servers' => '127.0.0.1:1', 'timeout_ms' => 1500, 'extra_queues' => [$name]]));
    $start = microtime(TRUE);
    try {
      $site->get('kafka_queue.status')->rows();
      $this->fail('No error with unreachable brokers');
    }
    catch (\KafkaQueueException $e) {
      $this->assertNotSame('', $e->getMessage());
    }
    $this->assertLessThan(10, microtime(TRUE) - $start, 'Bounded by timeout_ms');
  }

}
