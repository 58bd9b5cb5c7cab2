<?php

declare(strict_types=1);

namespace KafkaQueue\Tests;

/**
 * php/kafka_queue.stub.php tells IDEs and static analysers what the extension registers: it
 * must say exactly that, and the class must fit Drupal's untyped interfaces.
 */
final class StubTest extends KafkaTestCase {

  /**
   * Class => method => parameter list, as the stub file declares them.
   */
  private static function stubSignatures(): array {
    $tokens = token_get_all(file_get_contents(dirname(__DIR__, 3) . '/php/kafka_queue.stub.php'));
    $code = '';
    foreach ($tokens as $token) {
      if (!is_array($token) || !in_array($token[0], [T_COMMENT, T_DOC_COMMENT], TRUE)) {
        $code .= is_array($token) ? $token[1] : $token;
      }
    }
    preg_match_all('/^class (\w+)[^{\n]*\{\n(.*?)\n\}/ms', $code, $classes, PREG_SET_ORDER);
    $signatures = [];
    foreach ($classes as [, $class, $body]) {
      preg_match_all('/public function (\w+)\((.*?)\)/s', $body, $methods, PREG_SET_ORDER);
      foreach ($methods as [, $method, $params]) {
        $signatures[$class][$method] = strtolower(preg_replace('/\s+/', ' ', trim($params)));
      }
    }
    return $signatures;
  }

  private static function reflectedParameters(\ReflectionMethod $method): string {
    $params = [];
    foreach ($method->getParameters() as $p) {
      $type = $p->getType();
      $text = ($type && (string) $type !== 'mixed' ? $type . ' ' : '') . '$' . $p->getName();
      if ($p->isDefaultValueAvailable()) {
        $text .= ' = ' . strtolower(var_export($p->getDefaultValue(), TRUE));
      }
      $params[] = $text;
    }
    return implode(', ', $params);
  }

  public function testStubMatchesTheExtension(): void {
    $stub = self::stubSignatures();
    $this->assertSame(['KafkaQueue', 'KafkaQueueAdmin'], array_keys($stub));
    foreach ($stub as $class => $methods) {
      $reflection = new \ReflectionClass($class);
      $public = array_map(fn($m) => $m->getName(), $reflection->getMethods(\ReflectionMethod::IS_PUBLIC));
      $this->assertEqualsCanonicalizing($public, array_keys($methods), "$class: the stub lists every public method");
      foreach ($methods as $method => $params) {
        $this->assertSame($params, strtolower(self::reflectedParameters($reflection->getMethod($method))), "$class::$method()");
      }
    }
    $this->assertTrue(is_subclass_of('KafkaQueueException', \RuntimeException::class));
  }

  public function testDrupalInterfacesCanBeImplementedByASubclass(): void {
    // The interfaces exactly as Drupal declares them (no parameter types, except $delay).
    $code = <<<'PHP'
      interface StubQueueInterface {
        public function createItem($data);
        public function numberOfItems();
        public function claimItem($lease_time = 3600);
        public function deleteItem($item);
        public function releaseItem($item);
        public function createQueue();
        public function deleteQueue();
      }
      interface StubQueueGarbageCollectionInterface {
        public function garbageCollection();
      }
      interface StubDelayableQueueInterface extends StubQueueInterface {
        public function delayItem($item, int $delay);
      }
      final class StubDrupalKafkaQueue extends \KafkaQueue implements StubQueueInterface, StubQueueGarbageCollectionInterface, StubDelayableQueueInterface {}
      PHP;
    eval($code);
    $queue = new \StubDrupalKafkaQueue('q', ['bootstrap.servers' => static::brokers()]);
    $this->assertInstanceOf('StubDelayableQueueInterface', $queue);
    $this->assertSame(3600, (new \ReflectionMethod($queue, 'claimItem'))->getParameters()[0]->getDefaultValue());
  }

}
