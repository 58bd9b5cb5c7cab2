<?php

declare(strict_types=1);

namespace Drupal\kafka_queue;

use Drupal\Core\Site\Settings;

/**
 * The module's configuration, read from $settings['kafka_queue'].
 *
 * Everything lives in settings.php, never in configuration: brokers and
 * credentials differ per environment and must not be exported with the
 * site's configuration. Example:
 *
 * @code
 * $settings['queue_default'] = 'queue.kafka';
 * $settings['kafka_queue'] = [
 *   // librdkafka properties go to the extension as they are.
 *   'bootstrap.servers' => 'kafka-1:9092,kafka-2:9092',
 *   'security.protocol' => 'SASL_SSL',
 *   'sasl.mechanisms' => 'SCRAM-SHA-512',
 *   'sasl.username' => 'mysite',
 *   'sasl.password' => getenv('KAFKA_PASSWORD'),
 *   // The site's consumer group; derived from the site when left out.
 *   'group.id' => 'mysite-prod',
 *   // The extension's own options.
 *   'topic_prefix' => 'mysite.prod.',
 *   'timeout_ms' => 5000,
 *   // Per-queue overrides of the extension's options and client properties.
 *   'queues' => [
 *     'mymodule_mail' => ['delivery' => 'fast'],
 *   ],
 *   // Queues on Kafka that have no QueueWorker plugin.
 *   'extra_queues' => ['mymodule_daemon_jobs'],
 *   // Defaults of "drush kafka-queue:provision".
 *   'provision' => ['web_servers' => 3, 'replication_factor' => 3],
 *   // Credentials that only the deploy-time provisioning uses.
 *   'admin' => [
 *     'sasl.username' => 'mysite-admin',
 *     'sasl.password' => getenv('KAFKA_ADMIN_PASSWORD'),
 *   ],
 * ];
 * @endcode
 *
 * Values are never logged or displayed by this module, except the few that
 * are not secret: brokers, consumer group and topic prefix.
 */
class KafkaQueueSettings {

  /**
   * The service ID of the queue factory, as settings.php names it.
   */
  public const SERVICE_ID = 'queue.kafka';

  /**
   * The key of the module's array in $settings.
   */
  public const SETTINGS_KEY = 'kafka_queue';

  /**
   * Keys of the module's array that the module reads and never passes on.
   */
  protected const MODULE_KEYS = ['queues', 'extra_queues', 'admin', 'provision'];

  /**
   * Keys that define where the site's queues live: one value for the site.
   *
   * Provisioning, the status report and the consumer groups all rely on every
   * queue sharing them, so a per-queue override of these is refused.
   */
  protected const SITE_WIDE_KEYS = ['bootstrap.servers', 'group.id', 'topic_prefix'];

  /**
   * The extension's own options that \KafkaQueueAdmin takes too.
   */
  protected const ADMIN_OPTIONS = ['topic_prefix', 'timeout_ms'];

  /**
   * Constructs a KafkaQueueSettings object.
   *
   * @param \Drupal\Core\Site\Settings $settings
   *   The site's settings.
   * @param string $sitePath
   *   The site path, for example "sites/default".
   */
  public function __construct(
    protected Settings $settings,
    protected string $sitePath,
  ) {}

  /**
   * The configuration that every queue of the site gets.
   *
   * @return array
   *   librdkafka properties and extension options, group.id always set.
   *
   * @throws \InvalidArgumentException
   *   When the settings are malformed; the message names the setting.
   */
  public function siteConfig(): array {
    $config = array_diff_key($this->raw(), array_flip(static::MODULE_KEYS));
    foreach (array_keys($config) as $key) {
      if (!is_string($key) || $key === '') {
        throw new \InvalidArgumentException(sprintf('%s has a key that is not a name: %s.', $this->path(), var_export($key, TRUE)));
      }
    }
    $config['group.id'] = $this->groupId();
    return $config;
  }

  /**
   * The configuration of one queue: the site's, with the queue's overrides.
   *
   * @param string $name
   *   The queue name.
   *
   * @return array
   *   The array to pass to \KafkaQueue's constructor.
   *
   * @throws \InvalidArgumentException
   *   When the settings are malformed; the message names the setting.
   */
  public function queueConfig(string $name): array {
    $queues = $this->section('queues');
    $overrides = $queues[$name] ?? [];
    if (!is_array($overrides)) {
      throw new \InvalidArgumentException(sprintf('%s must be an array.', $this->path('queues', $name)));
    }
    foreach (array_merge(static::SITE_WIDE_KEYS, static::MODULE_KEYS) as $key) {
      if (array_key_exists($key, $overrides)) {
        throw new \InvalidArgumentException(sprintf('%s cannot be set per queue: it must be the same for every queue of the site. Set it in %s.', $this->path('queues', $name, $key), $this->path()));
      }
    }
    return $overrides + $this->siteConfig();
  }

  /**
   * The configuration for \KafkaQueueAdmin.
   *
   * @param bool $deploy
   *   TRUE for deploy-time provisioning: the 'admin' credentials, if any,
   *   replace the site's. FALSE for read-only checks with the site's own
   *   credentials.
   *
   * @return array
   *   librdkafka properties, topic_prefix and timeout_ms.
   *
   * @throws \InvalidArgumentException
   *   When the settings are malformed; the message names the setting.
   */
  public function adminConfig(bool $deploy = FALSE): array {
    $config = [];
    foreach ($this->siteConfig() as $key => $value) {
      // The consumer group means nothing to an admin client.
      if ($key !== 'group.id' && (str_contains($key, '.') || in_array($key, static::ADMIN_OPTIONS, TRUE))) {
        $config[$key] = $value;
      }
    }
    if ($deploy) {
      foreach ($this->section('admin') as $key => $value) {
        if (!is_string($key) || !(str_contains($key, '.') || $key === 'timeout_ms') || $key === 'group.id') {
          throw new \InvalidArgumentException(sprintf('%s is not allowed: the admin credentials take librdkafka properties and timeout_ms only.', $this->path('admin', (string) $key)));
        }
        $config[$key] = $value;
      }
    }
    return $config;
  }

  /**
   * The site's consumer group ID.
   *
   * The extension derives one Kafka consumer group per queue from it.
   *
   * @return string
   *   The configured 'group.id', or one derived from the site.
   *
   * @see self::derivedGroupId()
   */
  public function groupId(): string {
    $group = $this->raw()['group.id'] ?? NULL;
    if ($group === NULL || $group === '') {
      return $this->derivedGroupId();
    }
    if (!is_string($group)) {
      throw new \InvalidArgumentException(sprintf('%s must be a string.', $this->path('group.id')));
    }
    return $group;
  }

  /**
   * Whether the group ID is derived rather than configured.
   *
   * @return bool
   *   TRUE when settings.php sets no 'group.id'.
   */
  public function isGroupIdDerived(): bool {
    $group = $this->raw()['group.id'] ?? NULL;
    return $group === NULL || $group === '';
  }

  /**
   * The group ID of a site that configures none.
   *
   * "drupal.<site directory>.<12 hex digits of a hash of the hash salt>":
   * the same on every web server of a site and across deploys (the hash salt
   * and the site directory do not change with the code's location), and
   * different for two sites, which have different hash salts even when they
   * share a site directory name. Changing the hash salt changes the group:
   * pin 'group.id' in production.
   *
   * @return string
   *   The derived group ID.
   *
   * @throws \RuntimeException
   *   When the site has no hash salt.
   */
  public function derivedGroupId(): string {
    $salt = $this->settings->get('hash_salt');
    if (!is_string($salt) || $salt === '') {
      throw new \RuntimeException(sprintf('Missing $settings[\'hash_salt\'] in settings.php: the Kafka consumer group cannot be derived from the site. Set %s.', $this->path('group.id')));
    }
    $directory = preg_replace('/[^A-Za-z0-9_-]+/', '_', basename($this->sitePath)) ?: 'default';
    return 'drupal.' . $directory . '.' . substr(hash('sha256', 'kafka_queue.group.id:' . $salt), 0, 12);
  }

  /**
   * The topic prefix.
   *
   * @return string
   *   The configured prefix, or '' (topics are named after the queues).
   */
  public function topicPrefix(): string {
    $prefix = $this->raw()['topic_prefix'] ?? '';
    if (!is_string($prefix)) {
      throw new \InvalidArgumentException(sprintf('%s must be a string.', $this->path('topic_prefix')));
    }
    return $prefix;
  }

  /**
   * The brokers, for display.
   *
   * @return string
   *   The configured bootstrap.servers, else the extension's php.ini default
   *   (kafka_queue.brokers).
   */
  public function brokers(): string {
    $brokers = $this->raw()['bootstrap.servers'] ?? NULL;
    return is_string($brokers) && $brokers !== '' ? $brokers : (string) ini_get('kafka_queue.brokers');
  }

  /**
   * Queue names on Kafka that have no QueueWorker plugin.
   *
   * @return string[]
   *   The names listed in 'extra_queues'.
   */
  public function extraQueues(): array {
    $names = $this->section('extra_queues');
    foreach ($names as $i => $name) {
      if (!is_string($name) || $name === '') {
        throw new \InvalidArgumentException(sprintf('%s must be a queue name.', $this->path('extra_queues', (string) $i)));
      }
    }
    return array_values(array_unique($names));
  }

  /**
   * The default number of web servers for provisioning.
   *
   * @return int|null
   *   'provision' => ['web_servers' => N], or NULL.
   */
  public function webServers(): ?int {
    return $this->positiveInt('web_servers');
  }

  /**
   * The default replication factor for provisioning.
   *
   * @return int|null
   *   'provision' => ['replication_factor' => N], or NULL.
   */
  public function replicationFactor(): ?int {
    return $this->positiveInt('replication_factor');
  }

  /**
   * Whether settings.php names queue.kafka for this very queue.
   *
   * @param string $name
   *   The queue name.
   *
   * @return bool
   *   TRUE when queue_service_NAME or queue_reliable_service_NAME is
   *   'queue.kafka'.
   */
  public function isRoutedByName(string $name): bool {
    return $this->settings->get('queue_service_' . $name) === static::SERVICE_ID
      || $this->settings->get('queue_reliable_service_' . $name) === static::SERVICE_ID;
  }

  /**
   * Whether Drupal's queue factory hands this queue to the Kafka backend.
   *
   * Mirrors \Drupal\Core\Queue\QueueFactory::get(): queue_service_NAME,
   * else queue_default; a reliable queue checks queue_reliable_service_NAME
   * first.
   *
   * @param string $name
   *   The queue name.
   *
   * @return bool
   *   TRUE when either lookup ends at this module's service.
   */
  public function reachesKafkaService(string $name): bool {
    $service = $this->settings->get('queue_service_' . $name, $this->settings->get('queue_default', 'queue.database'));
    return $service === static::SERVICE_ID || $this->isRoutedByName($name);
  }

  /**
   * The queues that settings.php routes to queue.kafka by name.
   *
   * @return string[]
   *   NAME of every queue_service_NAME and queue_reliable_service_NAME set to
   *   'queue.kafka'.
   */
  public function namedRoutes(): array {
    $names = [];
    // Settings has no instance accessor of every key: getAll() reads the
    // site's Settings, which is the instance this service was given.
    foreach (Settings::getAll() as $key => $value) {
      if ($value === static::SERVICE_ID && preg_match('/^queue_(?:reliable_)?service_(.+)$/s', (string) $key, $matches)) {
        $names[] = $matches[1];
      }
    }
    return array_values(array_unique($names));
  }

  /**
   * The module's settings array.
   */
  protected function raw(): array {
    $raw = $this->settings->get(static::SETTINGS_KEY, []);
    if (!is_array($raw)) {
      throw new \InvalidArgumentException(sprintf('%s must be an array.', $this->path()));
    }
    return $raw;
  }

  /**
   * One of the module's own sub-arrays.
   */
  protected function section(string $key): array {
    $section = $this->raw()[$key] ?? [];
    if (!is_array($section)) {
      throw new \InvalidArgumentException(sprintf('%s must be an array.', $this->path($key)));
    }
    return $section;
  }

  /**
   * A positive integer from the 'provision' sub-array.
   */
  protected function positiveInt(string $key): ?int {
    $value = $this->section('provision')[$key] ?? NULL;
    if ($value === NULL) {
      return NULL;
    }
    if (filter_var($value, FILTER_VALIDATE_INT, ['options' => ['min_range' => 1]]) === FALSE) {
      throw new \InvalidArgumentException(sprintf('%s must be a positive integer.', $this->path('provision', $key)));
    }
    return (int) $value;
  }

  /**
   * The settings.php expression of a setting, for messages.
   */
  protected function path(string ...$keys): string {
    $path = '$settings[\'' . static::SETTINGS_KEY . '\']';
    foreach ($keys as $key) {
      $path .= '[\'' . addcslashes($key, '\'\\') . '\']';
    }
    return $path;
  }

}
