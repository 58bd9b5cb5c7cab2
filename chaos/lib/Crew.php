<?php

declare(strict_types=1);

namespace KafkaQueueChaos;

/**
 * A team of workers on one queue, kept at full strength: a worker that ends (killed, or gave
 * up after errors) is replaced at once, as cron or a supervisor would.
 */
final class Crew {

  /** @var Proc[] */
  public array $workers = [];
  public int $started = 0;
  public int $kills = 0;
  public string $stop;

  public function __construct(public string $dir, public array $args, int $size) {
    $this->stop = "$dir/stop";
    for ($i = 0; $i < $size; $i++) {
      $this->workers[] = $this->spawn();
    }
  }

  public function spawn(array $extra = []): Proc {
    $name = sprintf('w%03d', $this->started++);
    return new Proc($name, 'work.php', $extra + $this->args + ['log' => "$this->dir/$name.log", 'stop-file' => $this->stop], $this->dir);
  }

  /**
   * Replaces every worker that ended.
   */
  public function tick(): void {
    foreach ($this->workers as $i => $w) {
      if (!$w->running()) {
        $this->workers[$i] = $this->spawn();
      }
    }
  }

  /**
   * SIGKILLs a random worker that is busy (it wrote to its log in the last half second) and
   * replaces it; returns whether one was killed.
   */
  public function killOne(): bool {
    $now = microtime(TRUE);
    clearstatcache();
    $busy = array_filter($this->workers, fn(Proc $w) => is_file($w->log()) && $now - filemtime($w->log()) < 1
      && $now - $w->started > 1 && $w->running());
    if (!$busy) {
      return FALSE;
    }
    $victim = $busy[array_rand($busy)];
    $victim->kill();
    $this->kills++;
    $this->workers[array_search($victim, $this->workers, TRUE)] = $this->spawn();
    return TRUE;
  }

  /**
   * Tells the workers to leave once nothing is left, waits for them, then runs one last worker
   * that drains whatever the others left (a dead member's partitions, for instance).
   */
  public function finish(float $seconds = 60): void {
    touch($this->stop);
    $deadline = microtime(TRUE) + $seconds;
    foreach ($this->workers as $w) {
      if ($w->wait(max(1, $deadline - microtime(TRUE))) === NULL) {
        Env::say("worker $w->name did not leave in time; killing it");
        $w->kill();
      }
    }
    $final = $this->spawn(['claim-wait-ms' => 8000]);
    if ($final->wait($seconds) === NULL) {
      $final->kill();
    }
  }

}
