<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue;

use Drupal\Core\Queue\DelayableQueueInterface;
use Drupal\Core\Queue\QueueGarbageCollectionInterface;
use Drupal\Core\Queue\QueueInterface;
use Drupal\Core\Queue\ReliableQueueInterface;
use Drupal\kafka_queue\Queue\KafkaQueue;

/**
 * The subclass satisfies every interface it declares.
 *
 * A declaration the native methods do not satisfy is a fatal error when the
 * class is loaded, so the first test loads it in a child PHP and reports
 * that error instead of dying with it.
 */
final class KafkaQueueClassTest extends KafkaTestCase {

  /**
   * Tests that the class loads, in a separate PHP process.
   */
  public function testClassLoadsInFreshProcess(): void {
    $bootstrap = dirname(__DIR__) . '/bootstrap.php';
    $code = 'require ' . var_export($bootstrap, TRUE) . '; echo class_exists(' . var_export(KafkaQueue::class, TRUE) . ') ? "loaded" : "missing";';
    $command = escapeshellarg(PHP_BINARY) . ' ' . $this->extensionArguments() . ' -r ' . escapeshellarg($code) . ' 2>&1';
    exec($command, $output, $exit);
    $this->assertSame(0, $exit, "The class does not load:\n" . implode("\n", $output));
    $this->assertSame(['loaded'], $output);
  }

  /**
   * Tests the declared interfaces and the method signatures against them.
   */
  public function testInterfaces(): void {
    $class = new \ReflectionClass(KafkaQueue::class);
    $this->assertTrue($class->isSubclassOf(\KafkaQueue::class));
    foreach ([QueueInterface::class, QueueGarbageCollectionInterface::class, DelayableQueueInterface::class] as $interface) {
      $this->assertTrue($class->implementsInterface($interface), $interface);
      foreach ((new \ReflectionClass($interface))->getMethods() as $expected) {
        $actual = $class->getMethod($expected->getName());
        $this->assertSame($expected->getNumberOfRequiredParameters(), $actual->getNumberOfRequiredParameters(), $actual->getName());
        $this->assertGreaterThanOrEqual($expected->getNumberOfParameters(), $actual->getNumberOfParameters(), $actual->getName());
        foreach ($actual->getParameters() as $i => $parameter) {
          $type = $parameter->getType();
          $this->assertTrue($type === NULL || (string) $type === 'mixed', "{$actual->getName()}() parameter #$i is untyped, as Drupal's interfaces require");
          if ($expected->getParameters()[$i] ?? NULL) {
            $this->assertSame($expected->getParameters()[$i]->isOptional(), $parameter->isOptional());
          }
        }
      }
    }
    $this->assertSame(3600, $class->getMethod('claimItem')->getParameters()[0]->getDefaultValue());
    $this->assertFalse($class->implementsInterface(ReliableQueueInterface::class), 'Kafka orders items only per partition: not a reliable queue. See the class docblock.');
    // The hot path is the extension's own code, with no PHP frame in between.
    foreach (['createItem', 'claimItem', 'deleteItem', 'releaseItem', 'delayItem', 'numberOfItems'] as $method) {
      $this->assertSame(\KafkaQueue::class, $class->getMethod($method)->getDeclaringClass()->getName(), $method);
    }
  }

  /**
   * Command-line arguments that load the extension in a child PHP.
   */
  private function extensionArguments(): string {
    exec(escapeshellarg(PHP_BINARY) . ' -r ' . escapeshellarg('echo class_exists("KafkaQueue", FALSE) ? 1 : 0;'), $output);
    if ($output === ['1']) {
      // php.ini loads it.
      return '';
    }
    // The Makefile names the built extension.
    $path = getenv('KAFKA_QUEUE_EXTENSION');
    if (is_string($path) && is_file($path)) {
      return '-d ' . escapeshellarg('extension=' . $path);
    }
    // Loaded with -d on this process's command line: pass the same.
    $cmdline = (string) @file_get_contents('/proc/self/cmdline');
    $args = explode("\0", $cmdline);
    foreach ($args as $i => $arg) {
      $value = $arg === '-d' ? ($args[$i + 1] ?? '') : (str_starts_with($arg, '-d') ? substr($arg, 2) : '');
      if (preg_match('/^(zend_)?extension=.*kafka_queue/', $value)) {
        return '-d ' . escapeshellarg($value);
      }
    }
    $this->fail('Cannot tell how this PHP loaded the kafka_queue extension (not php.ini, not KAFKA_QUEUE_EXTENSION, not -d extension=...).');
  }

}
