<?php

declare(strict_types=1);

namespace KafkaQueue\Tests;

/**
 * Each kind of failure has its own exception code, so that callers can tell them apart, and
 * comes as soon as librdkafka knows it, not after the timeout. The secured broker's cases
 * (credentials, certificates, ACLs) are in the Secure* tests.
 */
final class ErrorCodesTest extends KafkaTestCase {

  /**
   * Runs $call and returns the KafkaQueueException it throws and how long that took.
   */
  private function failure(callable $call): array {
    $start = microtime(TRUE);
    try {
      $call();
    }
    catch (\KafkaQueueException $e) {
      return [$e, microtime(TRUE) - $start];
    }
    $this->fail('the call must throw a KafkaQueueException');
  }

  public function testEveryCodeIsAClassConstant(): void {
    $codes = (new \ReflectionClass(\KafkaQueueException::class))->getConstants();
    $this->assertSame(range(1, 12), array_values($codes));
    $this->assertArrayHasKey('NOT_AUTHORIZED', $codes);
    $this->assertArrayHasKey('TOPIC_MISSING', $codes);
    $this->assertArrayHasKey('UNREACHABLE', $codes);
  }

  public function testMissingTopicHasItsCodeAndIsNotRetriable(): void {
    $queue = $this->queue(static::uniqueName('missing'));
    [$e] = $this->failure(fn() => $queue->createItem('x'));
    $this->assertSame(\KafkaQueueException::TOPIC_MISSING, $e->getCode());
    $this->assertFalse($e->isRetriable());
    $this->assertStringContainsString($queue->topic(), $e->getMessage());
    $this->assertStringContainsString('provision', $e->getMessage(), 'it says what to do');
  }

  public function testRefusedConnectionIsUnreachableWellBeforeTheTimeout(): void {
    $queue = new \KafkaQueue('q', ['bootstrap.servers' => '127.0.0.1:1', 'timeout_ms' => 10000]);
    [$e, $seconds] = $this->failure(fn() => $queue->numberOfItems());
    $this->assertSame(\KafkaQueueException::UNREACHABLE, $e->getCode(), $e->getMessage());
    $this->assertTrue($e->isRetriable());
    $this->assertStringContainsString('bootstrap.servers', $e->getMessage(), 'it says what to check');
    $this->assertLessThan(10.0, $seconds, 'librdkafka knew long before timeout_ms');
  }

  /**
   * A plaintext listener closes the connection in the middle of the TLS handshake: to the
   * client that is a transport failure, named as such, with the state it happened in.
   */
  public function testTlsToAPlaintextListenerFailsWellBeforeTheTimeoutNamingTheHandshake(): void {
    $queue = new \KafkaQueue('q', ['bootstrap.servers' => static::brokers(), 'security.protocol' => 'SSL', 'timeout_ms' => 10000]);
    [$e, $seconds] = $this->failure(fn() => $queue->createQueue());
    $this->assertSame(\KafkaQueueException::UNREACHABLE, $e->getCode(), $e->getMessage());
    $this->assertMatchesRegularExpression('/SSL handshake|SSL_HANDSHAKE/i', $e->getMessage());
    $this->assertStringContainsString('security.protocol', $e->getMessage(), 'it says what to check');
    $this->assertLessThan(10.0, $seconds, 'librdkafka knew long before timeout_ms');
  }

  public function testPhpInfoListsTheBuiltFeatures(): void {
    ob_start();
    (new \ReflectionExtension('kafka_queue'))->info();
    $info = ob_get_clean();
    foreach (['ssl', 'sasl_scram', 'sasl_oauthbearer', 'zstd', 'gzip', 'snappy'] as $feature) {
      $this->assertMatchesRegularExpression("/librdkafka features.*\\b$feature\\b/", $info);
    }
  }

}
