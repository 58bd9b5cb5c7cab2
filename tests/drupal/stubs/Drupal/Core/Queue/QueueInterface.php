<?php

// Stand-in for a Drupal core / PSR class, for the module's tests only; never
// shipped. Signatures as in Drupal 10.3+/11.x (see the project's drupal-api.md).

namespace Drupal\Core\Queue;

interface QueueInterface {

  public function createItem($data);

  public function numberOfItems();

  public function claimItem($lease_time = 3600);

  public function deleteItem($item);

  public function releaseItem($item);

  public function createQueue();

  public function deleteQueue();

}
