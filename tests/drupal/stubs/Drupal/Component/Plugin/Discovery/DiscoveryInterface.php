<?php

// Stand-in for a Drupal core / PSR class, for the module's tests only; never
// shipped. Signatures as in Drupal 10.3+/11.x (see the project's drupal-api.md).

namespace Drupal\Component\Plugin\Discovery;

interface DiscoveryInterface {

  public function getDefinition($plugin_id, $exception_on_invalid = TRUE);

  public function getDefinitions();

  public function hasDefinition($plugin_id);

}
