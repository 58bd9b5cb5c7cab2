<?php

// Stand-in for a Drupal core / PSR class, for the module's tests only; never
// shipped. Signatures as in Drupal 10.3+/11.x (see the project's drupal-api.md).

namespace Drupal\Core\Queue;

use Drupal\Component\Plugin\PluginManagerInterface;

interface QueueWorkerManagerInterface extends PluginManagerInterface {

  public const DEFAULT_QUEUE_CRON_TIME = 15;

}
