<?php

// Stand-in for a Drupal core / PSR class, for the module's tests only; never
// shipped. Signatures as in Drupal 10.3+/11.x (see the project's drupal-api.md).

namespace Drupal\Core\KeyValueStore;

interface KeyValueStoreInterface {

  public function getCollectionName();

  public function has($key);

  public function get($key, $default = NULL);

  public function getMultiple(array $keys);

  public function getAll();

  public function set($key, $value);

  public function setIfNotExists($key, $value);

  public function setMultiple(array $data);

  public function rename($key, $new_key);

  public function delete($key);

  public function deleteMultiple(array $keys);

  public function deleteAll();

}
