<?php

declare(strict_types=1);

namespace KafkaQueue\DrupalCli;

use PHPUnit\Framework\Assert;

/**
 * What a child process printed, and its exit code.
 */
final class Result {

  /**
   * Constructs a Result.
   */
  public function __construct(
    public readonly string $command,
    public readonly int $exitCode,
    public readonly string $stdout,
    public readonly string $stderr,
    public readonly float $seconds,
  ) {}

  /**
   * Fails the test unless the process exited with 0.
   *
   * @param string $what
   *   What was run, for the message.
   *
   * @return $this
   */
  public function assertOk(string $what = ''): self {
    Assert::assertSame(0, $this->exitCode, $this->describe($what ?: 'exit code'));
    return $this;
  }

  /**
   * Fails the test unless the process failed, printing a message.
   *
   * @param string $message
   *   Text the output must contain.
   *
   * @return $this
   */
  public function assertFailsWith(string $message): self {
    Assert::assertNotSame(0, $this->exitCode, $this->describe('expected a failure'));
    Assert::assertStringContainsString($message, $this->stdout . $this->stderr, $this->describe('failure message'));
    return $this;
  }

  /**
   * The standard output, decoded as JSON.
   *
   * @return mixed
   *   The decoded value.
   */
  public function json(): mixed {
    $this->assertOk('JSON output');
    $value = json_decode($this->stdout, TRUE);
    Assert::assertNotNull($value, $this->describe('not JSON'));
    return $value;
  }

  /**
   * The command, exit code and output, for failure messages.
   */
  public function describe(string $what): string {
    return sprintf("%s\n\$ %s\nexit %d after %.1f s\n--- stdout\n%s\n--- stderr\n%s", $what, $this->command, $this->exitCode, $this->seconds, $this->stdout, $this->stderr);
  }

}
