<?php

declare(strict_types=1);

namespace KafkaQueue\Tests;

/**
 * Bad credentials, certificates, protocols and rights on the secured broker: each gives a
 * KafkaQueueException with the code of its cause and a message that names it, well within
 * timeout_ms. The measured times are printed at the end (they are not asserted: speed is
 * measured in make bench).
 */
final class SecureErrorsTest extends SecureTestCase {

  private static string $name;

  /**
   * Milliseconds to the exception, per case and call.
   */
  private static array $times = [];

  public static function setUpBeforeClass(): void {
    self::$name = static::uniqueName('errors');
    static::provisionSecured(self::$name);
  }

  public static function tearDownAfterClass(): void {
    if (self::$times) {
      $lines = [];
      foreach (self::$times as $case => $ms) {
        $lines[] = sprintf('  %-46s %5.0f ms', $case, $ms);
      }
      fwrite(STDERR, "\nsecured broker: time to the exception\n" . implode("\n", $lines) . "\n");
    }
  }

  public static function connectionCases(): array {
    return [
      'wrong password' => ['wrong password', 'AUTHENTICATION', '/authenticat/i'],
      'unknown user' => ['unknown user', 'AUTHENTICATION', '/authenticat/i'],
      'wrong CA' => ['wrong CA', 'TLS', '/certificate/i'],
      // A listener that speaks another protocol closes the connection: librdkafka reports a
      // disconnect (a transport error, not a TLS one) and names the state it happened in.
      'TLS to a plaintext port' => ['TLS to a plaintext port', 'UNREACHABLE', '/SSL_HANDSHAKE|SSL handshake/'],
      'plaintext to a TLS port' => ['plaintext to a TLS port', 'UNREACHABLE', '/APIVERSION_QUERY.*security\.protocol/s'],
    ];
  }

  private static function connectionConfig(string $case): array {
    return match ($case) {
      'wrong password' => static::runTimeConfig(['sasl.password' => 'wrong-' . bin2hex(random_bytes(4))]),
      'unknown user' => static::runTimeConfig(['sasl.username' => 'mysite-ghost']),
      'wrong CA' => static::runTimeConfig(['ssl.ca.location' => static::broker()['broker']['other_ca']]),
      // The plain test broker's listener.
      'TLS to a plaintext port' => static::runTimeConfig(['bootstrap.servers' => static::brokers()]),
      'plaintext to a TLS port' => static::runTimeConfig(['security.protocol' => 'SASL_PLAINTEXT']),
    };
  }

  /**
   * @dataProvider connectionCases
   */
  #[\PHPUnit\Framework\Attributes\DataProvider('connectionCases')]
  public function testConnectionFailureNamesItsCause(string $case, string $code, string $pattern): void {
    $config = static::connectionConfig($case);
    $calls = [
      'createQueue' => fn() => static::securedQueue(self::$name, $config)->createQueue(),
      'createItem' => fn() => static::securedQueue(self::$name, $config)->createItem('x'),
      'claimItem' => fn() => static::securedQueue(self::$name, $config)->claimItem(30),
    ];
    // Every call first, then the checks: the times of all of them are reported.
    $failures = [];
    foreach ($calls as $call => $f) {
      $failures[$call] = static::timedFailure($f);
      self::$times["$case, $call"] = $failures[$call][1];
    }
    foreach ($failures as $call => [$e, $ms]) {
      $this->assertLessThan($config['timeout_ms'], $ms, "$case, $call: the exception came after timeout_ms: " . $e->getMessage());
      $this->assertMatchesRegularExpression($pattern, $e->getMessage(), "$case, $call");
      $this->assertSame(static::code($code), $e->getCode(), "$case, $call: " . $e->getMessage());
    }
  }

  public function testNoWriteOnTheTopicNamesTheTopic(): void {
    $config = static::configFor('mysite-deployer');
    $queue = static::securedQueue(self::$name, $config);
    [$e, $ms] = static::timedFailure(fn() => $queue->createItem('x'));
    self::$times['no Write on the topic, createItem'] = $ms;
    $this->assertLessThan($config['timeout_ms'], $ms, $e->getMessage());
    $this->assertStringContainsString('mysite.prod.' . self::$name, $e->getMessage());
    $this->assertSame(static::code('NOT_AUTHORIZED'), $e->getCode(), $e->getMessage());
  }

  public function testNoReadOnTheGroupNamesTheGroup(): void {
    $config = static::configFor('mysite-web');
    $queue = static::securedQueue(self::$name, $config);
    $queue->createItem('for a worker');
    [$e, $ms] = static::timedFailure(fn() => $queue->claimItem(30));
    self::$times['no Read on the group, claimItem'] = $ms;
    $this->assertLessThan($config['timeout_ms'], $ms, $e->getMessage());
    $this->assertStringContainsString('mysite-prod.mysite.prod.' . self::$name, $e->getMessage());
    $this->assertSame(static::code('NOT_AUTHORIZED'), $e->getCode(), $e->getMessage());
  }

  public function testNoAclAtAllNamesTheTopic(): void {
    $config = static::configFor('mysite-nobody');
    [$e, $ms] = static::timedFailure(fn() => static::securedQueue(self::$name, $config)->createQueue());
    self::$times['no ACL at all, createQueue'] = $ms;
    $this->assertLessThan($config['timeout_ms'], $ms, $e->getMessage());
    $this->assertStringContainsString('mysite.prod.' . self::$name, $e->getMessage());
    $this->assertSame(static::code('NOT_AUTHORIZED'), $e->getCode(), $e->getMessage());
  }

}
