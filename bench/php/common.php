<?php

/**
 * @file
 * Helpers shared by the benchmark scripts: arguments, queue construction, clocks, output.
 *
 * Every script takes key=value arguments and prints one JSON object per line on stdout;
 * bench/bench.py runs them and reads those lines. Times are hrtime(true) nanoseconds
 * (CLOCK_MONOTONIC, comparable across processes of one machine) unless a key says otherwise.
 */

declare(strict_types=1);

if (!class_exists('KafkaQueue')) {
  fwrite(STDERR, "the kafka_queue extension is not loaded (php -d extension=.../libkafka_queue.so)\n");
  exit(2);
}

/** Parses key=value arguments; $defaults lists every accepted key. */
function bench_args(array $argv, array $defaults): array {
  $args = $defaults;
  foreach (array_slice($argv, 1) as $arg) {
    $eq = strpos($arg, '=');
    if ($eq === FALSE) {
      fwrite(STDERR, "expected key=value, got '$arg'\n");
      exit(2);
    }
    $key = substr($arg, 0, $eq);
    if (!array_key_exists($key, $defaults)) {
      fwrite(STDERR, "unknown argument '$key'; accepted: " . implode(', ', array_keys($defaults)) . "\n");
      exit(2);
    }
    $args[$key] = substr($arg, $eq + 1);
  }
  return $args;
}

/** The queue configuration of a benchmark: the local broker plus $extra. */
function bench_config(array $extra = []): array {
  return $extra + [
    'bootstrap.servers' => getenv('BENCH_BOOTSTRAP') ?: '127.0.0.1:19092',
  ];
}

function emit(array $row): void {
  echo json_encode($row, JSON_UNESCAPED_SLASHES), "\n";
}

/** This process's resident set size, in KiB, as the kernel reports it. */
function rss_kib(): int {
  $status = file_get_contents('/proc/self/status');
  return preg_match('/^VmRSS:\s+(\d+)\s+kB/m', $status, $m) ? (int) $m[1] : -1;
}

/** User and system CPU seconds of this process (all threads) so far. */
function cpu_seconds(): array {
  $u = getrusage();
  return [
    'user' => $u['ru_utime.tv_sec'] + $u['ru_utime.tv_usec'] / 1e6,
    'sys' => $u['ru_stime.tv_sec'] + $u['ru_stime.tv_usec'] / 1e6,
  ];
}

/**
 * The item data of a benchmark: a string of $size bytes, or a small array whose
 * serialize() output is $size bytes (what travels in the record).
 */
function bench_data(string $kind, int $size): string|array {
  if ($kind === 'string') {
    return str_repeat('x', $size);
  }
  if ($kind !== 'array') {
    fwrite(STDERR, "data must be 'string' or 'array', got '$kind'\n");
    exit(2);
  }
  $make = fn(int $n) => ['nid' => 12345, 'op' => 'index', 'body' => str_repeat('x', $n)];
  $n = max(0, $size - strlen(serialize($make(0))));
  // The length digits of the body grow with it: adjust until the size is exact.
  while ($n > 0 && strlen(serialize($make($n))) > $size) {
    $n--;
  }
  return $make($n);
}

/**
 * CPU time used so far by each thread of process $pid ('self' for this one), in
 * nanoseconds, keyed by thread name (threads of one name are summed; librdkafka names its
 * threads rdk:main, rdk:broker<N>...). Read from /proc/<pid>/task/<tid>/schedstat.
 */
function thread_cpu_ns(string $pid = 'self'): array {
  $out = [];
  foreach (glob("/proc/$pid/task/*", GLOB_ONLYDIR) ?: [] as $task) {
    $stat = @file_get_contents("$task/schedstat");
    $name = trim((string) @file_get_contents("$task/comm"));
    if ($stat === FALSE || $name === '') {
      continue;
    }
    $out[$name] = ($out[$name] ?? 0) + (int) explode(' ', $stat)[0];
  }
  return $out;
}

/** CPU nanoseconds per item of each thread between two thread_cpu_ns() snapshots. */
function cpu_ns_per_item(array $before, array $after, int $items): array {
  $out = [];
  foreach ($after as $name => $ns) {
    $delta = $ns - ($before[$name] ?? 0);
    if ($delta > 0) {
      $out[$name] = round($delta / $items, 1);
    }
  }
  arsort($out);
  return $out;
}

/** Total CPU nanoseconds of process $pid (all threads); 0 when it cannot be read. */
function process_cpu_ns(string $pid): int {
  return $pid === '' ? 0 : array_sum(thread_cpu_ns($pid));
}
