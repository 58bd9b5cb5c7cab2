<?php

declare(strict_types=1);

namespace KafkaQueueChaos;

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
