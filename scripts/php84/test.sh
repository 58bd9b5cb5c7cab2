#!/usr/bin/env bash
# The PHP 8.4 suite, in the Debian 13 root of scripts/php84/setup.sh, against the same local
# broker as the 8.2 suites (KAFKA_QUEUE_TEST_BROKERS):
#
#   1. the root, set up once (setup.sh; a second run costs seconds);
#   2. the build the way PIE does it: phpize, configure, make, make install in ext/ (cargo's
#      build directory: target/php8.4), and configure without cargo must say what to do;
#   3. php -l of every PHP file of the repository (module, stub, tests, scripts), where any
#      deprecation counts as a failure;
#   4. the extension's PHPUnit suite (tests/php) with Debian 13's PHPUnit;
#   5. the chaos suite's bad-input scenario.
#
# Each step prints its time. The extension is loaded by name (extension=kafka_queue), from
# PHP 8.4's extension directory, where make install put it.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO"
ENTER=$REPO/scripts/php84/enter.sh
: "${KAFKA_QUEUE_TEST_BROKERS:?set KAFKA_QUEUE_TEST_BROKERS (make test-php84 does)}"
export KAFKA_QUEUE_TEST_BROKERS
export KAFKA_QUEUE_EXTENSION=kafka_queue
# The reduced form of the chaos scenario, as chaos-ci runs it.
export CHAOS_CI=1

say() { printf 'php84: %s\n' "$*"; }
t0=$(date +%s)
lap=$t0
took() {
    local now
    now=$(date +%s)
    say "$1: $((now - lap)) s"
    lap=$now
}

scripts/php84/setup.sh
took "setup"

# phpize's files are removed again whatever happens, so that ext/ holds only the shim.
trap '"$ENTER" bash -c "cd ext && phpize --clean" >/dev/null 2>&1 || true' EXIT
"$ENTER" bash -c '
    set -e
    cd ext
    phpize >/dev/null 2>&1 || phpize
    out=$(env PATH=/usr/bin:/bin HOME=/nonexistent ./configure 2>&1) && { echo "configure without cargo succeeded" >&2; exit 1; }
    grep -q "configure: error: cargo not found. kafka_queue is written in Rust" <<<"$out" || { echo "configure without cargo: $out" >&2; exit 1; }
    CARGO_TARGET_DIR="$1/target/php8.4" ./configure >/dev/null
    make --no-print-directory >/dev/null
    make --no-print-directory install
' php84-build "$REPO"
took "build (phpize, configure, make, make install)"

"$ENTER" php -d extension=kafka_queue --ri kafka_queue | sed -n '4,9p'
"$ENTER" php -d extension=kafka_queue -r 'exit(class_exists("KafkaQueue") && str_starts_with(PHP_VERSION, "8.4.") ? 0 : 1);' || {
    say "the installed extension does not load in PHP 8.4" >&2
    exit 1
}

# php -l compiles each file: deprecations found at compile time (implicitly nullable
# parameters, for one) are printed, and fail the step.
lint=$(git ls-files -z '*.php' '*.module' '*.install' '*.inc' | "$ENTER" xargs -0 -n1 php -d error_reporting=-1 -d display_errors=1 -l 2>&1 | grep -v '^No syntax errors detected in ' || true)
if [[ -n $lint ]]; then
    printf '%s\n' "$lint" >&2
    say "php -l under PHP 8.4 is not clean" >&2
    exit 1
fi
say "php -l (PHP 8.4): $(git ls-files '*.php' '*.module' '*.install' '*.inc' | wc -l) files clean"
took "lint"

# PHPUnit 11: a deprecation, PHP's (raised by the extension or the tests on 8.4) or PHPUnit's
# own, fails the run. The tests keep PHPUnit 9.6's annotations next to 11's attributes.
"$ENTER" php -d extension=kafka_queue /usr/bin/phpunit -c tests/php/phpunit.xml \
    --fail-on-deprecation --fail-on-phpunit-deprecation --display-deprecations \
    --display-phpunit-deprecations ${KAFKA_QUEUE_PHPUNIT_ARGS:-}
took "tests/php (PHPUnit)"

rc=0
out=$("$ENTER" php -d extension=kafka_queue chaos/scenarios/badinput.php "$KAFKA_QUEUE_TEST_BROKERS" 2>&1) || rc=$?
line=$(tail -n 1 <<<"$out")
if ((rc != 0)) || [[ $line != *result=ok* ]]; then
    printf '%s\n' "$out" >&2
    say "chaos badinput failed under PHP 8.4 (exit $rc)" >&2
    exit 1
fi
echo "$line"
took "chaos badinput"
say "PHP 8.4 suite passed in $(($(date +%s) - t0)) s"
