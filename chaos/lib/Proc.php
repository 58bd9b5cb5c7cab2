<?php

declare(strict_types=1);

namespace KafkaQueueChaos;

/**
 * A child PHP process running one of chaos/bin/*.php, its output in files.
 */
final class Proc {

  /** @var resource */
  private $handle;
  public int $pid;
  public ?int $exitCode = NULL;
  public float $started;
  public ?float $ended = NULL;
  public bool $killed = FALSE;

  public function __construct(public string $name, string $script, array $args, public string $dir, array $env = [], ?array $command = NULL) {
    if ($command === NULL) {
      $command = [PHP_BINARY, '-d', 'extension=' . Env::extension(), '-d', 'display_errors=stderr',
        '-d', 'log_errors=1', Env::root() . '/chaos/bin/' . $script];
      foreach ($args as $key => $value) {
        $command[] = $value === TRUE ? "--$key" : "--$key=$value";
      }
    }
    $this->handle = proc_open($command, [
      0 => ['file', '/dev/null', 'r'],
      1 => ['file', "$dir/$name.out", 'a'],
      2 => ['file', "$dir/$name.err", 'a'],
    ], $pipes, NULL, $env ? $env + getenv() : NULL);
    if (!is_resource($this->handle)) {
      throw new \RuntimeException("cannot start $script");
    }
    $this->pid = proc_get_status($this->handle)['pid'];
    $this->started = microtime(TRUE);
  }

  /**
   * Any command, not a PHP script.
   */
  public static function command(string $name, array $command, string $dir, array $env = []): self {
    return new self($name, '', [], $dir, $env, $command);
  }

  public function running(): bool {
    if ($this->exitCode !== NULL) {
      return FALSE;
    }
    $status = proc_get_status($this->handle);
    if ($status['running']) {
      return TRUE;
    }
    $this->exitCode = $status['signaled'] ? 128 + $status['termsig'] : $status['exitcode'];
    $this->ended = microtime(TRUE);
    proc_close($this->handle);
    return FALSE;
  }

  /**
   * SIGKILL, and the time it happened goes into the scenario's kill list.
   */
  public function kill(): void {
    if (!$this->running()) {
      return;
    }
    posix_kill($this->pid, SIGKILL);
    $this->killed = TRUE;
    file_put_contents("$this->dir/kills", sprintf("%s %.6f\n", $this->name, microtime(TRUE)), FILE_APPEND);
    $this->wait(10);
  }

  /**
   * Waits for the end; returns the exit code, or NULL if it still runs at the deadline.
   */
  public function wait(float $seconds): ?int {
    $deadline = microtime(TRUE) + $seconds;
    while ($this->running()) {
      if (microtime(TRUE) >= $deadline) {
        return NULL;
      }
      usleep(20000);
    }
    return $this->exitCode;
  }

  public function log(): string {
    return "$this->dir/$this->name.log";
  }

}
