<?php

declare(strict_types=1);

namespace KafkaQueue\Tests;

/**
 * Deploy-time provisioning: dry run, creation, idempotence, mismatches; the only thing that
 * creates topics.
 */
final class ProvisionTest extends KafkaTestCase {

  private function provisionCli(array $args): array {
    $command = static::phpCommand('../../../php/provision.php');
    $command = array_merge($command, $args);
    $process = proc_open($command, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    return [proc_close($process), $out, $err];
  }

  public function testDryRunCreatesNothingThenProvisioningIsIdempotent(): void {
    $name = static::uniqueName('prov');
    $args = ['--brokers=' . static::brokers(), '--web-servers=3'];

    [$code, $out] = $this->provisionCli(array_merge($args, ['--dry-run', $name]));
    $this->assertSame(0, $code);
    $this->assertMatchesRegularExpression("/^$name\\s+$name\\s+6 partitions\\s+would create$/m", $out);
    try {
      $this->queue($name)->createQueue();
      $this->fail('a dry run must not create the topic');
    }
    catch (\KafkaQueueException $e) {
      $this->assertStringContainsString('does not exist', $e->getMessage());
      $this->assertSame(\KafkaQueueException::TOPIC_MISSING, $e->getCode());
    }

    [$code, $out] = $this->provisionCli(array_merge($args, [$name]));
    $this->assertSame(0, $code);
    $this->assertStringContainsString('created', $out);
    $this->queue($name)->createQueue();
    $this->assertCount(6, $this->queue($name)->status()['detail']);

    [$code, $out] = $this->provisionCli(array_merge($args, [$name]));
    $this->assertSame(0, $code);
    $this->assertStringContainsString('exists', $out);

    [$code, $out] = $this->provisionCli(['--brokers=' . static::brokers(), '--web-servers=1', $name]);
    $this->assertSame(1, $code, 'a topic with another partition count is reported, not changed');
    $this->assertStringContainsString('partition count differs', $out);
  }

  public function testAdminRefusesNonsense(): void {
    $admin = new \KafkaQueueAdmin(['bootstrap.servers' => static::brokers()]);
    $this->expectException(\InvalidArgumentException::class);
    $this->expectExceptionMessage('$partitions');
    $admin->provision(['x'], 0);
  }

}
