<?php

// Stand-in for a Drupal core / PSR class, for the module's tests only; never
// shipped. Signatures as in Drupal 10.3+/11.x (see the project's drupal-api.md).

namespace Drupal\Core\StringTranslation;

interface TranslationInterface {

  public function translate($string, array $args = [], array $options = []);

  public function translateString(TranslatableMarkup $translated_string);

  public function formatPlural($count, $singular, $plural, array $args = [], array $options = []);

}
