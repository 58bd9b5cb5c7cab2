<?php

// Stand-in for a Drupal core / PSR class, for the module's tests only; never
// shipped. Signatures as in Drupal 10.3+/11.x (see the project's drupal-api.md).

namespace Drupal\Core\Queue;

class DelayedRequeueException extends \RuntimeException {

  protected $delay = 0;

  public function __construct(int $delay = 0, string $message = '', int $code = 0, ?\Throwable $previous = NULL) {
    parent::__construct($message, $code, $previous);
    if ($delay > 0) {
      $this->delay = $delay;
    }
  }

  public function getDelay(): int {
    return $this->delay;
  }

}
