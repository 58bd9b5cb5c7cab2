<?php

// Stand-in for a Drupal core / PSR class, for the module's tests only; never
// shipped. Signatures as in Drupal 10.3+/11.x (see the project's drupal-api.md).

/**
 * The static service container wrapper, reduced to what .install files use.
 */
class Drupal {

  protected static $container;

  public static function setContainer($container) {
    static::$container = $container;
  }

  public static function service($id) {
    return static::$container->get($id);
  }

  public static function keyValue($collection) {
    return static::service('keyvalue')->get($collection);
  }

}
