<?php

declare(strict_types=1);

namespace KafkaQueue\Tests;

/**
 * The extension as PHP sees it: php.ini directives give the defaults and show in phpinfo().
 */
final class ModuleTest extends KafkaTestCase {

  public function testPhpinfoShowsVersionsAndDirectives(): void {
    ob_start();
    phpinfo(INFO_MODULES);
    $info = ob_get_clean();
    $this->assertStringContainsString('kafka_queue support => enabled', $info);
    $this->assertMatchesRegularExpression('/^librdkafka => 2\.\d+\.\d+$/m', $info);
    // What build.rs recorded must be the PHP that loaded the extension (a PHP refuses another API).
    $build = (PHP_ZTS ? 'zts' : 'nts');
    $this->assertStringContainsString('built for => PHP ' . PHP_VERSION . ' (API ', $info);
    $this->assertStringContainsString(", $build)", $info);
    $release = sprintf('php_kafka_queue-%s_php%d.%d-%s-linux-glibc-%s', phpversion('kafka_queue'), PHP_MAJOR_VERSION, PHP_MINOR_VERSION, php_uname('m'), $build);
    $this->assertStringContainsString("release => $release\n", $info);
    // The secured-cluster build: TLS, every SASL mechanism, the codecs.
    $this->assertMatchesRegularExpression('/^librdkafka features => .*\bssl\b.*\bsasl_scram\b.*\bzstd\b/m', $info);
    foreach (['brokers', 'group_id', 'topic_prefix', 'delivery', 'commit', 'claim_wait_ms', 'timeout_ms'] as $directive) {
      $this->assertStringContainsString("kafka_queue.$directive => ", $info);
    }
    $this->assertSame(phpversion('kafka_queue'), (new \ReflectionExtension('kafka_queue'))->getVersion());
  }

  public function testDirectivesAreTheDefaultsAndTheArrayWins(): void {
    $previous = ini_set('kafka_queue.topic_prefix', 'fromini.');
    $delivery = ini_get('kafka_queue.delivery');
    try {
      $this->assertSame('fromini.q', (new \KafkaQueue('q'))->topic());
      $this->assertSame('fromarray.q', (new \KafkaQueue('q', ['topic_prefix' => 'fromarray.']))->topic());
      ini_set('kafka_queue.delivery', 'never');
      $this->expectException(\KafkaQueueException::class);
      $this->expectExceptionMessage('kafka_queue.delivery');
      new \KafkaQueue('q');
    }
    finally {
      ini_set('kafka_queue.topic_prefix', (string) $previous);
      ini_set('kafka_queue.delivery', $delivery);
    }
  }

}
