<?php

declare(strict_types=1);

namespace Drupal\kafka_queue;

/**
 * Facts about the kafka_queue PHP extension in the running PHP.
 *
 * The extension provides \KafkaQueue and \KafkaQueueAdmin. Without it the
 * module's queue class cannot even be declared, so every entry point checks
 * here first and fails with a message that tells what to install.
 */
final class NativeExtension {

  /**
   * The extension's name, as extension_loaded() and phpversion() know it.
   */
  public const NAME = 'kafka_queue';

  /**
   * Whether the extension's classes are available.
   *
   * @return bool
   *   TRUE when \KafkaQueue and \KafkaQueueAdmin exist.
   */
  public static function isLoaded(): bool {
    // No autoloading: these classes come from the extension or not at all.
    return class_exists('KafkaQueue', FALSE) && class_exists('KafkaQueueAdmin', FALSE);
  }

  /**
   * The extension's version.
   *
   * @return string|null
   *   The version string, or NULL when the extension is not loaded.
   */
  public static function version(): ?string {
    $version = phpversion(self::NAME);
    return $version === FALSE ? NULL : $version;
  }

  /**
   * Throws when the extension is not loaded.
   *
   * @throws \RuntimeException
   *   Naming the PHP SAPI, so that it is clear which php.ini lacks it.
   */
  public static function assertLoaded(): void {
    if (!self::isLoaded()) {
      throw new \RuntimeException(sprintf(
        'The kafka_queue PHP extension is not loaded in this PHP (%s %s, SAPI %s): add "extension=kafka_queue.so" to the php.ini of every PHP that runs the site, the web server\'s and Drush\'s.',
        PHP_BINARY,
        PHP_VERSION,
        PHP_SAPI,
      ));
    }
  }

}
