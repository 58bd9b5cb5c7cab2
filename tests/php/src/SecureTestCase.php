<?php

declare(strict_types=1);

namespace KafkaQueue\Tests;

/**
 * Helpers of the tests against the secured broker (scripts/kafka/secure.sh).
 *
 * The configuration is the "Secured clusters" settings.php block of docs/drupal.md, evaluated as
 * it is written there; the users, passwords, CA and authorizer log come from the broker's
 * users.ini (.kafka/data/secure/, or KAFKA_QUEUE_SECURE_DIR).
 */
abstract class SecureTestCase extends KafkaTestCase {

  /**
   * The keys of $settings['kafka_queue'] that are the Drupal module's, not the extension's.
   */
  private const MODULE_KEYS = ['admin', 'provision', 'queues', 'extra_queues'];

  private static ?array $broker = NULL;

  protected static function repoRoot(): string {
    return dirname(__DIR__, 3);
  }

  /**
   * The secured broker's users.ini: [broker] bootstrap, ca, other_ca, authorizer_log, [passwords].
   */
  protected static function broker(): array {
    if (self::$broker === NULL) {
      $dir = getenv('KAFKA_QUEUE_SECURE_DIR') ?: static::repoRoot() . '/.kafka/data/secure';
      $ini = is_readable("$dir/users.ini") ? parse_ini_file("$dir/users.ini", TRUE) : FALSE;
      if (!$ini || !isset($ini['broker'], $ini['passwords'])) {
        self::fail("the secured broker is not running ($dir/users.ini is missing): make kafka-secure-start");
      }
      self::$broker = $ini;
    }
    return self::$broker;
  }

  protected static function password(string $user): string {
    $passwords = static::broker()['passwords'];
    self::assertArrayHasKey($user, $passwords, "no user $user on the secured broker");
    return $passwords[$user];
  }

  /**
   * The first ```php block after the heading "## Secured clusters" of a file of the repository.
   */
  protected static function settingsBlock(string $file): string {
    $text = file_get_contents(static::repoRoot() . '/' . $file);
    self::assertIsString($text, "cannot read $file");
    $found = preg_match('/^## Secured clusters\n.*?^```php\n(.*?)^```$/ms', $text, $m);
    self::assertSame(1, $found, "$file has no ```php block under \"## Secured clusters\"");
    return $m[1];
  }

  /**
   * $settings['kafka_queue'] as docs/drupal.md's block sets it, in this test's environment.
   */
  protected static function settings(): array {
    $broker = static::broker()['broker'];
    $environment = [
      'KAFKA_BROKERS' => $broker['bootstrap'],
      'KAFKA_CA_FILE' => $broker['ca'],
      'KAFKA_PASSWORD' => static::password('mysite-prod'),
      'KAFKA_ADMIN_PASSWORD' => static::password('mysite-deployer'),
    ];
    foreach ($environment as $name => $value) {
      putenv("$name=$value");
    }
    $settings = [];
    eval(static::settingsBlock('docs/drupal.md'));
    foreach (array_keys($environment) as $name) {
      putenv($name);
    }
    self::assertIsArray($settings['kafka_queue'] ?? NULL, 'the block sets $settings[\'kafka_queue\']');
    return $settings['kafka_queue'];
  }

  /**
   * The extension's configuration at run time: the block without the module's keys.
   */
  protected static function runTimeConfig(array $overrides = []): array {
    return $overrides + array_diff_key(static::settings(), array_flip(self::MODULE_KEYS));
  }

  /**
   * Provisioning's configuration: the 'admin' keys over the run-time ones, as the module does.
   */
  protected static function deployerConfig(): array {
    return (static::settings()['admin'] ?? []) + static::runTimeConfig();
  }

  /**
   * The run-time configuration as another user of the secured broker.
   */
  protected static function configFor(string $user, array $overrides = []): array {
    return static::runTimeConfig($overrides + [
      'sasl.username' => $user,
      'sasl.password' => static::password($user),
    ]);
  }

  /**
   * Creates the topic of a queue as the deployer; returns the topic.
   */
  protected static function provisionSecured(string $name, int $partitions = 2): string {
    $rows = (new \KafkaQueueAdmin(static::deployerConfig()))->provision([$name], $partitions, 1);
    self::assertSame('created', $rows[0]['action']);
    return $rows[0]['topic'];
  }

  protected static function securedQueue(string $name, array $config): \KafkaQueue {
    return new \KafkaQueue($name, $config + ['claim_wait_ms' => 2000]);
  }

  /**
   * The class constant of KafkaQueueException named $name (its getCode() values).
   */
  protected static function code(string $name): int {
    $constant = \KafkaQueueException::class . '::' . $name;
    self::assertTrue(defined($constant), "$constant is not defined");
    return constant($constant);
  }

  /**
   * The size of the broker's authorizer log: where the lines of what follows begin.
   */
  protected static function authorizerLogOffset(): int {
    clearstatcache();
    $file = static::broker()['broker']['authorizer_log'];
    return is_file($file) ? filesize($file) : 0;
  }

  /**
   * The authorizer log's "Denied" lines for User:$user written since $offset.
   *
   * With $queue, lines about the topic or group of another queue are left out: clients that
   * earlier tests of this process left open still talk to the broker.
   */
  protected static function deniedSince(int $offset, string $user, ?string $queue = NULL): array {
    $file = static::broker()['broker']['authorizer_log'];
    clearstatcache();
    if (!is_file($file) || filesize($file) <= $offset) {
      return [];
    }
    $lines = explode("\n", (string) file_get_contents($file, FALSE, NULL, $offset));
    return array_values(array_filter($lines, function (string $line) use ($user, $queue): bool {
      if (!str_contains($line, "Principal = User:$user is Denied")) {
        return FALSE;
      }
      return $queue === NULL || !preg_match('/mysite\.prod\.(\w+)/', $line, $m) || $m[1] === $queue;
    }));
  }

  /**
   * Runs $call, which must throw a KafkaQueueException; returns it and the milliseconds it took.
   */
  protected static function timedFailure(callable $call): array {
    $start = hrtime(TRUE);
    try {
      $call();
    }
    catch (\KafkaQueueException $e) {
      return [$e, (hrtime(TRUE) - $start) / 1e6];
    }
    self::fail('no KafkaQueueException was thrown');
  }

}
