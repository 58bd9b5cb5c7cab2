<?php

declare(strict_types=1);

namespace KafkaQueue\Tests;

/**
 * php/kafka_queue.stub.php tells IDEs and static analysers what the extension registers: it
 * must say exactly that, and the class must fit Drupal's untyped interfaces.
 */
final class StubTest extends KafkaTestCase {

  /**
   * Class => method => signature, as the generated stub file declares them.
   */
  private static function stubSignatures(): array {
    $tokens = token_get_all(file_get_contents(dirname(__DIR__, 3) . '/php/kafka_queue.stub.php'));
    $code = '';
    foreach ($tokens as $token) {
      if (!is_array($token) || !in_array($token[0], [T_COMMENT, T_DOC_COMMENT], TRUE)) {
        $code .= is_array($token) ? $token[1] : $token;
      }
    }
    preg_match_all('/^\s*class (\w+)[^{\n]*\{(.*?)\n    \}/ms', $code, $classes, PREG_SET_ORDER);
    $signatures = [];
    foreach ($classes as [, $class, $body]) {
      preg_match_all('/public function (\w+)\((.*?)\)(?:: (\S+))? \{\}/s', $body, $methods, PREG_SET_ORDER);
      foreach ($methods as $m) {
        $signatures[$class][$m[1]] = strtolower(preg_replace('/\s+/', ' ', trim($m[2]))) . ($m[3] ?? '' ? ': ' . $m[3] : '');
      }
    }
    return $signatures;
  }

  private static function reflectedSignature(\ReflectionMethod $method): string {
    $params = [];
    foreach ($method->getParameters() as $p) {
      $text = $p->getType() . ' $' . $p->getName();
      if ($p->isDefaultValueAvailable()) {
        $text .= ' = ' . var_export($p->getDefaultValue(), TRUE);
      }
      $params[] = strtolower($text);
    }
    $return = $method->hasReturnType() ? ': ' . $method->getReturnType() : '';
    return implode(', ', $params) . $return;
  }

  public function testStubMatchesTheExtension(): void {
    $stub = self::stubSignatures();
    $this->assertSame(['KafkaQueue', 'KafkaQueueAdmin', 'KafkaQueueException'], array_keys($stub));
    $this->assertStringContainsString('class KafkaQueueException extends \\RuntimeException {', file_get_contents(dirname(__DIR__, 3) . '/php/kafka_queue.stub.php'));
    foreach ($stub as $class => $methods) {
      $reflection = new \ReflectionClass($class);
      // Methods the class declares itself (the exception inherits Exception's).
      $own = array_filter($reflection->getMethods(\ReflectionMethod::IS_PUBLIC), fn($m) => $m->class === $class);
      $public = array_map(fn($m) => $m->getName(), $own);
      $this->assertEqualsCanonicalizing($public, array_keys($methods), "$class: the stub lists every public method");
      foreach ($methods as $method => $signature) {
        $this->assertSame($signature, self::reflectedSignature($reflection->getMethod($method)), "$class::$method()");
      }
    }
    $this->assertTrue(is_subclass_of('KafkaQueueException', \RuntimeException::class));
  }

  public function testStubListsEveryExceptionCode(): void {
    preg_match_all('/const (\w+) = (\d+);/', file_get_contents(dirname(__DIR__, 3) . '/php/kafka_queue.stub.php'), $m);
    $stub = array_combine($m[1], array_map('intval', $m[2]));
    $this->assertSame((new \ReflectionClass('KafkaQueueException'))->getConstants(), $stub);
    $this->assertCount(12, array_unique($stub), 'every code is distinct');
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
