<?php

// Stand-in for a Drupal core / PSR class, for the module's tests only; never
// shipped. Signatures as in Drupal 10.3+/11.x (see the project's drupal-api.md).

namespace Psr\Log;

// psr/log 3.x, as Drupal 10 and 11 require.
interface LoggerInterface {

  public function emergency(string|\Stringable $message, array $context = []): void;

  public function alert(string|\Stringable $message, array $context = []): void;

  public function critical(string|\Stringable $message, array $context = []): void;

  public function error(string|\Stringable $message, array $context = []): void;

  public function warning(string|\Stringable $message, array $context = []): void;

  public function notice(string|\Stringable $message, array $context = []): void;

  public function info(string|\Stringable $message, array $context = []): void;

  public function debug(string|\Stringable $message, array $context = []): void;

  public function log($level, string|\Stringable $message, array $context = []): void;

}
