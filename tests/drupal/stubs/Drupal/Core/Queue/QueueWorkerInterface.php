<?php

// Stand-in for a Drupal core / PSR class, for the module's tests only; never
// shipped. Signatures as in Drupal 10.3+/11.x (see the project's drupal-api.md).

namespace Drupal\Core\Queue;

use Drupal\Component\Plugin\PluginInspectionInterface;

interface QueueWorkerInterface extends PluginInspectionInterface {

  public function processItem($data);

}
