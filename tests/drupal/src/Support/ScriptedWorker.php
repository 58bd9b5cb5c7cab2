<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue\Support;

use Drupal\Core\Queue\DelayedRequeueException;
use Drupal\Core\Queue\QueueWorkerInterface;
use Drupal\Core\Queue\RequeueException;
use Drupal\Core\Queue\SuspendQueueException;

/**
 * A QueueWorker whose outcome per item and attempt is scripted.
 *
 * Items are arrays with a 'key'. The script maps a key to the outcomes of its
 * successive attempts: 'ok', 'requeue', 'suspend', 'delay:N' or 'fail'; an
 * attempt past the end of its script succeeds.
 */
final class ScriptedWorker implements QueueWorkerInterface {

  /**
   * Attempts per key: a list of microtime(TRUE) values.
   *
   * @var float[][]
   */
  public array $attempts = [];

  /**
   * Keys processed successfully, in order.
   *
   * @var string[]
   */
  public array $processed = [];

  /**
   * Constructs a worker.
   */
  public function __construct(
    private readonly string $pluginId,
    private readonly array $script = [],
  ) {}

  /**
   * {@inheritdoc}
   */
  public function processItem($data) {
    $key = (string) $data['key'];
    $this->attempts[$key][] = microtime(TRUE);
    $outcome = $this->script[$key][count($this->attempts[$key]) - 1] ?? 'ok';
    if ($outcome === 'ok') {
      $this->processed[] = $key;
      return;
    }
    if ($outcome === 'requeue') {
      throw new RequeueException('Requeue ' . $key);
    }
    if ($outcome === 'suspend') {
      throw new SuspendQueueException('The remote service of ' . $key . ' is down.');
    }
    if (str_starts_with($outcome, 'delay:')) {
      throw new DelayedRequeueException((int) substr($outcome, 6));
    }
    throw new \Exception('Worker failed on ' . $key);
  }

  /**
   * {@inheritdoc}
   */
  public function getPluginId() {
    return $this->pluginId;
  }

  /**
   * {@inheritdoc}
   */
  public function getPluginDefinition() {
    return ['id' => $this->pluginId];
  }

}
