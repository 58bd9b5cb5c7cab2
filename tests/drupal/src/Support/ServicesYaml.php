<?php

declare(strict_types=1);

namespace Drupal\Tests\kafka_queue\Support;

/**
 * Reads a *.services.yml file of the shape Drupal modules use.
 *
 * No YAML library is available here, so this reads the subset that the
 * module's file is written in, strictly: a line it does not understand is an
 * error, never skipped. Supported under "services:": a service ID with
 * class, parent, arguments (a flow sequence of quoted or plain scalars),
 * tags (a block sequence of flow mappings) and public; or an alias written
 * "ID: '@target'".
 */
final class ServicesYaml {

  /**
   * Parses a services file.
   *
   * @param string $file
   *   The file.
   *
   * @return array
   *   Keyed by service ID: ['alias' => target] or ['class' => ?string,
   *   'parent' => ?string, 'arguments' => list, 'tags' => list of arrays].
   */
  public static function parse(string $file): array {
    $lines = file($file, FILE_IGNORE_NEW_LINES);
    if ($lines === FALSE) {
      throw new \RuntimeException("Cannot read $file");
    }
    $services = [];
    $id = NULL;
    $inTags = FALSE;
    $seenRoot = FALSE;
    foreach ($lines as $number => $line) {
      $where = basename($file) . ':' . ($number + 1);
      if (trim($line) === '' || str_starts_with(ltrim($line), '#')) {
        continue;
      }
      if (str_contains($line, "\t")) {
        throw new \RuntimeException("$where: tab in YAML");
      }
      $indent = strlen($line) - strlen(ltrim($line, ' '));
      $text = trim($line);
      if ($indent === 0) {
        if ($text !== 'services:' || $seenRoot) {
          throw new \RuntimeException("$where: expected a single 'services:' root, got '$text'");
        }
        $seenRoot = TRUE;
        continue;
      }
      if (!$seenRoot) {
        throw new \RuntimeException("$where: content before 'services:'");
      }
      if ($indent === 2) {
        $inTags = FALSE;
        if (!preg_match('/^([A-Za-z0-9_.\\\\]+):(?:\s+(.+))?$/', $text, $m)) {
          throw new \RuntimeException("$where: bad service line '$text'");
        }
        if (isset($services[$m[1]])) {
          throw new \RuntimeException("$where: service {$m[1]} defined twice");
        }
        if (isset($m[2])) {
          $target = self::scalar($m[2], $where);
          if (!is_string($target) || !str_starts_with($target, '@')) {
            throw new \RuntimeException("$where: an alias must be '@service'");
          }
          $services[$m[1]] = ['alias' => substr($target, 1)];
          $id = NULL;
        }
        else {
          $id = $m[1];
          $services[$id] = ['class' => NULL, 'parent' => NULL, 'arguments' => [], 'tags' => [], 'public' => TRUE];
        }
        continue;
      }
      if ($id === NULL) {
        throw new \RuntimeException("$where: property outside a service");
      }
      if ($indent === 4) {
        $inTags = FALSE;
        if (!preg_match('/^(class|parent|arguments|tags|public):(?:\s+(.+))?$/', $text, $m)) {
          throw new \RuntimeException("$where: unsupported service key in '$text'");
        }
        $value = $m[2] ?? NULL;
        switch ($m[1]) {
          case 'class':
          case 'parent':
            $services[$id][$m[1]] = self::scalar((string) $value, $where);
            break;

          case 'public':
            $services[$id]['public'] = self::scalar((string) $value, $where);
            break;

          case 'arguments':
            $services[$id]['arguments'] = self::flowSequence((string) $value, $where);
            break;

          case 'tags':
            if ($value !== NULL) {
              throw new \RuntimeException("$where: write tags as a block sequence");
            }
            $inTags = TRUE;
            break;
        }
        continue;
      }
      if ($indent === 6 && $inTags && preg_match('/^-\s+\{(.*)\}$/', $text, $m)) {
        $tag = [];
        foreach (self::split($m[1], $where) as $pair) {
          if (!preg_match('/^([a-z_]+):\s*(.+)$/', $pair, $p)) {
            throw new \RuntimeException("$where: bad tag entry '$pair'");
          }
          $tag[$p[1]] = self::scalar($p[2], $where);
        }
        if (!isset($tag['name'])) {
          throw new \RuntimeException("$where: a tag needs a name");
        }
        $services[$id]['tags'][] = $tag;
        continue;
      }
      throw new \RuntimeException("$where: unsupported line '$text'");
    }
    return $services;
  }

  /**
   * Parses "[a, 'b', "c"]".
   */
  private static function flowSequence(string $text, string $where): array {
    if (!preg_match('/^\[(.*)\]$/', $text, $m)) {
      throw new \RuntimeException("$where: arguments must be a flow sequence");
    }
    return array_map(static fn(string $item) => self::scalar($item, $where), self::split($m[1], $where));
  }

  /**
   * Splits on commas outside quotes.
   */
  private static function split(string $text, string $where): array {
    $items = [];
    $current = '';
    $quote = NULL;
    foreach (str_split($text) as $char) {
      if ($quote !== NULL) {
        $current .= $char;
        if ($char === $quote) {
          $quote = NULL;
        }
      }
      elseif ($char === '\'' || $char === '"') {
        $quote = $char;
        $current .= $char;
      }
      elseif ($char === ',') {
        $items[] = trim($current);
        $current = '';
      }
      else {
        $current .= $char;
      }
    }
    if ($quote !== NULL) {
      throw new \RuntimeException("$where: unclosed quote");
    }
    if (trim($current) !== '') {
      $items[] = trim($current);
    }
    return $items;
  }

  /**
   * Parses a scalar: quoted string, true/false/null, or plain string.
   */
  private static function scalar(string $text, string $where): mixed {
    $text = trim($text);
    if (preg_match('/^\'(.*)\'$/', $text, $m)) {
      return str_replace("''", "'", $m[1]);
    }
    if (preg_match('/^"(.*)"$/', $text, $m)) {
      return stripcslashes($m[1]);
    }
    return match (strtolower($text)) {
      'true' => TRUE,
      'false' => FALSE,
      'null', '~' => NULL,
      default => preg_match('/^[^\'"{}\[\],&*#?|<>=!%@`]/', $text) ? $text : throw new \RuntimeException("$where: unquoted special scalar '$text'"),
    };
  }

}
