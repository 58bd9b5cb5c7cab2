<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue;

use Drupal\Core\Queue\QueueFactoryInterface;
use Drupal\Tests\kafka_queue\Support\ServicesYaml;
use PHPUnit\Framework\TestCase;

/**
 * The module's files are what Drupal 10.3+/11 and Drush 12.5+/13 expect.
 */
final class ModuleFilesTest extends TestCase {

  /**
   * The module's directory.
   */
  private const MODULE = __DIR__ . '/../../../drupal_module/kafka_queue';

  /**
   * Tests kafka_queue.info.yml.
   */
  public function testInfoFile(): void {
    $info = [];
    foreach (file(self::MODULE . '/kafka_queue.info.yml', FILE_IGNORE_NEW_LINES) as $line) {
      if (trim($line) === '' || str_starts_with($line, '#')) {
        continue;
      }
      $this->assertMatchesRegularExpression('/^[a-z_]+: .+$/', $line, 'Flat key: value lines only');
      [$key, $value] = explode(': ', $line, 2);
      $info[$key] = trim($value, "'");
    }
    $this->assertSame('module', $info['type']);
    $this->assertSame('^10.3 || ^11', $info['core_version_requirement']);
    $this->assertNotEmpty($info['name']);
    $this->assertNotEmpty($info['description']);
    $this->assertArrayNotHasKey('core', $info, 'The "core" key breaks Drupal 10+.');
  }

  /**
   * Tests kafka_queue.services.yml: classes, arguments, tags and aliases.
   */
  public function testServicesFile(): void {
    $services = ServicesYaml::parse(self::MODULE . '/kafka_queue.services.yml');

    $this->assertArrayHasKey('queue.kafka', $services);
    $this->assertTrue(is_subclass_of($services['queue.kafka']['class'], QueueFactoryInterface::class), 'queue.kafka implements QueueFactoryInterface');
    $this->assertContains(['name' => 'queue_factory'], $services['queue.kafka']['tags'], 'Drupal 11 finds only queue factories tagged queue_factory.');

    foreach ($services as $id => $definition) {
      if (isset($definition['alias'])) {
        $target = $services[$definition['alias']] ?? NULL;
        $this->assertNotNull($target, "Alias $id points to a service of the module");
        $this->assertSame($id, $target['class'], "An alias named after a class points to a service of that class ($id)");
        continue;
      }
      if ($definition['parent'] !== NULL) {
        $this->assertSame('logger.channel_base', $definition['parent']);
        continue;
      }
      $class = $definition['class'];
      $this->assertTrue(class_exists($class), "Class of $id exists at its PSR-4 path");
      $constructor = (new \ReflectionClass($class))->getConstructor();
      $count = count($definition['arguments']);
      $this->assertGreaterThanOrEqual($constructor?->getNumberOfRequiredParameters() ?? 0, $count, "Enough arguments for $id");
      $this->assertLessThanOrEqual($constructor?->getNumberOfParameters() ?? 0, $count, "Not too many arguments for $id");
      $this->assertArrayHasKey($class, $services, "$id has an alias named after its class, for autowiring");
    }
  }

  /**
   * Tests PSR-4: each class file declares the namespace and class its path says.
   */
  public function testPsr4Paths(): void {
    $files = $this->files(self::MODULE . '/src', 'php');
    $this->assertNotEmpty($files);
    foreach ($files as $file) {
      $relative = substr($file, strlen(self::MODULE . '/src/'), -4);
      $expected = 'Drupal\\kafka_queue\\' . str_replace('/', '\\', $relative);
      $source = file_get_contents($file);
      $this->assertMatchesRegularExpression('/^namespace ' . preg_quote(substr($expected, 0, strrpos($expected, '\\')), '/') . ';$/m', $source, $file);
      $this->assertMatchesRegularExpression('/^(final |abstract )?(class|interface|trait|enum) ' . preg_quote(basename($relative), '/') . '\b/m', $source, $file);
    }
  }

  /**
   * Tests where and how Drush 12.5+/13 find the commands.
   */
  public function testDrushCommandDiscovery(): void {
    $files = glob(self::MODULE . '/src/Drush/Commands/*Commands.php');
    $this->assertCount(1, $files, 'Drush discovers src/Drush/Commands/*Commands.php');
    $source = file_get_contents($files[0]);
    $this->assertStringContainsString('namespace Drupal\kafka_queue\Drush\Commands;', $source);
    $this->assertMatchesRegularExpression('/class \w+Commands extends DrushCommands/', $source);
    $this->assertStringContainsString('public static function create(ContainerInterface $container)', $source);
    $this->assertStringContainsString('use Psr\Container\ContainerInterface;', $source, 'Drush 13 passes a PSR container to create()');
    $this->assertStringContainsString("#[CLI\\Command(name: 'kafka-queue:provision'", $source);
    $this->assertStringContainsString("#[CLI\\Command(name: 'kafka-queue:status'", $source);
    $this->assertStringNotContainsString('drush.services.yml', implode(' ', scandir(self::MODULE)), 'No deprecated drush.services.yml');

    // The services the command class fetches exist.
    preg_match_all("/\\\$container->get\\('([^']+)'\\)/", $source, $m);
    $services = ServicesYaml::parse(self::MODULE . '/kafka_queue.services.yml');
    $this->assertNotEmpty($m[1]);
    foreach ($m[1] as $id) {
      $this->assertArrayHasKey($id, $services);
    }
  }

  /**
   * Tests that every PHP file of the module parses ("php -l").
   */
  public function testEveryPhpFileParses(): void {
    $files = array_merge(
      $this->files(self::MODULE, 'php'),
      $this->files(self::MODULE, 'module'),
      $this->files(self::MODULE, 'install'),
      $this->files(self::MODULE, 'inc'),
    );
    $this->assertGreaterThan(10, count($files));
    foreach ($files as $file) {
      exec(escapeshellarg(PHP_BINARY) . ' -n -l ' . escapeshellarg($file) . ' 2>&1', $output, $code);
      $this->assertSame(0, $code, implode("\n", $output));
    }
  }

  /**
   * Tests the hook implementations: procedural for 10.3–11.2, OOP for 11.2+.
   */
  public function testRequirementsHooksAreDeclared(): void {
    require_once self::MODULE . '/kafka_queue.install';
    $legacy = new \ReflectionFunction('kafka_queue_requirements');
    $this->assertSame(['Drupal\Core\Hook\Attribute\LegacyRequirementsHook'], array_map(fn($a) => $a->getName(), $legacy->getAttributes()));

    $method = new \ReflectionMethod('Drupal\kafka_queue\Hook\KafkaQueueRequirementsHooks', 'runtimeRequirements');
    $attributes = $method->getAttributes();
    $this->assertCount(1, $attributes);
    $this->assertSame('Drupal\Core\Hook\Attribute\Hook', $attributes[0]->getName());
    $this->assertSame(['runtime_requirements'], $attributes[0]->getArguments());
  }

  /**
   * Tests that nothing of the tests is shipped with the module.
   */
  public function testModuleShipsNoTestCode(): void {
    foreach ($this->files(self::MODULE, '') as $file) {
      $this->assertStringNotContainsString('tests/drupal', file_get_contents($file), $file);
    }
    $this->assertDirectoryDoesNotExist(self::MODULE . '/tests/stubs');
  }

  /**
   * Files under a directory, by extension ('' for all).
   *
   * @return string[]
   *   Paths.
   */
  private function files(string $dir, string $extension): array {
    $files = [];
    foreach (new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($dir, \FilesystemIterator::SKIP_DOTS)) as $file) {
      if ($file->isFile() && ($extension === '' || $file->getExtension() === $extension)) {
        $files[] = $file->getPathname();
      }
    }
    sort($files);
    return $files;
  }

}
