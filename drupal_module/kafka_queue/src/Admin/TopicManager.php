<?php

declare(strict_types=1);

namespace Drupal\kafka_queue\Admin;

use Drupal\kafka_queue\KafkaQueueRegistry;
use Drupal\kafka_queue\KafkaQueueSettings;
use Drupal\kafka_queue\NativeExtension;
use Psr\Log\LoggerInterface;

/**
 * The site's Kafka topics: provisioned at deploy time, inspected at run time.
 *
 * Nothing else creates topics: Kafka usually runs where the site's own
 * credentials may read, write and commit, but not create topics. Provisioning
 * may therefore use separate credentials ($settings['kafka_queue']['admin']);
 * inspection uses the site's own.
 */
class TopicManager {

  /**
   * Row action: the topic was there already.
   */
  public const EXISTS = 'exists';

  /**
   * Row action: the topic was created.
   */
  public const CREATED = 'created';

  /**
   * Row action: a dry run found the topic missing.
   */
  public const WOULD_CREATE = 'would create';

  /**
   * Row action: the topic exists with another partition count.
   */
  public const PARTITIONS_DIFFER = 'partition count differs';

  /**
   * Constructs a TopicManager.
   *
   * @param \Drupal\kafka_queue\KafkaQueueSettings $settings
   *   The module's settings.
   * @param \Drupal\kafka_queue\KafkaQueueRegistry $registry
   *   The queues on Kafka.
   * @param \Psr\Log\LoggerInterface $logger
   *   The module's logger channel.
   */
  public function __construct(
    protected KafkaQueueSettings $settings,
    protected KafkaQueueRegistry $registry,
    protected LoggerInterface $logger,
  ) {}

  /**
   * The partition count for a number of web servers: two per server.
   *
   * @param int $webServers
   *   The number of web servers (or other hosts that consume the queues).
   *
   * @return int
   *   The number of partitions per topic.
   */
  public static function partitionsFor(int $webServers): int {
    return 2 * $webServers;
  }

  /**
   * Creates the missing topics of the site's queues. Idempotent.
   *
   * The queues are every QueueWorker plugin and every extra queue, whether or
   * not settings.php routes them to Kafka yet.
   *
   * @see \Drupal\kafka_queue\KafkaQueueRegistry::provisionNames()
   *
   * @param int|null $webServers
   *   The number of web servers; NULL for the 'provision' setting.
   * @param int|null $replicationFactor
   *   The replication factor; NULL for the 'provision' setting, else 1.
   * @param bool $dryRun
   *   TRUE to create nothing and report what would be created.
   *
   * @return array[]
   *   One row per queue, sorted by queue name: 'queue', 'topic', 'partitions'
   *   and 'action' (one of the class constants).
   *
   * @throws \InvalidArgumentException
   *   On a missing or invalid number, or malformed settings.
   * @throws \KafkaQueueException
   *   When Kafka refuses or cannot be reached.
   */
  public function provision(?int $webServers = NULL, ?int $replicationFactor = NULL, bool $dryRun = FALSE): array {
    $webServers ??= $this->settings->webServers();
    if ($webServers === NULL) {
      throw new \InvalidArgumentException('The number of web servers is missing: pass --web-servers=N, or set $settings[\'kafka_queue\'][\'provision\'][\'web_servers\'].');
    }
    $replicationFactor ??= $this->settings->replicationFactor() ?? 1;
    if ($webServers < 1 || $replicationFactor < 1) {
      throw new \InvalidArgumentException('The number of web servers and the replication factor must be at least 1.');
    }
    $names = $this->registry->provisionNames();
    if (!$names) {
      return [];
    }
    $partitions = static::partitionsFor($webServers);
    $rows = $this->admin(TRUE)->provision($names, $partitions, $replicationFactor, $dryRun);
    foreach ($rows as $row) {
      $context = [
        '@queue' => $row['queue'],
        '@topic' => $row['topic'],
        '@partitions' => $row['partitions'],
        '@expected' => $partitions,
        '@replication' => $replicationFactor,
      ];
      if ($row['action'] === self::CREATED) {
        $this->logger->notice('Created Kafka topic @topic for queue @queue: @partitions partitions, replication factor @replication.', $context);
      }
      elseif ($row['action'] === self::PARTITIONS_DIFFER) {
        $this->logger->warning('Kafka topic @topic of queue @queue has @partitions partitions, not @expected: left as it is. Fewer partitions than consuming processes leave some idle; Kafka can add partitions but never remove them.', $context);
      }
    }
    return $rows;
  }

  /**
   * Finds which topics exist, with the site's own credentials. Creates none.
   *
   * @param string[] $names
   *   Queue names.
   *
   * @return array[]
   *   Keyed by queue name: 'queue', 'topic', 'partitions', 'action' (as in
   *   provision()'s dry run), 'exists' (bool) and 'expected_partitions'
   *   (int, or NULL when no number of web servers is configured).
   *
   * @throws \KafkaQueueException
   *   When Kafka cannot be reached.
   */
  public function inspect(array $names): array {
    if (!$names) {
      return [];
    }
    $webServers = $this->settings->webServers();
    $expected = $webServers === NULL ? NULL : static::partitionsFor($webServers);
    $rows = [];
    foreach ($this->admin(FALSE)->provision(array_values($names), $expected ?? 1, 1, TRUE) as $row) {
      $row['exists'] = $row['action'] !== self::WOULD_CREATE;
      $row['expected_partitions'] = $expected;
      $rows[$row['queue']] = $row;
    }
    return $rows;
  }

  /**
   * An admin client.
   *
   * @param bool $deploy
   *   TRUE to use the deploy-time credentials.
   */
  protected function admin(bool $deploy): \KafkaQueueAdmin {
    NativeExtension::assertLoaded();
    return new \KafkaQueueAdmin($this->settings->adminConfig($deploy));
  }

}
