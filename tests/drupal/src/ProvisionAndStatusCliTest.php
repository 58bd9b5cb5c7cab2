<?php

declare(strict_types=1);

namespace KafkaQueue\DrupalCli;

use PHPUnit\Framework\TestCase;

/**
 * The module's Drush commands and status report on a real site.
 *
 * Runs the commands of docs/drupal.md verbatim: kafka-queue:provision with
 * and without options, --dry-run and every output format, kafka-queue:status
 * with and without arguments, drush core:requirements (the status report),
 * with core's Update module too, and drush pmu / en.
 */
class ProvisionAndStatusCliTest extends TestCase {

  /**
   * The test workers' queues (the QueueWorker plugins of the site).
   */
  private const WORKERS = [
    'kafka_queue_test_delay',
    'kafka_queue_test_fail',
    'kafka_queue_test_ok',
    'kafka_queue_test_requeue',
    'kafka_queue_test_suspend',
  ];

  /**
   * A queue without QueueWorker, listed in extra_queues.
   */
  private const EXTRA = 'kq_extra_jobs';

  /**
   * A queue without QueueWorker, routed by queue_service_NAME.
   */
  private const NAMED = 'kq_named_jobs';

  /**
   * Drush's output formats, but xml.
   *
   * Drush's xml formatter (consolidation/output-formatters) drops integer
   * values, and warns; its other formats are all checked.
   */
  private const FORMATS = ['csv', 'json', 'list', 'php', 'print-r', 'sections', 'string', 'table', 'tsv', 'var_dump', 'var_export', 'yaml'];

  /**
   * The site.
   */
  private static DrupalSite $site;

  /**
   * The topic prefix of this class.
   */
  private static string $prefix;

  /**
   * Settings file: every queue on Kafka, provision defaults of one server.
   */
  private static string $settings;

  /**
   * Settings file: as self::$settings, without the provision defaults.
   */
  private static string $noDefaults;

  /**
   * Settings file: nothing routed to Kafka, no extra queue.
   */
  private static string $unrouted;

  /**
   * {@inheritdoc}
   */
  public static function setUpBeforeClass(): void {
    parent::setUpBeforeClass();
    self::$site = DrupalSite::get();
    $id = bin2hex(random_bytes(4));
    self::$prefix = "kqadm.$id.";
    $kafka = [
      'bootstrap.servers' => DrupalSite::brokers(),
      'group.id' => "kqadm-$id",
      'topic_prefix' => self::$prefix,
      'timeout_ms' => 10000,
      'extra_queues' => [self::EXTRA],
    ];
    $routes = [
      'queue_default' => 'queue.kafka',
      'queue_service_' . self::NAMED => 'queue.kafka',
    ];
    self::$settings = self::$site->settingsFile("admin-$id", $routes + [
      'kafka_queue' => $kafka + ['provision' => ['web_servers' => 1, 'replication_factor' => 1]],
    ]);
    self::$noDefaults = self::$site->settingsFile("admin-$id-no-defaults", $routes + ['kafka_queue' => $kafka]);
    self::$unrouted = self::$site->settingsFile("admin-$id-unrouted", ['kafka_queue' => array_diff_key($kafka, ['extra_queues' => TRUE])]);
  }

  /**
   * Every queue that provisioning covers, sorted.
   */
  private static function provisioned(): array {
    $names = array_merge(self::WORKERS, [self::EXTRA, self::NAMED]);
    sort($names);
    return $names;
  }

  /**
   * The provisioning commands of docs/drupal.md, in a deploy's order.
   */
  public function testProvision(): void {
    // The defaults come from settings.php's 'provision'; without them and
    // without --web-servers, the command refuses, saying what to do.
    $this->drush('kafka-queue:provision --dry-run', self::$noDefaults)
      ->assertFailsWith("The number of web servers is missing: pass --web-servers=N, or set \$settings['kafka_queue']['provision']['web_servers'].");
    $this->drush('kafka-queue:provision --web-servers=0 --dry-run')->assertFailsWith('--web-servers must be a positive integer.');

    $dry = $this->drush('kafka-queue:provision --web-servers=3 --dry-run')->assertOk();
    $this->assertTableRows($dry, 6, 'would create');

    // One broker here: a replication factor of 3 is refused, and nothing is
    // created.
    $this->drush('kafka-queue:provision --web-servers=3 --replication-factor=3')
      ->assertFailsWith('the replication factor (3) is larger than the number of brokers of the cluster');
    $this->assertActions('would create', $this->drush('kafka-queue:provision --dry-run --format=json')->json());

    // settings.php's defaults: one web server, two partitions.
    $rows = $this->drush('kafka-queue:provision --format=json')->json();
    $this->assertActions('created', $rows);
    foreach ($rows as $row) {
      $this->assertSame(self::$prefix . $row['queue'], $row['topic']);
      $this->assertSame(2, $row['partitions']);
    }

    $again = $this->drush('kafka-queue:provision')->assertOk();
    $this->assertTableRows($again, 2, 'exists');
    $differs = $this->drush('kafka-queue:provision --web-servers=3 --dry-run')->assertOk();
    $this->assertTableRows($differs, 2, 'partition count differs');
    $this->drush('kafka-queue:provision --web-servers=3 --replication-factor=1')->assertOk();

    // Every output format, through Drush's formatters.
    foreach (self::FORMATS as $format) {
      $result = $this->drush("kafka-queue:provision --dry-run --format=$format")->assertOk($format);
      foreach (self::provisioned() as $queue) {
        $this->assertStringContainsString($queue, $result->stdout, $result->describe("--format=$format"));
      }
    }
    $this->assertSame(self::provisioned(), explode("\n", trim($this->drush('kafka-queue:provision --dry-run --format=list')->stdout)));
    $this->assertSame('', $this->drush('kafka-queue:provision --dry-run --format=null')->assertOk()->stdout);
  }

  /**
   * The status commands of docs/drupal.md.
   *
   * @depends testProvision
   */
  public function testStatus(): void {
    self::$site->php("\$q = \\Drupal::queue('kafka_queue_test_ok'); \$q->createQueue(); \$q->createItem(1); \$q->createItem(2);", self::$settings)->assertOk();

    $table = $this->drush('kafka-queue:status')->assertOk();
    $rows = $this->tableRows($table);
    $this->assertSame(self::provisioned(), array_keys($rows), $table->describe('one row per queue on Kafka'));
    foreach ($rows as $queue => $cells) {
      $this->assertSame(self::$prefix . $queue, $cells[1], "$queue: topic");
      $this->assertSame('2', $cells[2], "$queue: partitions");
      $this->assertSame($queue === 'kafka_queue_test_ok' ? '2' : '0', $cells[3], "$queue: items");
      $this->assertCount(9, $cells, $table->describe("$queue: no problem"));
    }

    $named = $this->drush('kafka-queue:status mymodule_mail,update_fetch_tasks')->assertOk();
    $rows = $this->tableRows($named);
    $this->assertSame(['mymodule_mail', 'update_fetch_tasks'], array_keys($rows), $named->describe('the named queues'));
    foreach (['mymodule_mail', 'update_fetch_tasks'] as $queue) {
      $this->assertStringContainsString("[warning] $queue: This queue does not run on Kafka: settings.php does not route it to queue.kafka. The topic does not exist: run \"drush kafka-queue:provision\".", $named->stderr, $named->describe('problems are logged'));
    }

    $json = $this->drush('kafka-queue:status --format=json')->json();
    $ok = $json['kafka_queue_test_ok'];
    $this->assertSame(2, $ok['items']);
    $this->assertSame('', $ok['problem']);
    $this->assertStringStartsWith('kqadm-', $ok['group']);
    $this->assertSame('available', $ok['drupal_state']);
    $this->assertCount(2, $ok['detail'], 'one entry per partition');
    $this->assertSame(2, array_sum(array_column($ok['detail'], 'items')));
    foreach ($ok['detail'] as $partition) {
      $this->assertSame(['partition', 'low', 'high', 'committed', 'lag', 'owner', 'deleted', 'items'], array_keys($partition));
    }

    $csv = $this->drush('kafka-queue:status --fields=queue,items,problem --format=csv')->assertOk();
    $lines = explode("\n", trim($csv->stdout));
    $this->assertSame('Queue,Items,Problem', array_shift($lines), $csv->describe('CSV header'));
    $this->assertContains('kafka_queue_test_ok,2,', $lines, $csv->describe('CSV rows'));
    $this->assertCount(count(self::provisioned()), $lines);

    foreach (self::FORMATS as $format) {
      $result = $this->drush("kafka-queue:status --format=$format")->assertOk($format);
      $this->assertStringContainsString('kafka_queue_test_ok', $result->stdout, $result->describe("--format=$format"));
    }
  }

  /**
   * The status report, and core's queues without QueueWorker.
   *
   * @depends testProvision
   */
  public function testStatusReport(): void {
    // docs/drupal.md's check that Drush's PHP has the extension.
    $this->assertSame('kafka_queue', trim(self::$site->shell('php -m | grep kafka_queue')->assertOk()->stdout));

    $lines = $this->requirements(self::$settings);
    $this->assertSame('OK', $lines['kafka_queue_extension']['severity']);
    $this->assertSame('OK', $lines['kafka_queue_settings']['severity']);
    $this->assertStringContainsString(count(self::provisioned()) . ' queues on Kafka', $lines['kafka_queue_settings']['value']);
    $this->assertSame('OK', $lines['kafka_queue_brokers']['severity']);
    $this->assertSame('OK', $lines['kafka_queue_topics']['severity'], print_r($lines['kafka_queue_topics'], TRUE));

    // Nothing routed: a warning that says what to add.
    $lines = $this->requirements(self::$unrouted);
    $this->assertSame('Warning', $lines['kafka_queue_settings']['severity']);
    $this->assertStringContainsString("queue_default'] = 'queue.kafka';", $this->oneLine($lines['kafka_queue_settings']['description']));

    // Core's Update module uses update_fetch_tasks, which is no QueueWorker:
    // it stays on the database, and the status report is unaffected.
    $this->drush('en update')->assertOk();
    try {
      $lines = $this->requirements(self::$settings);
      $this->assertSame('OK', $lines['kafka_queue_topics']['severity'], print_r($lines['kafka_queue_topics'], TRUE));
      // The Update module's own fetch tasks and this one, all in the database.
      $code = "\$q = \\Drupal::queue('update_fetch_tasks'); \$q->createItem(['project' => 'x']);"
        . " echo get_class(\$q), ' ', \$q->numberOfItems() === (int) \\Drupal::database()->query(\"SELECT COUNT(*) FROM {queue} WHERE name = 'update_fetch_tasks'\")->fetchField() ? 'in the queue table' : 'elsewhere';"
        . " \$q->deleteQueue();";
      $class = self::$site->php($code, self::$settings)->assertOk();
      $this->assertSame('Drupal\Core\Queue\DatabaseQueue in the queue table', trim($class->stdout));
    }
    finally {
      $this->drush('pmu update')->assertOk();
    }
  }

  /**
   * Uninstalling as docs/drupal.md says: routing lines first, then pmu.
   *
   * @depends testStatus
   */
  public function testUninstall(): void {
    $this->assertSame('available', $this->drupalState('kafka_queue_test_ok'));
    try {
      $this->drush('pmu kafka_queue', self::$unrouted)->assertOk();
      // What docs/drupal.md says happens with routing lines left in place.
      $this->drush('queue:list')->assertFailsWith('You have requested a non-existent service "queue.kafka"');
    }
    finally {
      $this->drush('en kafka_queue', self::$unrouted)->assertOk();
    }
    // The Drupal-side state was forgotten; Kafka kept the items.
    $this->assertSame('none', $this->drupalState('kafka_queue_test_ok'));
    $this->assertSame(2, $this->drush('kafka-queue:status --format=json')->json()['kafka_queue_test_ok']['items']);
  }

  /**
   * Asserts the table rows of provisioning: every queue, its partitions and action.
   */
  private function assertTableRows(Result $result, int $partitions, string $action): void {
    $rows = $this->tableRows($result);
    $this->assertSame(self::provisioned(), array_keys($rows), $result->describe('one row per queue'));
    foreach ($rows as $queue => $cells) {
      $this->assertSame([$queue, self::$prefix . $queue, (string) $partitions, $action], $cells, $result->describe($queue));
    }
  }

  /**
   * Asserts every row of provisioning's JSON has one action.
   */
  private function assertActions(string $action, array $rows): void {
    $this->assertSame(self::provisioned(), array_keys($rows));
    $this->assertSame(array_fill(0, count($rows), $action), array_values(array_column($rows, 'action')));
  }

  /**
   * The rows of a Drush table, keyed by their first cell.
   *
   * @return string[][]
   *   The cells of each row (columns are separated by two spaces or more).
   */
  private function tableRows(Result $result): array {
    $lines = array_values(array_filter(explode("\n", $result->stdout), static fn($line) => trim($line) !== '' && !str_starts_with(trim($line), '---')));
    // The first line holds the headers.
    array_shift($lines);
    $rows = [];
    foreach ($lines as $line) {
      $cells = preg_split('/\s{2,}/', trim($line));
      $rows[$cells[0]] = $cells;
    }
    return $rows;
  }

  /**
   * The module's lines of the status report (drush core:requirements).
   */
  private function requirements(string $settings): array {
    $lines = [];
    foreach (self::$site->drush('core:requirements --format=json', $settings)->json() as $key => $line) {
      if (str_starts_with((string) $key, 'kafka_queue_')) {
        $lines[$key] = $line;
      }
    }
    $this->assertNotEmpty($lines, 'the status report has the module\'s lines');
    return $lines;
  }

  /**
   * Drush's wrapped text on one line.
   */
  private function oneLine(string $text): string {
    return preg_replace('/\s+/', ' ', $text);
  }

  /**
   * The Drupal state of a queue, from kafka-queue:status.
   */
  private function drupalState(string $queue): string {
    return $this->drush('kafka-queue:status --format=json')->json()[$queue]['drupal_state'];
  }

  /**
   * Runs drush, with every queue on Kafka unless told otherwise.
   */
  private function drush(string $command, ?string $settings = NULL): Result {
    return self::$site->drush($command, $settings ?? self::$settings);
  }

}
