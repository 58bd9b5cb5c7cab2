<?php

declare(strict_types=1);

namespace KafkaQueueChaos;

/**
 * One broker of its own (not the shared one on 19092), so that it can be killed and paused.
 */
final class SingleBroker {

  public string $instance;
  public int $port;
  public int $controllerPort;

  /**
   * The instance "chaos" on CHAOS_BROKER_PORT (default 19592) and the port above it.
   */
  public function __construct() {
    $this->instance = 'chaos';
    $this->port = (int) (getenv('CHAOS_BROKER_PORT') ?: 19592);
    $this->controllerPort = $this->port + 1;
  }

  public function bootstrap(): string {
    return "127.0.0.1:$this->port";
  }

  public function env(): array {
    return [
      'KAFKA_QUEUE_INSTANCE' => $this->instance,
      'KAFKA_QUEUE_BROKER_PORT' => (string) $this->port,
      'KAFKA_QUEUE_CONTROLLER_PORT' => (string) $this->controllerPort,
      'KAFKA_HEAP_OPTS' => '-Xmx384m -Xms128m',
    ];
  }

  public function start(): float {
    $t0 = microtime(TRUE);
    [$code, $out] = Kafka::sh(['start'], $this->env());
    if ($code !== 0) {
      throw new \RuntimeException("starting the $this->instance broker failed:\n$out");
    }
    return microtime(TRUE) - $t0;
  }

  public function stop(): void {
    Kafka::sh(['stop'], $this->env());
  }

  /**
   * Starts the broker in the background (kafka.sh start, which waits until it answers);
   * poll the returned process.
   */
  public function startAsync(string $dir): Proc {
    return Proc::command('broker-start', [Env::root() . '/scripts/kafka/kafka.sh', 'start'], $dir, $this->env());
  }

  /**
   * The broker's pid, read from its pid file and checked against its command line.
   */
  public function pid(): ?int {
    $file = Env::root() . "/.kafka/data/$this->instance/broker.pid";
    if (!is_file($file)) {
      return NULL;
    }
    $pid = (int) trim((string) file_get_contents($file));
    $cmdline = @file_get_contents("/proc/$pid/cmdline");
    if ($pid <= 0 || $cmdline === FALSE || !str_contains($cmdline, "data/$this->instance/server.properties")) {
      return NULL;
    }
    return $pid;
  }

  public function signal(int $signal): int {
    $pid = $this->pid();
    if ($pid === NULL) {
      throw new \RuntimeException("the $this->instance broker is not running");
    }
    posix_kill($pid, $signal);
    if ($signal === SIGKILL) {
      $deadline = microtime(TRUE) + 10;
      while (file_exists("/proc/$pid") && microtime(TRUE) < $deadline) {
        usleep(20000);
      }
    }
    return $pid;
  }

}
