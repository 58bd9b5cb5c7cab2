<?php

/**
 * @file
 * Bootstrap of the Drupal module's tests.
 *
 * Registers a PSR-4 autoloader for the module's src/, the tests' src/ and the
 * stand-ins of the Drupal core and PSR classes the module touches
 * (tests/drupal/stubs, laid out by namespace). Drupal core is not installed
 * here and Composer cannot fetch it; the stand-ins are never shipped.
 */

declare(strict_types=1);

(static function (): void {
  $root = dirname(__DIR__, 2);
  $prefixes = [
    'Drupal\\kafka_queue\\' => $root . '/drupal_module/kafka_queue/src/',
    'Drupal\\Tests\\kafka_queue\\' => __DIR__ . '/src/',
  ];
  $stubs = __DIR__ . '/stubs/';
  spl_autoload_register(static function (string $class) use ($prefixes, $stubs): void {
    foreach ($prefixes as $prefix => $dir) {
      if (str_starts_with($class, $prefix)) {
        $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
          require $file;
        }
        return;
      }
    }
    $file = $stubs . str_replace('\\', '/', $class) . '.php';
    if (is_file($file)) {
      require $file;
    }
  });
})();
