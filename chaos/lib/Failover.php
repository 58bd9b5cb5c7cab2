<?php

declare(strict_types=1);

namespace KafkaQueueChaos;

/**
 * A site's queue on the 3-node cluster while brokers fail: the topic (6 partitions, RF 3,
 * min.insync.replicas 2) filled, a strict and a fast producer at 100 items/s each and three
 * workers running; the scenario disrupts brokers through this object, which keeps the crew
 * at strength meanwhile, then checks and reports.
 *
 * Figures: the longest time without a successful strict createItem() and without a claim,
 * overall and after each disruption; the errors each side saw. CHAOS_IDEMPOTENCE=1: the
 * producers set enable.idempotence=true.
 */
final class Failover {

  public readonly string $dir;
  public readonly string $queue;
  public readonly string $group;
  public readonly string $topic;
  private readonly float $started;
  private readonly float $end;
  /** @var Proc[] */
  private array $producers;
  private Crew $crew;
  /** Each disruption: what, node, start and end time, seconds until the replicas were in sync. */
  private array $events = [];

  public function __construct(public readonly string $scenario, float $runFor) {
    $this->started = microtime(TRUE);
    $this->dir = Env::workDir($scenario);
    $this->queue = Env::uniqueName($scenario);
    $this->group = 'site_' . bin2hex(random_bytes(3));
    $bootstrap = Cluster::BOOTSTRAP;
    Cluster::start();
    $this->topic = Kafka::provision($bootstrap, $this->queue, 6, 3);
    [$code, $out] = Kafka::admin($bootstrap, 'set-config', $this->topic, 'min.insync.replicas', '2');
    if ($code !== 0) {
      throw new \RuntimeException("setting min.insync.replicas: $out");
    }
    Kafka::waitForTopic($bootstrap, $this->queue);
    Cluster::inSync($this->topic, 60);

    $fill = new Proc('p0', 'produce.php', ['brokers' => $bootstrap, 'queue' => $this->queue, 'log' => "$this->dir/p0.log",
      'prefix' => 'c0-', 'count' => 3000, 'delivery' => 'fast', 'batch' => 1000], $this->dir);
    $fill->wait(120);

    $this->end = microtime(TRUE) + $runFor;
    $common = ['brokers' => $bootstrap, 'queue' => $this->queue, 'rate' => 100, 'duration' => $runFor]
      + (getenv('CHAOS_IDEMPOTENCE') === '1' ? ['idempotence' => TRUE] : []);
    $this->producers = [
      new Proc('p1', 'produce.php', $common + ['log' => "$this->dir/p1.log", 'prefix' => 'c1-', 'delivery' => 'strict'], $this->dir),
      new Proc('p2', 'produce.php', $common + ['log' => "$this->dir/p2.log", 'prefix' => 'c2-', 'delivery' => 'fast', 'batch' => 50], $this->dir),
    ];
    $this->crew = new Crew($this->dir, ['brokers' => $bootstrap, 'queue' => $this->queue, 'group' => $this->group,
      'pause-ms' => 6, 'max-errors' => 30], 3);
    Env::say("$scenario: 3 nodes, RF 3, min.insync.replicas 2, 6 partitions, for {$runFor}s; logs in $this->dir");
    $this->sleep(8);
  }

  /**
   * Seconds left before the producers stop.
   */
  public function timeLeft(): float {
    return $this->end - microtime(TRUE);
  }

  /**
   * Waits, replacing workers that ended.
   */
  public function sleep(float $seconds): void {
    $until = microtime(TRUE) + $seconds;
    while (microtime(TRUE) < $until) {
      usleep(100000);
      $this->crew->tick();
    }
  }

  /**
   * Runs `kafka.sh ARGS...` as a child while the crew keeps working; throws if it fails.
   */
  public function kafkaSh(string $name, string ...$args): void {
    $proc = Proc::command($name, [Env::root() . '/scripts/kafka/kafka.sh', ...$args], $this->dir);
    $deadline = microtime(TRUE) + 180;
    while ($proc->running()) {
      if (microtime(TRUE) > $deadline) {
        $proc->kill();
        throw new \RuntimeException("kafka.sh " . implode(' ', $args) . " took more than 180 s");
      }
      $this->sleep(0.2);
    }
    if ($proc->exitCode !== 0) {
      throw new \RuntimeException("kafka.sh " . implode(' ', $args) . " failed: " . file_get_contents("$this->dir/$name.out"));
    }
  }

  /**
   * The node that leads most of the topic's partitions, and how many it leads of how many.
   */
  public function busiestLeader(): array {
    $leaders = Cluster::leaders($this->topic);
    $counts = array_count_values(array_filter($leaders, fn($l) => $l > 0));
    arsort($counts);
    $node = (int) array_key_first($counts);
    return [$node, $counts[$node] ?? 0, count($leaders)];
  }

  /**
   * The node that coordinates the site's consumer group, if the cluster says.
   */
  public function coordinator(): ?int {
    [$code, $out] = Kafka::admin(Cluster::BOOTSTRAP, 'coordinator', "$this->group.$this->topic");
    return $code === 0 && preg_match('/^(\d+)$/m', $out, $m) ? (int) $m[1] : NULL;
  }

  /**
   * Marks the start of a disruption; returns its index for done().
   */
  public function begin(string $what, int $node): int {
    $this->events[] = ['what' => $what, 'node' => $node, 'start' => microtime(TRUE), 'end' => NULL, 'sync' => NULL];
    return array_key_last($this->events);
  }

  /**
   * Marks the end of a disruption (the node is back), then waits for the replicas to be in sync
   * again while the crew works.
   */
  public function done(int $event): void {
    $e = &$this->events[$event];
    $e['end'] = microtime(TRUE);
    $deadline = $e['end'] + 90;
    $synced = FALSE;
    while (!$synced && microtime(TRUE) < $deadline) {
      [$code] = Kafka::admin(Cluster::BOOTSTRAP, 'in-sync', $this->topic, '0');
      $synced = $code === 0;
      $this->sleep(1);
    }
    $e['sync'] = $synced ? microtime(TRUE) - $e['end'] : NULL;
    Env::say(sprintf('%s: node %d (%s) back after %.1fs, replicas in sync %s', $this->scenario, $e['node'], $e['what'],
      $e['end'] - $e['start'], $synced ? sprintf('%.0fs later', $e['sync']) : 'NOT within 90s'));
  }

  /**
   * Lets the producers finish, drains the queue, checks the ledger and the bounds, prints the
   * figures and exits. $maxGap: the longest a side may go without success; $maxCreateErrors:
   * how many strict createItem() failures are acceptable.
   */
  public function finish(float $maxGap, ?int $maxCreateErrors = NULL): never {
    foreach ($this->producers as $p) {
      $p->wait(120);
    }
    $deadline = microtime(TRUE) + 120;
    while (microtime(TRUE) < $deadline && (new Ledger($this->dir))->missing() > 0) {
      $this->sleep(1);
    }
    $this->crew->finish();

    $ledger = new Ledger($this->dir);
    $v = $ledger->verdict(TRUE);
    $left = (new \KafkaQueue($this->queue, ['bootstrap.servers' => Cluster::BOOTSTRAP, 'group.id' => $this->group]))->numberOfItems();
    $createTimes = $this->times(["$this->dir/p1.log"], 'OK ', PHP_FLOAT_MAX);
    $claimTimes = $this->times(glob("$this->dir/w*.log"), 'C ', max($createTimes ?: [0]));
    $createGap = self::longestGap($createTimes);
    $claimGap = self::longestGap($claimTimes);

    foreach ($this->events as $i => $e) {
      // The window of a disruption: from its start until the next one starts.
      $until = $this->events[$i + 1]['start'] ?? PHP_FLOAT_MAX;
      Env::say(sprintf('%s: node %d %s: longest gap without a createItem %.2fs, without a claim %.2fs', $this->scenario,
        $e['node'], $e['what'], self::longestGap($createTimes, $e['start'], $until), self::longestGap($claimTimes, $e['start'], $until)));
    }
    $failures = [];
    if (!$this->events) {
      $failures[] = 'no broker was disrupted: the scenario proved nothing';
    }
    if ($createGap > $maxGap || $claimGap > $maxGap) {
      $failures[] = sprintf('the queue stalled: %.1fs without a createItem(), %.1fs without a claim (bound %.0fs)', $createGap, $claimGap, $maxGap);
    }
    if ($maxCreateErrors !== NULL && $ledger->createErrors > $maxCreateErrors) {
      $failures[] = "$ledger->createErrors createItem() calls failed (at most $maxCreateErrors expected)";
    }
    if ($left !== 0) {
      $failures[] = "numberOfItems() is $left after the drain, expected 0";
    }
    if (getenv('CHAOS_KEEP_CLUSTER') !== '1') {
      Cluster::stop();
    }
    Report::finish($this->scenario, $v, $this->started, [
      'disruptions' => count($this->events),
      'max_create_gap_s' => $createGap,
      'max_claim_gap_s' => $claimGap,
      'claim_errors' => $ledger->claimErrors,
      'delete_failures' => $ledger->deleteFailures,
      'worker_restarts' => $this->crew->started - 4,
      'max_create_s' => $ledger->durations['createItem'] ?? 0.0,
      'max_delete_s' => $ledger->durations['deleteItem'] ?? 0.0,
      'left' => $left,
      'idempotence' => getenv('CHAOS_IDEMPOTENCE') === '1' ? 'on' : 'off',
    ], $failures);
  }

  /**
   * The times of the log lines that start with $prefix, up to $until.
   */
  private function times(array $files, string $prefix, float $until): array {
    $times = [];
    foreach ($files as $file) {
      foreach (file($file, FILE_IGNORE_NEW_LINES) as $line) {
        if (str_starts_with($line, $prefix) && ($t = (float) explode(' ', $line)[1]) <= $until) {
          $times[] = $t;
        }
      }
    }
    sort($times);
    return $times;
  }

  /**
   * The longest interval between successive sorted times that overlaps [$from, $to].
   */
  private static function longestGap(array $times, float $from = 0.0, float $to = PHP_FLOAT_MAX): float {
    $max = 0.0;
    for ($i = 1; $i < count($times); $i++) {
      if ($times[$i] >= $from && $times[$i - 1] <= $to) {
        $max = max($max, $times[$i] - $times[$i - 1]);
      }
    }
    return $max;
  }

}
