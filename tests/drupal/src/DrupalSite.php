<?php

declare(strict_types=1);

namespace KafkaQueue\DrupalCli;

/**
 * The real Drupal site the CLI tests drive through real Drush.
 *
 * Installed once per PHPUnit run (drush site:install minimal on SQLite, then
 * drush en), shared by every CLI test: the tests differ only by the settings
 * file that KAFKA_QUEUE_TEST_SETTINGS names, which settings.php includes.
 * Each test class gives its settings their own topic prefix and consumer
 * group, so classes never see each other's topics or items.
 *
 * Every child process runs under timeout(1); each command, its exit code and
 * duration are listed in .build/cli/commands.log.
 */
final class DrupalSite {

  /**
   * The composer project: tests/drupal/site.
   */
  public readonly string $project;

  /**
   * Where this run keeps the database, settings files and logs.
   */
  public readonly string $dir;

  /**
   * The site, once installed.
   */
  private static ?self $site = NULL;

  /**
   * Constructs the site object; see self::get().
   */
  private function __construct() {
    $this->project = dirname(__DIR__) . '/site';
    $this->dir = $this->project . '/.build/cli';
  }

  /**
   * The installed site: installed on the first call of the run.
   */
  public static function get(): self {
    if (self::$site === NULL) {
      $site = new self();
      $site->install();
      self::$site = $site;
    }
    return self::$site;
  }

  /**
   * The brokers of the test cluster.
   */
  public static function brokers(): string {
    $brokers = getenv('KAFKA_QUEUE_TEST_BROKERS');
    return is_string($brokers) && $brokers !== '' ? $brokers : '127.0.0.1:19092';
  }

  /**
   * Runs drush in the site, as an operator would.
   *
   * @param string $command
   *   The command line after "drush", as a shell would split it (the tests
   *   pass docs/drupal.md's commands verbatim).
   * @param string|null $settings
   *   The settings file to include (KAFKA_QUEUE_TEST_SETTINGS).
   * @param int $timeout
   *   Seconds before the process is killed.
   *
   * @return \KafkaQueue\DrupalCli\Result
   *   What it printed and its exit code.
   */
  public function drush(string $command, ?string $settings = NULL, int $timeout = 120): Result {
    return $this->run('timeout -k 5 ' . $timeout . ' vendor/bin/drush ' . $command, $settings);
  }

  /**
   * Runs PHP code in the bootstrapped site (drush php:eval).
   *
   * @param string $code
   *   The code.
   * @param string|null $settings
   *   The settings file to include.
   *
   * @return \KafkaQueue\DrupalCli\Result
   *   What it printed and its exit code.
   */
  public function php(string $code, ?string $settings = NULL): Result {
    return $this->drush('php:eval ' . escapeshellarg($code), $settings);
  }

  /**
   * Runs a shell command line in the composer project.
   *
   * @param string $command
   *   The command line; it runs under timeout(1).
   * @param int $timeout
   *   Seconds before the command is killed.
   *
   * @return \KafkaQueue\DrupalCli\Result
   *   What it printed and its exit code.
   */
  public function shell(string $command, int $timeout = 60): Result {
    return $this->run('timeout -k 5 ' . $timeout . ' bash -c ' . escapeshellarg($command));
  }

  /**
   * Writes a settings file for some tests.
   *
   * @param string $name
   *   A file name (letters, digits, dashes).
   * @param array $settings
   *   $settings keys and values.
   *
   * @return string
   *   The file's path, for self::drush().
   */
  public function settingsFile(string $name, array $settings): string {
    $path = $this->dir . '/' . $name . '.settings.php';
    $code = "<?php\n\n// Written by the kafka_queue CLI tests.\n";
    foreach ($settings as $key => $value) {
      $code .= '$settings[' . var_export($key, TRUE) . '] = ' . var_export($value, TRUE) . ";\n";
    }
    file_put_contents($path, $code);
    return $path;
  }

  /**
   * Installs the site, replacing the one of an earlier run.
   */
  private function install(): void {
    $sites = $this->project . '/web/sites/default';
    if (!is_dir($this->project . '/web/core')) {
      throw new \RuntimeException('The test site is not installed: run make drupal-site.');
    }
    @chmod($sites, 0755);
    @unlink($sites . '/settings.php');
    $this->run('rm -rf ' . escapeshellarg($this->dir) . ' ' . escapeshellarg($sites . '/files'))->assertOk('remove the previous site');
    mkdir($this->dir, 0777, TRUE);
    $db = 'sqlite://localhost/' . $this->dir . '/site.sqlite';
    $this->drush('site:install minimal --yes --site-name=kafka_queue --account-pass=admin --db-url=' . escapeshellarg($db), NULL, 300)
      ->assertOk('drush site:install');
    chmod($sites, 0755);
    chmod($sites . '/settings.php', 0644);
    file_put_contents($sites . '/settings.php', <<<'PHP'

// Added by the kafka_queue CLI tests: the test module lives under
// kafka_queue/tests, the machine has no network for security advisories, and
// each test selects its settings file.
$settings['extension_discovery_scan_tests'] = TRUE;
$config['system.advisories']['enabled'] = FALSE;
if (getenv('KAFKA_QUEUE_TEST_SETTINGS')) {
  include getenv('KAFKA_QUEUE_TEST_SETTINGS');
}

PHP, FILE_APPEND);
    $this->drush('en kafka_queue')->assertOk('drush en kafka_queue');
    $this->drush('en kafka_queue_test')->assertOk('drush en kafka_queue_test');
  }

  /**
   * Runs a shell command in the composer project, with no standard input.
   */
  private function run(string $command, ?string $settings = NULL): Result {
    $env = getenv();
    $env['KAFKA_QUEUE_TEST_SETTINGS'] = $settings ?? '';
    // Wide tables: Drush's table formatter wraps at the terminal width.
    $env['COLUMNS'] = '250';
    $process = proc_open(['bash', '-c', $command], [
      0 => ['file', '/dev/null', 'r'],
      1 => ['pipe', 'w'],
      2 => ['pipe', 'w'],
    ], $pipes, $this->project, $env);
    if (!is_resource($process)) {
      throw new \RuntimeException('Cannot start: ' . $command);
    }
    $started = microtime(TRUE);
    // Both pipes are read to the end (each child runs under timeout(1)).
    stream_set_blocking($pipes[1], FALSE);
    stream_set_blocking($pipes[2], FALSE);
    $out = $err = '';
    while (!feof($pipes[1]) || !feof($pipes[2])) {
      $read = array_filter([$pipes[1], $pipes[2]], static fn($pipe) => !feof($pipe));
      $write = $except = NULL;
      if (stream_select($read, $write, $except, 1) === FALSE) {
        break;
      }
      $out .= stream_get_contents($pipes[1]);
      $err .= stream_get_contents($pipes[2]);
    }
    fclose($pipes[1]);
    fclose($pipes[2]);
    $code = proc_close($process);
    $result = new Result($command, $code, $out, $err, microtime(TRUE) - $started);
    if (is_dir($this->dir)) {
      file_put_contents($this->dir . '/commands.log', sprintf("%6.2f s  exit %d  %s\n", $result->seconds, $code, str_replace("\n", " ", $command)), FILE_APPEND);
    }
    return $result;
  }

}
