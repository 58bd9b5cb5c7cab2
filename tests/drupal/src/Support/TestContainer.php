<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue\Support;

use Drupal\Core\KeyValueStore\KeyValueFactoryInterface;
use Drupal\Core\Queue\QueueFactory;
use Drupal\Core\Queue\QueueWorkerManagerInterface;
use Drupal\Core\Site\Settings;
use Psr\Container\ContainerInterface;

/**
 * A service container built from the module's kafka_queue.services.yml.
 *
 * Core services the module uses are given by the test: settings, keyvalue,
 * datetime.time, plugin.manager.queue_worker, the site.path parameter and the
 * logger.channel_base parent. The module's services are instantiated from
 * their YAML definitions, so a wrong class, argument or tag fails here as it
 * would on a site. "queue" is core's queue factory, over a locator of the
 * services tagged queue_factory, as in Drupal 11.
 */
final class TestContainer implements ContainerInterface {

  /**
   * The module's services file.
   */
  public const SERVICES_FILE = __DIR__ . '/../../../../drupal_module/kafka_queue/kafka_queue.services.yml';

  /**
   * Instantiated services.
   */
  private array $services = [];

  /**
   * Definitions from YAML.
   */
  private array $definitions = [];

  /**
   * Tags of services set directly.
   */
  private array $tags = [];

  /**
   * Parameters.
   */
  private array $parameters = [];

  /**
   * Services being built, to catch circular references.
   */
  private array $building = [];

  /**
   * Builds the container of a site with the module enabled.
   */
  public static function forSite(Settings $settings, QueueWorkerManagerInterface $workerManager, ?KeyValueFactoryInterface $keyValue = NULL, string $sitePath = 'sites/default'): self {
    $container = new self();
    $container->parameters['site.path'] = $sitePath;
    $container->set('settings', $settings);
    $container->set('keyvalue', $keyValue ?? new MemoryKeyValueFactory());
    $container->set('datetime.time', new SystemTime());
    $container->set('plugin.manager.queue_worker', $workerManager);
    $container->definitions = ServicesYaml::parse(self::SERVICES_FILE);
    $container->set('queue', new QueueFactory($settings, $container->locator('queue_factory')));
    return $container;
  }

  /**
   * {@inheritdoc}
   */
  public function get(string $id) {
    if (isset($this->services[$id])) {
      return $this->services[$id];
    }
    $definition = $this->definitions[$id] ?? throw new \RuntimeException("You have requested a non-existent service \"$id\".");
    if (isset($definition['alias'])) {
      return $this->get($definition['alias']);
    }
    if (isset($this->building[$id])) {
      throw new \RuntimeException("Circular reference to $id");
    }
    $this->building[$id] = TRUE;
    try {
      $arguments = array_map(fn($argument) => $this->resolve($argument), $definition['arguments']);
      if ($definition['parent'] === 'logger.channel_base') {
        // Core: LoggerChannelFactory::get($channel).
        $service = new TestLogger(...$arguments);
      }
      elseif ($definition['parent'] !== NULL) {
        throw new \RuntimeException("Unknown parent service {$definition['parent']} of $id");
      }
      else {
        $class = $definition['class'] ?? throw new \RuntimeException("$id has no class");
        if (!class_exists($class)) {
          throw new \RuntimeException("Class $class of service $id does not exist");
        }
        $service = new $class(...$arguments);
      }
    }
    finally {
      unset($this->building[$id]);
    }
    return $this->services[$id] = $service;
  }

  /**
   * {@inheritdoc}
   */
  public function has(string $id): bool {
    return isset($this->services[$id]) || isset($this->definitions[$id]);
  }

  /**
   * Sets a service, optionally tagged.
   */
  public function set(string $id, object $service, array $tags = []): void {
    $this->services[$id] = $service;
    $this->tags[$id] = $tags;
  }

  /**
   * The YAML definition of a service.
   */
  public function definition(string $id): array {
    return $this->definitions[$id] ?? throw new \RuntimeException("No definition for $id");
  }

  /**
   * The IDs of the services with a tag.
   */
  public function taggedIds(string $tag): array {
    $ids = [];
    foreach ($this->definitions as $id => $definition) {
      foreach ($definition['tags'] ?? [] as $entry) {
        if ($entry['name'] === $tag) {
          $ids[] = $id;
        }
      }
    }
    foreach ($this->tags as $id => $tags) {
      if (in_array($tag, $tags, TRUE)) {
        $ids[] = $id;
      }
    }
    return $ids;
  }

  /**
   * A service locator over the services with a tag (Drupal 11's queue_factory).
   */
  public function locator(string $tag): ContainerInterface {
    return new class($this, $tag) implements ContainerInterface {

      public function __construct(private readonly TestContainer $container, private readonly string $tag) {}

      public function get(string $id) {
        if (!$this->has($id)) {
          throw new \RuntimeException("Service \"$id\" not found: it is not tagged {$this->tag}.");
        }
        return $this->container->get($id);
      }

      public function has(string $id): bool {
        return in_array($id, $this->container->taggedIds($this->tag), TRUE);
      }

    };
  }

  /**
   * Resolves a YAML argument.
   */
  private function resolve(mixed $argument): mixed {
    if (is_string($argument) && str_starts_with($argument, '@')) {
      return $this->get(substr($argument, 1));
    }
    if (is_string($argument) && preg_match('/^%([^%]+)%$/', $argument, $m)) {
      return $this->parameters[$m[1]] ?? throw new \RuntimeException("Unknown parameter {$m[1]}");
    }
    return $argument;
  }

}
