<?php

// Stand-in for a Drupal core / PSR class, for the module's tests only; never
// shipped. Signatures as in Drupal 10.3+/11.x (see the project's drupal-api.md).

namespace Drupal\Core\Queue;

use Drupal\Core\Site\Settings;
use Psr\Container\ContainerInterface;

/**
 * Drupal 11.x: the container is a locator of the services tagged
 * queue_factory; the lookup order is the same on 10.3.
 */
class QueueFactory {

  protected $queues = [];

  protected $settings;

  public function __construct(
    Settings $settings,
    protected ContainerInterface $container,
  ) {
    $this->settings = $settings;
  }

  public function get($name, $reliable = FALSE) {
    if (!isset($this->queues[$name])) {
      if ($reliable) {
        $service_name = $this->settings->get('queue_reliable_service_' . $name);
      }
      if (empty($service_name)) {
        $service_name = $this->settings->get('queue_service_' . $name, $this->settings->get('queue_default', 'queue.database'));
      }
      $this->queues[$name] = $this->container->get($service_name)->get($name);
    }
    return $this->queues[$name];
  }

}
