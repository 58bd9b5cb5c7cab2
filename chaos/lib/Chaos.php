<?php

/**
 * @file
 * Shared machinery of the chaos scenarios: child processes, the brokers, and the ledger that
 * turns the producers' and workers' logs into figures and a verdict.
 */

declare(strict_types=1);

namespace KafkaQueueChaos;

/**
 * Where things are, and how the scenarios are tuned (CHAOS_CI=1: the reduced form).
 */
final class Env {

  public static function root(): string {
    return dirname(__DIR__, 2);
  }

  public static function ci(): bool {
    return getenv('CHAOS_CI') === '1';
  }

  /**
   * A figure of the full run, or of the reduced one.
   */
  public static function pick($full, $ci) {
    return static::ci() ? $ci : $full;
  }

  public static function extension(): string {
    return getenv('KAFKA_QUEUE_EXTENSION') ?: static::root() . '/target/release/libkafka_queue.so';
  }

  /**
   * A fresh directory for one scenario's logs (under CHAOS_OUT, else the temp dir).
   */
  public static function workDir(string $scenario): string {
    $base = getenv('CHAOS_OUT') ?: sys_get_temp_dir() . '/kafka_queue_chaos';
    $dir = sprintf('%s/%s-%s-%s', $base, $scenario, date('Ymd-His'), bin2hex(random_bytes(2)));
    if (!is_dir($dir) && !mkdir($dir, 0777, TRUE)) {
      throw new \RuntimeException("cannot create $dir");
    }
    return $dir;
  }

  public static function uniqueName(string $prefix): string {
    return 'chaos_' . $prefix . '_' . bin2hex(random_bytes(4));
  }

  public static function say(string $message): void {
    fprintf(STDERR, "  [%s] %s\n", date('H:i:s'), $message);
  }

}

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

/**
 * Kafka from the outside: kafka.sh (brokers), the ChaosAdmin helper (leaders, commits) and
 * provisioning through the extension's own KafkaQueueAdmin.
 */
final class Kafka {

  private static ?string $classes = NULL;

  /**
   * Runs scripts/kafka/kafka.sh; returns [exit code, output].
   */
  public static function sh(array $args, array $env = []): array {
    $command = array_merge([Env::root() . '/scripts/kafka/kafka.sh'], $args);
    return static::run($command, $env);
  }

  public static function run(array $command, array $env = []): array {
    $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes, NULL, $env + getenv());
    $output = stream_get_contents($pipes[1]);
    fclose($pipes[1]);
    return [proc_close($process), $output];
  }

  /**
   * Runs ChaosAdmin (compiled once per run); returns [exit code, output].
   */
  public static function admin(string $bootstrap, string ...$args): array {
    if (static::$classes === NULL) {
      $dir = sys_get_temp_dir() . '/kafka_queue_chaos/classes-' . getmypid();
      @mkdir($dir, 0777, TRUE);
      [$code, $out] = static::run(['javac', '-nowarn', '-d', $dir, '-cp', Env::root() . '/.kafka/libs/*', Env::root() . '/chaos/java/ChaosAdmin.java']);
      if ($code !== 0) {
        throw new \RuntimeException("javac ChaosAdmin failed: $out");
      }
      static::$classes = $dir;
      register_shutdown_function(fn() => static::run(['rm', '-rf', $dir]));
    }
    return static::run(array_merge(['java', '-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1',
      '-Dlog4j2.configurationFile=' . Env::root() . '/scripts/kafka/log4j2.properties',
      '-Dkafka.logs.dir=' . sys_get_temp_dir() . '/kafka_queue_chaos', '-Dkafka.log.file=tools.log',
      '-cp', static::$classes . ':' . Env::root() . '/.kafka/libs/*', 'ChaosAdmin', $bootstrap], $args));
  }

  public static function provision(string $bootstrap, string $queue, int $partitions, int $rf): string {
    $admin = new \KafkaQueueAdmin(['bootstrap.servers' => $bootstrap, 'timeout_ms' => 20000]);
    $rows = $admin->provision([$queue], $partitions, $rf);
    if (!in_array($rows[0]['action'], ['created', 'exists'], TRUE)) {
      throw new \RuntimeException("provisioning $queue: " . json_encode($rows));
    }
    return $rows[0]['topic'];
  }

  /**
   * Waits until the extension sees the topic with its partitions (metadata propagates).
   */
  public static function waitForTopic(string $bootstrap, string $queue, float $seconds = 30): void {
    $deadline = microtime(TRUE) + $seconds;
    while (TRUE) {
      try {
        (new \KafkaQueue($queue, ['bootstrap.servers' => $bootstrap]))->createQueue();
        return;
      }
      catch (\KafkaQueueException $e) {
        if (microtime(TRUE) > $deadline) {
          throw $e;
        }
        usleep(200000);
      }
    }
  }

}

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

/**
 * The 3-node cluster of kafka.sh.
 */
final class Cluster {

  public const BOOTSTRAP = '127.0.0.1:19192,127.0.0.1:19292,127.0.0.1:19392';

  public static function start(): void {
    [$code, $out] = Kafka::sh(['cluster-start', '3']);
    if ($code !== 0) {
      throw new \RuntimeException("cluster-start failed:\n$out");
    }
  }

  public static function stop(): void {
    Kafka::sh(['cluster-stop']);
  }

  public static function kill(int $node): void {
    [$code, $out] = Kafka::sh(['node-kill', (string) $node]);
    if ($code !== 0) {
      throw new \RuntimeException("node-kill $node failed:\n$out");
    }
  }

  public static function startNode(int $node): void {
    [$code, $out] = Kafka::sh(['node-start', (string) $node]);
    if ($code !== 0) {
      throw new \RuntimeException("node-start $node failed:\n$out");
    }
  }

  /**
   * partition => leader node id.
   */
  public static function leaders(string $topic): array {
    [$code, $out] = Kafka::admin(static::BOOTSTRAP, 'leaders', $topic);
    if ($code !== 0) {
      throw new \RuntimeException("leaders of $topic: $out");
    }
    $leaders = [];
    foreach (explode("\n", trim($out)) as $line) {
      if (preg_match('/^(\d+) (-?\d+) (\d+) (\d+)$/', $line, $m)) {
        $leaders[(int) $m[1]] = (int) $m[2];
      }
    }
    return $leaders;
  }

  public static function inSync(string $topic, int $seconds): bool {
    [$code] = Kafka::admin(static::BOOTSTRAP, 'in-sync', $topic, (string) $seconds);
    return $code === 0;
  }

}

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

/**
 * Reads every log of a scenario and checks the promises:
 *   - every item whose createItem() succeeded (and, in fast mode, was not reported as
 *     undelivered) was processed at least once: lost = 0;
 *   - nothing was processed that was never created: phantom = 0;
 *   - a processed item carries the id createItem() returned: mismatched = 0;
 *   - an item is delivered again only when its earlier claim was not followed by a successful
 *     deleteItem(): after_delete = 0; and, where no broker failed (so no member could be fenced),
 *     only after the holder died: concurrent = 0.
 */
final class Ledger {

  /** data => ['id' => ?string, 'status' => ok|err|undelivered] */
  public array $attempted = [];
  /** data => list of claims */
  public array $claims = [];
  /** worker log name => kill time */
  public array $kills = [];
  /** worker log name => time of its BYE/GIVEUP line */
  public array $byes = [];
  public array $durations = [];
  public int $errLines = 0;
  public int $flushReported = 0;
  public int $reportedUndelivered = 0;
  public int $createErrors = 0;
  public int $claimErrors = 0;
  public int $deleteFailures = 0;

  public function __construct(public string $dir) {
    if (is_file("$dir/kills")) {
      foreach (file("$dir/kills", FILE_IGNORE_NEW_LINES) as $line) {
        [$name, $t] = explode(' ', $line);
        $this->kills[$name] = (float) $t;
      }
    }
    foreach (glob("$dir/p*.log") as $file) {
      $this->readProducer($file);
    }
    foreach (glob("$dir/w*.log") as $file) {
      $this->readWorker($file);
    }
  }

  private function duration(string $what, float $d): void {
    $this->durations[$what] = max($this->durations[$what] ?? 0.0, $d);
  }

  private function readProducer(string $file): void {
    foreach (file($file, FILE_IGNORE_NEW_LINES) as $line) {
      $f = explode(' ', $line, 5);
      switch ($f[0]) {
        case 'OK':
          $this->attempted[$f[4]] = ['id' => $f[3], 'status' => 'ok'];
          $this->duration('createItem', (float) $f[2]);
          break;

        case 'ERR':
          [, , $d, $data] = explode(' ', $line, 5);
          $this->attempted[$data] = ['id' => NULL, 'status' => 'err'];
          $this->createErrors++;
          $this->duration('createItem', (float) $d);
          break;

        case 'FLUSH':
          $this->duration('flush', (float) $f[2]);
          $this->flushReported += max(0, (int) $f[3]);
          break;
      }
    }
    // Fast mode: the extension names each undelivered item in PHP's error log (stderr here).
    $err = preg_replace('/\.log$/', '.err', $file);
    $byId = [];
    foreach ($this->attempted as $data => $a) {
      if ($a['id'] !== NULL) {
        $byId[$a['id']] = $data;
      }
    }
    if (is_file($err) && preg_match_all('/item (\S+) of topic "[^"]*" (?:was NOT delivered|may not have reached Kafka)/', file_get_contents($err), $m)) {
      foreach ($m[1] as $id) {
        if (isset($byId[$id]) && $this->attempted[$byId[$id]]['status'] === 'ok') {
          $this->attempted[$byId[$id]]['status'] = 'undelivered';
          $this->reportedUndelivered++;
        }
      }
    }
  }

  private function readWorker(string $file): void {
    $name = basename($file, '.log');
    $open = [];
    foreach (file($file, FILE_IGNORE_NEW_LINES) as $line) {
      $f = explode(' ', $line, 7);
      switch ($f[0]) {
        case 'C':
          $claim = (object) ['worker' => $name, 't' => (float) $f[1], 'id' => $f[3], 'pos' => "$f[4]:$f[5]",
            'data' => $f[6] ?? '', 'deleted' => NULL, 'failed' => NULL];
          $this->claims[$claim->data][] = $claim;
          $open[$claim->pos] = $claim;
          $this->duration('claimItem', (float) $f[2]);
          break;

        case 'D':
        case 'X':
          $pos = "$f[4]:$f[5]";
          if (isset($open[$pos])) {
            $open[$pos]->{$f[0] === 'D' ? 'deleted' : 'failed'} = (float) $f[1];
            unset($open[$pos]);
          }
          $this->duration('deleteItem', (float) $f[2]);
          if ($f[0] === 'X') {
            $this->deleteFailures++;
          }
          break;

        case 'N':
          $this->duration('claimItem', (float) $f[2]);
          break;

        case 'E':
          $this->claimErrors++;
          $this->duration('claimItem', (float) $f[2]);
          break;

        case 'BYE':
        case 'GIVEUP':
          $this->byes[$name] = (float) $f[1];
          break;
      }
    }
  }

  /**
   * The figures and the verdict; $faults: whether brokers failed (members may be fenced).
   */
  public function verdict(bool $faults): array {
    $v = ['created' => 0, 'processed' => 0, 'duplicates' => 0, 'lost' => 0, 'phantom' => 0,
      'mismatched' => 0, 'after_delete' => 0, 'concurrent' => 0, 'after_death' => 0,
      'after_failure' => 0, 'record_duplicates' => 0, 'create_errors' => $this->createErrors,
      'reported_undelivered' => $this->reportedUndelivered, 'failed_but_delivered' => 0,
      'in_flight_at_kill' => 0];
    $problems = [];
    foreach ($this->attempted as $data => $a) {
      if ($a['status'] === 'ok') {
        $v['created']++;
        if (empty($this->claims[$data])) {
          $v['lost']++;
          if (count($problems) < 20) {
            $problems[] = "LOST $data (id {$a['id']})";
          }
        }
      }
      elseif (!empty($this->claims[$data])) {
        $v['failed_but_delivered']++;
      }
    }
    foreach ($this->claims as $data => $claims) {
      if (!isset($this->attempted[$data])) {
        $v['phantom'] += count($claims);
        $problems[] = "PHANTOM $data";
        continue;
      }
      $v['processed']++;
      $v['duplicates'] += count($claims) - 1;
      $known = $this->attempted[$data]['id'];
      $positions = [];
      usort($claims, fn($a, $b) => $a->t <=> $b->t);
      foreach ($claims as $c) {
        if (isset($this->kills[$c->worker]) && $c->deleted === NULL && $c->failed === NULL) {
          $v['in_flight_at_kill']++;
        }
        if ($known !== NULL && $c->id !== $known) {
          $v['mismatched']++;
          $problems[] = "MISMATCH $data: created as $known, claimed as $c->id";
        }
        $positions[$c->pos][] = $c;
      }
      $v['record_duplicates'] += count($positions) - 1;
      foreach ($positions as $pos => $list) {
        for ($i = 1; $i < count($list); $i++) {
          $prev = $list[$i - 1];
          $c = $list[$i];
          $death = $this->kills[$prev->worker] ?? NULL;
          if ($prev->deleted !== NULL && $prev->deleted <= $c->t) {
            $v['after_delete']++;
            $problems[] = sprintf('DELETED ITEM DELIVERED AGAIN %s at %s: deleted by %s at %.3f, claimed by %s at %.3f', $data, $pos, $prev->worker, $prev->deleted, $c->worker, $c->t);
          }
          elseif ($death !== NULL && $death <= $c->t) {
            $v['after_death']++;
          }
          elseif ($prev->failed !== NULL && $prev->failed <= $c->t || isset($this->byes[$prev->worker]) && $this->byes[$prev->worker] <= $c->t) {
            $v['after_failure']++;
          }
          else {
            $v['concurrent']++;
            if (!$faults) {
              $problems[] = sprintf('HANDED OUT TWICE %s at %s: to %s at %.3f and to %s at %.3f', $data, $pos, $prev->worker, $prev->t, $c->worker, $c->t);
            }
          }
        }
      }
    }
    $v['ok'] = $v['lost'] === 0 && $v['phantom'] === 0 && $v['mismatched'] === 0 && $v['after_delete'] === 0
      && ($faults || $v['concurrent'] === 0);
    $v['problems'] = $problems;
    return $v;
  }

  /**
   * Data of the items owed and not processed yet (to know when a drain is complete).
   */
  public function missing(): int {
    $n = 0;
    foreach ($this->attempted as $data => $a) {
      if ($a['status'] === 'ok' && empty($this->claims[$data])) {
        $n++;
      }
    }
    return $n;
  }

}

/**
 * Runs a scenario: prints the summary line, the problems, and exits 0 or 1.
 */
final class Report {

  public static function finish(string $scenario, array $v, float $started, array $extra = [], array $failures = []): never {
    $line = sprintf('%s: created=%d processed=%d duplicates=%d lost=%d time=%.0fs', $scenario,
      $v['created'] ?? 0, $v['processed'] ?? 0, $v['duplicates'] ?? 0, $v['lost'] ?? 0, microtime(TRUE) - $started);
    $keys = ['phantom', 'mismatched', 'in_flight_at_kill', 'after_death', 'after_failure', 'concurrent', 'after_delete',
      'record_duplicates', 'create_errors', 'reported_undelivered', 'failed_but_delivered'];
    foreach ($keys as $key) {
      if (isset($v[$key])) {
        $line .= " $key=" . $v[$key];
      }
    }
    foreach ($extra as $key => $value) {
      $line .= " $key=" . (is_float($value) ? sprintf('%.2f', $value) : $value);
    }
    $ok = ($v['ok'] ?? TRUE) && !$failures;
    $line .= $ok ? ' result=ok' : ' result=FAIL';
    foreach (array_merge($v['problems'] ?? [], $failures) as $problem) {
      fwrite(STDERR, "  ! $problem\n");
    }
    echo $line, "\n";
    exit($ok ? 0 : 1);
  }

}
