<?php

// Stand-in for a Drupal core / PSR class, for the module's tests only; never
// shipped. Signatures as in Drupal 10.3+/11.x (see the project's drupal-api.md).

namespace Drupal\Core\Queue;

class SuspendQueueException extends \RuntimeException {

  protected $delay = NULL;

  public function __construct(string $message = '', int $code = 0, ?\Throwable $previous = NULL, ?float $delay = NULL) {
    parent::__construct($message, $code, $previous);
    $this->delay = $delay;
  }

  public function getDelay(): ?float {
    return $this->delay;
  }

  public function isDelayable(): bool {
    return isset($this->delay);
  }

}
