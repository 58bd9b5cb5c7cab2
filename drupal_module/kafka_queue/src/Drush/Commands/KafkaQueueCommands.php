<?php

declare(strict_types=1);

namespace Drupal\kafka_queue\Drush\Commands;

use Consolidation\OutputFormatters\StructuredData\RowsOfFields;
use Drupal\kafka_queue\Admin\QueueStatus;
use Drupal\kafka_queue\Admin\TopicManager;
use Drush\Attributes as CLI;
use Drush\Commands\AutowireTrait;
use Drush\Commands\DrushCommands;

/**
 * Drush commands of the Kafka Queue module.
 *
 * Thin wrappers: the work is done by the module's services. Drush 12.5+
 * finds the class by its namespace and builds it through AutowireTrait, which
 * passes the services named by the constructor's parameter types.
 *
 * Option descriptions must not contain "Default:": Drush's parser takes what
 * follows it as the option's default value.
 */
final class KafkaQueueCommands extends DrushCommands {

  use AutowireTrait;

  /**
   * Output formats that can show nested data, such as the partitions detail.
   */
  private const STRUCTURED_FORMATS = ['json', 'yaml', 'php', 'var_export', 'print-r', 'var_dump'];

  /**
   * Constructs a KafkaQueueCommands object.
   *
   * @param \Drupal\kafka_queue\Admin\TopicManager $topicManager
   *   The topic manager.
   * @param \Drupal\kafka_queue\Admin\QueueStatus $queueStatus
   *   The queue status service.
   */
  public function __construct(
    private readonly TopicManager $topicManager,
    private readonly QueueStatus $queueStatus,
  ) {
    parent::__construct();
  }

  /**
   * Creates the Kafka topics of every queue of the site. Run at deploy time.
   *
   * The queues are every QueueWorker plugin, every queue that settings.php
   * routes to queue.kafka by name (queue_service_NAME) and every name in
   * $settings['kafka_queue']['extra_queues'], whether or not settings.php
   * routes them to queue.kafka yet: run it before switching queues to Kafka.
   * Existing topics are left as they are, so the command is safe to repeat.
   * It uses $settings['kafka_queue']['admin'] credentials when they are set.
   */
  #[CLI\Command(name: 'kafka-queue:provision', aliases: ['kq-provision'])]
  #[CLI\Option(name: 'web-servers', description: 'Number of web servers (hosts that consume the queues); each topic gets twice as many partitions. When left out: $settings[\'kafka_queue\'][\'provision\'][\'web_servers\'].')]
  #[CLI\Option(name: 'replication-factor', description: 'Replicas of each partition. When left out: $settings[\'kafka_queue\'][\'provision\'][\'replication_factor\'], else 1.')]
  #[CLI\Option(name: 'dry-run', description: 'Report what would be created; create nothing.')]
  #[CLI\Usage(name: 'drush kafka-queue:provision --web-servers=3 --replication-factor=3', description: 'Create the missing topics with 6 partitions and 3 replicas each.')]
  #[CLI\Usage(name: 'drush kafka-queue:provision --web-servers=3 --dry-run', description: 'Show which topics are missing.')]
  #[CLI\FieldLabels(labels: [
    'queue' => 'Queue',
    'topic' => 'Topic',
    'partitions' => 'Partitions',
    'action' => 'Action',
  ])]
  #[CLI\DefaultTableFields(fields: ['queue', 'topic', 'partitions', 'action'])]
  #[CLI\FilterDefaultField(field: 'queue')]
  public function provision(array $options = ['web-servers' => self::REQ, 'replication-factor' => self::REQ, 'dry-run' => FALSE, 'format' => 'table']): RowsOfFields {
    $replicationFactor = $this->positiveInt($options['replication-factor'], 'replication-factor');
    try {
      $rows = $this->topicManager->provision(
        $this->positiveInt($options['web-servers'], 'web-servers'),
        $replicationFactor,
        (bool) $options['dry-run'],
      );
    }
    catch (\KafkaQueueException $e) {
      if (str_contains($e->getMessage(), 'InvalidReplicationFactor')) {
        throw new \RuntimeException(dt('@message: the replication factor (@factor) is larger than the number of brokers of the cluster. Pass --replication-factor with at most that number.', [
          '@message' => $e->getMessage(),
          '@factor' => $replicationFactor ?? 'from settings.php',
        ]), $e->getCode(), $e);
      }
      throw $e;
    }
    if (!$rows) {
      $this->logger()->warning(dt('The site has no QueueWorker plugin and no extra queue: nothing to provision.'));
    }
    // Keyed by queue name, so that --format=list prints the queue names.
    return new RowsOfFields(array_column($rows, NULL, 'queue'));
  }

  /**
   * Shows the state of the site's Kafka queues.
   *
   * Items counts created items not yet deleted, claimed ones included, as
   * "drush queue:list" does. Claimed counts the claims of this process only
   * (leases live in the worker that claimed), so it is 0 from Drush. Members
   * is the number of processes consuming the queue right now. Drupal state is
   * what the site last did with the queue: createQueue() (available),
   * deleteQueue() (deleted), or neither (none). The structured formats (json,
   * yaml, php, var_export, print-r, var_dump) add the per-partition figures
   * (detail).
   */
  #[CLI\Command(name: 'kafka-queue:status', aliases: ['kq-status'])]
  #[CLI\Argument(name: 'queues', description: 'Comma-separated queue names; when left out, every queue of the site that runs on Kafka.')]
  #[CLI\Usage(name: 'drush kafka-queue:status', description: 'One line per queue on Kafka.')]
  #[CLI\Usage(name: 'drush kafka-queue:status mymodule_mail --format=json', description: 'One queue, with per-partition figures.')]
  #[CLI\FieldLabels(labels: [
    'queue' => 'Queue',
    'topic' => 'Topic',
    'partitions' => 'Partitions',
    'items' => 'Items',
    'claimed' => 'Claimed here',
    'deleted_list' => 'Deleted list',
    'group' => 'Consumer group',
    'group_state' => 'Group state',
    'members' => 'Members',
    'drupal_state' => 'Drupal state',
    'problem' => 'Problem',
    'detail' => 'Partitions detail',
  ])]
  #[CLI\DefaultTableFields(fields: ['queue', 'topic', 'partitions', 'items', 'claimed', 'deleted_list', 'group_state', 'members', 'drupal_state', 'problem'])]
  #[CLI\FilterDefaultField(field: 'queue')]
  public function status(string $queues = '', array $options = ['format' => 'table']): RowsOfFields {
    $names = array_values(array_filter(array_map('trim', explode(',', $queues)), 'strlen'));
    $rows = $this->queueStatus->rows($names);
    $structured = in_array($options['format'], self::STRUCTURED_FORMATS, TRUE);
    foreach ($rows as &$row) {
      if ($row['problem'] !== '') {
        $this->logger()->warning(dt('@queue: @problem', ['@queue' => $row['queue'], '@problem' => $row['problem']]));
      }
      // Tables, sections, CSV... have no cell for a list of partitions.
      if (!$structured) {
        unset($row['detail']);
      }
    }
    return new RowsOfFields($rows);
  }

  /**
   * Reads a positive integer option.
   *
   * @param mixed $value
   *   The option's value; NULL when not given.
   * @param string $name
   *   The option's name, for the message.
   *
   * @return int|null
   *   The number, or NULL when not given.
   *
   * @throws \InvalidArgumentException
   *   When the value is not a positive integer.
   */
  private function positiveInt(mixed $value, string $name): ?int {
    if ($value === NULL || $value === '') {
      return NULL;
    }
    if (filter_var($value, FILTER_VALIDATE_INT, ['options' => ['min_range' => 1]]) === FALSE) {
      throw new \InvalidArgumentException(dt('--@name must be a positive integer.', ['@name' => $name]));
    }
    return (int) $value;
  }

}
