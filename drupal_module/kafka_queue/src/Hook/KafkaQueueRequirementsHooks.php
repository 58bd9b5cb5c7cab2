<?php

declare(strict_types=1);

namespace Drupal\kafka_queue\Hook;

use Drupal\Core\Extension\Requirement\RequirementSeverity;
use Drupal\Core\Hook\Attribute\Hook;
use Drupal\kafka_queue\Admin\Requirements;

/**
 * The status report entries, as Drupal 11.2 and later want them declared.
 *
 * Drupal 10.3 to 11.1 never discover this class and run the procedural
 * kafka_queue_requirements() instead. That function is marked
 * #[LegacyRequirementsHook], so Drupal 11.3+ runs only this class; 11.2 runs
 * both, and since both return the same keys from the same service, the
 * status report shows each line once.
 *
 * @see kafka_queue_requirements()
 */
final class KafkaQueueRequirementsHooks {

  /**
   * Constructs a KafkaQueueRequirementsHooks.
   *
   * @param \Drupal\kafka_queue\Admin\Requirements $requirements
   *   Builds the requirements.
   */
  public function __construct(
    private readonly Requirements $requirements,
  ) {}

  /**
   * Implements hook_runtime_requirements().
   */
  #[Hook('runtime_requirements')]
  public function runtimeRequirements(): array {
    $requirements = $this->requirements->runtime();
    foreach ($requirements as &$requirement) {
      $requirement['severity'] = RequirementSeverity::from($requirement['severity']);
    }
    return $requirements;
  }

}
