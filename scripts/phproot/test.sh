#!/usr/bin/env bash
# The suite of another PHP than the host's (8.4 or 8.5), in its root (scripts/phproot/setup.sh),
# against the same local broker as the 8.2 suites (KAFKA_QUEUE_TEST_BROKERS):
#
# Usage: scripts/phproot/test.sh VERSION
#
#   1. the root, set up once (setup.sh; a second run costs seconds);
#   2. the build the way PIE does it (build.sh): phpize, configure, make, make install in ext/,
#      and configure without cargo must say what to do;
#   3. php -l of every PHP file of the repository (module, stub, tests, scripts), where any
#      deprecation counts as a failure;
#   4. the extension's PHPUnit suite (tests/php) with that Debian's PHPUnit;
#   5. the chaos suite's bad-input scenario.
#
# Each step prints its time. The extension is loaded by name (extension=kafka_queue), from
# that PHP's extension directory, where make install put it.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO"
source scripts/phproot/version.sh "${1:-}"
V=$PHP_VERSION
enter() { "$REPO/scripts/phproot/enter.sh" "$V" "$@"; }
: "${KAFKA_QUEUE_TEST_BROKERS:?set KAFKA_QUEUE_TEST_BROKERS (make test-php${V/./} does)}"
export KAFKA_QUEUE_TEST_BROKERS
export KAFKA_QUEUE_EXTENSION=kafka_queue
# The reduced form of the chaos scenario, as chaos-ci runs it.
export CHAOS_CI=1

say() { printf 'php%s: %s\n' "${V/./}" "$*"; }
t0=$(date +%s)
lap=$t0
took() {
    local now
    now=$(date +%s)
    say "$1: $((now - lap)) s"
    lap=$now
}

scripts/phproot/setup.sh "$V"
took "setup"

scripts/phproot/build.sh "$V"
took "build (phpize, configure, make, make install)"

enter php -d extension=kafka_queue --ri kafka_queue | sed -n '4,9p'
enter php -d extension=kafka_queue -r 'exit(class_exists("KafkaQueue") && str_starts_with(PHP_VERSION, $argv[1] . ".") ? 0 : 1);' "$V" || {
    say "the installed extension does not load in PHP $V" >&2
    exit 1
}

# php -l compiles each file: deprecations found at compile time (implicitly nullable
# parameters, for one) are printed, and fail the step.
lint=$(git ls-files -z '*.php' '*.module' '*.install' '*.inc' | enter xargs -0 -n1 php -d error_reporting=-1 -d display_errors=1 -l 2>&1 | grep -v '^No syntax errors detected in ' || true)
if [[ -n $lint ]]; then
    printf '%s\n' "$lint" >&2
    say "php -l under PHP $V is not clean" >&2
    exit 1
fi
say "php -l (PHP $V): $(git ls-files '*.php' '*.module' '*.install' '*.inc' | wc -l) files clean"
took "lint"

# Debian's PHPUnit of that root (11 for 8.4, 13 for 8.5): a deprecation, PHP's (raised by the
# extension or the tests) or PHPUnit's own, fails the run. The tests keep PHPUnit 9.6's
# annotations (the host's) next to the attributes that PHPUnit 10 and later read.
enter php -d extension=kafka_queue /usr/bin/phpunit -c tests/php/phpunit.xml \
    --fail-on-deprecation --fail-on-phpunit-deprecation --display-deprecations \
    --display-phpunit-deprecations ${KAFKA_QUEUE_PHPUNIT_ARGS:-}
took "tests/php (PHPUnit)"

rc=0
out=$(enter php -d extension=kafka_queue chaos/scenarios/badinput.php "$KAFKA_QUEUE_TEST_BROKERS" 2>&1) || rc=$?
line=$(tail -n 1 <<<"$out")
if ((rc != 0)) || [[ $line != *result=ok* ]]; then
    printf '%s\n' "$out" >&2
    say "chaos badinput failed under PHP $V (exit $rc)" >&2
    exit 1
fi
echo "$line"
took "chaos badinput"
say "PHP $V suite passed in $(($(date +%s) - t0)) s"
