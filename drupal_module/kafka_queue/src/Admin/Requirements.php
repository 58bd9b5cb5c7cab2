<?php

declare(strict_types=1);

namespace Drupal\kafka_queue\Admin;

use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\kafka_queue\KafkaQueueRegistry;
use Drupal\kafka_queue\KafkaQueueSettings;
use Drupal\kafka_queue\NativeExtension;

/**
 * The module's lines on the status report (/admin/reports/status).
 *
 * Checks, in order, stopping at the first that fails: the extension is
 * loaded (and which version); the settings are well-formed and some queue
 * uses the backend; the brokers answer; every queue on Kafka has its topic.
 * Every failure says what to do.
 *
 * Severities are the integers of Drupal's REQUIREMENT_* constants, which
 * hook_requirements() takes on every supported core; the Drupal 11.2+
 * hook_runtime_requirements() implementation converts them to the
 * RequirementSeverity enum.
 *
 * @see kafka_queue_requirements()
 * @see \Drupal\kafka_queue\Hook\KafkaQueueRequirementsHooks
 */
class Requirements {

  /**
   * REQUIREMENT_INFO.
   */
  public const INFO = -1;

  /**
   * REQUIREMENT_OK.
   */
  public const OK = 0;

  /**
   * REQUIREMENT_WARNING.
   */
  public const WARNING = 1;

  /**
   * REQUIREMENT_ERROR.
   */
  public const ERROR = 2;

  /**
   * Constructs a Requirements object.
   *
   * @param \Drupal\kafka_queue\KafkaQueueSettings $settings
   *   The module's settings.
   * @param \Drupal\kafka_queue\KafkaQueueRegistry $registry
   *   The queues on Kafka.
   * @param \Drupal\kafka_queue\Admin\TopicManager $topicManager
   *   The topics.
   */
  public function __construct(
    protected KafkaQueueSettings $settings,
    protected KafkaQueueRegistry $registry,
    protected TopicManager $topicManager,
  ) {}

  /**
   * The runtime requirements.
   *
   * @return array
   *   Requirements as hook_requirements() returns them, keyed
   *   kafka_queue_extension, kafka_queue_settings, kafka_queue_brokers and
   *   kafka_queue_topics; later ones are left out when an earlier one fails.
   */
  public function runtime(): array {
    $requirements = [];

    $title = new TranslatableMarkup('Kafka queue: PHP extension');
    if (!NativeExtension::isLoaded()) {
      $requirements['kafka_queue_extension'] = $this->line($title, new TranslatableMarkup('Not loaded'), self::ERROR, new TranslatableMarkup(
        'The kafka_queue PHP extension is not loaded in the web server\'s PHP (@version). Install it and add "extension=kafka_queue.so" to php.ini (for Drush too), then restart PHP. Until then every queue routed to queue.kafka fails.',
        ['@version' => PHP_VERSION],
      ));
      return $requirements;
    }
    $requirements['kafka_queue_extension'] = $this->line($title, NativeExtension::version() ?? '', self::OK);

    try {
      $names = $this->registry->queueNames();
      $description = $this->groupDescription($this->settings->groupId(), $this->settings->topicPrefix());
      $brokers = $this->settings->brokers();
    }
    catch (\Exception $e) {
      $requirements['kafka_queue_settings'] = $this->line(new TranslatableMarkup('Kafka queue: Settings'), new TranslatableMarkup('Invalid'), self::ERROR, new TranslatableMarkup(
        '@message Fix settings.php.',
        ['@message' => $e->getMessage()],
      ));
      return $requirements;
    }
    $title = new TranslatableMarkup('Kafka queue: Queues');
    if (!$names) {
      $requirements['kafka_queue_settings'] = $this->line($title, new TranslatableMarkup('None'), self::WARNING, new TranslatableMarkup(
        "No queue uses the Kafka backend. Add \$settings['queue_default'] = 'queue.kafka'; (or \$settings['queue_service_NAME'] = 'queue.kafka'; per queue) to settings.php, then run \"drush kafka-queue:provision\".",
      ));
      return $requirements;
    }
    $requirements['kafka_queue_settings'] = $this->line($title, new TranslatableMarkup('@count queues on Kafka', ['@count' => count($names)]), self::OK, $description);

    $title = new TranslatableMarkup('Kafka queue: Brokers');
    try {
      $topics = $this->topicManager->inspect($names);
    }
    catch (\Exception $e) {
      $requirements['kafka_queue_brokers'] = $this->line($title, $brokers, self::ERROR, new TranslatableMarkup(
        "The Kafka brokers could not be reached: @message Check bootstrap.servers and the credentials in \$settings['kafka_queue'], and that this server may connect to the brokers.",
        ['@message' => $e->getMessage()],
      ));
      return $requirements;
    }
    $requirements['kafka_queue_brokers'] = $this->line($title, $brokers, self::OK);

    $missing = $differ = [];
    foreach ($names as $name) {
      $topic = $topics[$name] ?? NULL;
      if ($topic === NULL || !$topic['exists']) {
        $missing[] = $name . ' → ' . ($topic['topic'] ?? '?');
      }
      elseif ($topic['expected_partitions'] !== NULL && $topic['action'] === TopicManager::PARTITIONS_DIFFER) {
        $differ[] = $name . ' → ' . $topic['topic'] . ' (' . $topic['partitions'] . ')';
      }
    }
    $title = new TranslatableMarkup('Kafka queue: Topics');
    if ($missing) {
      $requirements['kafka_queue_topics'] = $this->line($title, new TranslatableMarkup('@count missing', ['@count' => count($missing)]), self::ERROR, new TranslatableMarkup(
        'These queues have no Kafka topic, so creating or claiming their items fails: @list. Run "drush kafka-queue:provision --web-servers=N" (N: the number of web servers) with credentials that may create topics.',
        ['@list' => implode(', ', $missing)],
      ));
    }
    elseif ($differ) {
      $requirements['kafka_queue_topics'] = $this->line($title, new TranslatableMarkup('@count with another partition count', ['@count' => count($differ)]), self::WARNING, new TranslatableMarkup(
        "These topics do not have two partitions per configured web server (@expected): @list. Queues work, but some consumers may stay idle. Add partitions with Kafka's tools, or update the 'provision' setting.",
        ['@expected' => $topics[$names[0]]['expected_partitions'], '@list' => implode(', ', $differ)],
      ));
    }
    else {
      $requirements['kafka_queue_topics'] = $this->line($title, new TranslatableMarkup('All @count present', ['@count' => count($names)]), self::OK);
    }
    return $requirements;
  }

  /**
   * Describes the consumer group and topic prefix.
   */
  protected function groupDescription(string $group, string $prefix): TranslatableMarkup {
    $args = ['@group' => $group, '@prefix' => $prefix === '' ? '(none)' : '"' . $prefix . '"'];
    if ($this->settings->isGroupIdDerived()) {
      return new TranslatableMarkup("Consumer group @group, derived from the site's hash salt: pin it with \$settings['kafka_queue']['group.id'], since a new group starts without the site's deleted list. Topic prefix: @prefix.", $args);
    }
    return new TranslatableMarkup('Consumer group @group. Topic prefix: @prefix.', $args);
  }

  /**
   * Builds one requirement.
   */
  protected function line(TranslatableMarkup $title, string|TranslatableMarkup $value, int $severity, ?TranslatableMarkup $description = NULL): array {
    $line = [
      'title' => $title,
      'value' => $value,
      'severity' => $severity,
    ];
    if ($description !== NULL) {
      $line['description'] = $description;
    }
    return $line;
  }

}
