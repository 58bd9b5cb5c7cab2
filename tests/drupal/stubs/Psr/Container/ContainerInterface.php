<?php

// Stand-in for a Drupal core / PSR class, for the module's tests only; never
// shipped. Signatures as in Drupal 10.3+/11.x (see the project's drupal-api.md).

namespace Psr\Container;

// psr/container 2.x.
interface ContainerInterface {

  public function get(string $id);

  public function has(string $id): bool;

}
