<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue\Support;

use Drupal\Core\Queue\DelayableQueueInterface;
use Drupal\Core\Queue\DelayedRequeueException;
use Drupal\Core\Queue\QueueFactory;
use Drupal\Core\Queue\QueueGarbageCollectionInterface;
use Drupal\Core\Queue\QueueWorkerManagerInterface;
use Drupal\Core\Queue\RequeueException;
use Drupal\Core\Queue\SuspendQueueException;

/**
 * "drush queue:run NAME", as Drush 12/13's QueueCommands::run() does it.
 *
 * The same steps in the same order: validate the name against the QueueWorker
 * plugins; garbageCollection() if implemented (no createQueue()); lease from
 * the option, else the worker's cron time, else 30; claim, processItem(),
 * deleteItem(); RequeueException releases; SuspendQueueException releases and
 * fails the command; DelayedRequeueException delays if the queue is
 * delayable; any other exception is logged and the item left claimed until
 * its lease expires. Only Drush's logger is replaced by a list of lines.
 */
final class DrushQueueRunner {

  /**
   * What Drush would have printed: [level, message].
   *
   * @var array[]
   */
  public array $log = [];

  /**
   * Constructs a runner.
   */
  public function __construct(
    private readonly QueueWorkerManagerInterface $workerManager,
    private readonly QueueFactory $queueService,
  ) {}

  /**
   * Runs a queue.
   *
   * @param string $name
   *   The queue name.
   * @param array $options
   *   time-limit, items-limit, lease-time, as Drush's options (NULL: unset).
   *
   * @return int
   *   The number of items processed.
   *
   * @throws \Exception
   *   When the worker suspends the queue, as Drush does.
   */
  public function run(string $name, array $options = []): int {
    $options += ['time-limit' => NULL, 'items-limit' => NULL, 'lease-time' => NULL];
    // #[CLI\ValidateQueueName(argumentName: 'name')].
    if (!$this->workerManager->hasDefinition($name)) {
      throw new \Exception(sprintf('Queue name "%s" not found.', $name));
    }
    $time_limit = (int) $options['time-limit'];
    $items_limit = (int) $options['items-limit'];
    $start = microtime(TRUE);
    $worker = $this->workerManager->createInstance($name);
    $info = $this->workerManager->getDefinition($name);
    $end = time() + $time_limit;
    $queue = $this->queueService->get($name);
    $count = 0;
    $remaining = $time_limit;
    $lease_time = $options['lease-time'] ?? $info['cron']['time'] ?? 30;

    if ($queue instanceof QueueGarbageCollectionInterface) {
      $queue->garbageCollection();
    }

    while ((!$time_limit || $remaining > 0) && (!$items_limit || $count < $items_limit) && ($item = $queue->claimItem($lease_time))) {
      try {
        $this->log[] = ['info', sprintf('Processing item %s from %s queue.', $item->item_id, $name)];
        $worker->processItem($item->data);
        $queue->deleteItem($item);
        $count++;
      }
      catch (RequeueException $e) {
        $queue->releaseItem($item);
      }
      catch (SuspendQueueException $e) {
        $queue->releaseItem($item);
        throw new \Exception($e->getMessage(), $e->getCode(), $e);
      }
      catch (DelayedRequeueException $e) {
        if ($queue instanceof DelayableQueueInterface) {
          $queue->delayItem($item, $e->getDelay());
        }
      }
      catch (\Exception $e) {
        $this->log[] = ['error', $e->getMessage()];
      }
      $remaining = $end - time();
    }
    $elapsed = microtime(TRUE) - $start;
    $this->log[] = ['success', sprintf('Processed %d items from the %s queue in %s sec.', $count, $name, round($elapsed, 2))];
    return $count;
  }

}
