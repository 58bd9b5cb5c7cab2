<?php

/**
 * @file
 * Bootstrap of the CLI tests: the test site's autoloader, and these tests.
 *
 * The CLI tests drive a real Drupal site (tests/drupal/site, installed by
 * composer) through real Drush, in child processes. "make test-drupal" runs
 * them; see docs/drupal.md, "The module's tests".
 */

declare(strict_types=1);

$autoload = __DIR__ . '/site/vendor/autoload.php';
if (!is_file($autoload)) {
  fwrite(STDERR, "The test site is not installed: run make drupal-site.\n");
  exit(1);
}
require $autoload;

spl_autoload_register(static function (string $class): void {
  $prefix = 'KafkaQueue\\DrupalCli\\';
  if (str_starts_with($class, $prefix)) {
    $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    if (is_file($file)) {
      require $file;
    }
  }
});
