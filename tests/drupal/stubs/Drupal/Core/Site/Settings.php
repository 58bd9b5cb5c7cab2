<?php

// Stand-in for a Drupal core / PSR class, for the module's tests only; never
// shipped. Signatures as in Drupal 10.3+/11.x (see the project's drupal-api.md).

namespace Drupal\Core\Site;

final class Settings {

  private $storage = [];

  private static $instance = NULL;

  public function __construct(array $settings) {
    $this->storage = $settings;
    self::$instance = $this;
  }

  public static function getInstance() {
    if (self::$instance === NULL) {
      throw new \BadMethodCallException('Settings::$instance is not initialized yet.');
    }
    return self::$instance;
  }

  private function __clone() {
  }

  public function __sleep(): array {
    throw new \LogicException('Settings can not be serialized.');
  }

  public static function get($name, $default = NULL) {
    return self::$instance->storage[$name] ?? $default;
  }

  public static function getAll() {
    return self::$instance->storage;
  }

  public static function getHashSalt() {
    $hash_salt = self::$instance->get('hash_salt');
    if (empty($hash_salt)) {
      throw new \RuntimeException('Missing $settings[\'hash_salt\'] in settings.php.');
    }
    return $hash_salt;
  }

}
