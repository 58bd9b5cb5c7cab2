<?php

// Stand-in for a Drupal core / PSR class, for the module's tests only; never
// shipped. Signatures as in Drupal 10.3+/11.x (see the project's drupal-api.md).

namespace Drupal\Core\StringTranslation;

/**
 * Formats like core's FormattableMarkup with @-placeholders; no translation.
 */
class TranslatableMarkup implements \Stringable {

  protected $string;

  protected $arguments;

  protected $options;

  public function __construct($string, array $arguments = [], array $options = [], ?TranslationInterface $string_translation = NULL) {
    if (!is_string($string)) {
      throw new \InvalidArgumentException('$string ("' . $string . '") must be a string.');
    }
    $this->string = $string;
    $this->arguments = $arguments;
    $this->options = $options;
  }

  public function getUntranslatedString() {
    return $this->string;
  }

  public function getArguments() {
    return $this->arguments;
  }

  public function __toString(): string {
    return strtr($this->string, array_map('strval', $this->arguments));
  }

}
