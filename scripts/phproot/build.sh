#!/usr/bin/env bash
# Builds and installs kafka_queue in the root of a PHP version the way PIE does it: phpize,
# configure, make, make install in ext/ (the shim hands the build to cargo), after checking that
# configure without cargo stops and says what to do. phpize's files are removed again after.
#
# Usage: scripts/phproot/build.sh VERSION   (the root must exist: scripts/phproot/setup.sh)
#
# cargo's build directory, target/phproot, is shared by the roots: what does not depend on PHP
# (the bundled librdkafka, most crates) is compiled once, while ext-php-rs and this crate are
# rebuilt for each PHP (their build scripts watch PHP and PHP_CONFIG). Each root's own copy is
# the kafka_queue.so that make install put into its extension directory.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO"
source scripts/phproot/version.sh "${1:-}"
enter() { "$REPO/scripts/phproot/enter.sh" "$PHP_VERSION" "$@"; }

trap 'enter bash -c "cd ext && phpize --clean" >/dev/null 2>&1 || true' EXIT
enter bash -c '
    set -e
    cd ext
    phpize >/dev/null 2>&1 || phpize
    out=$(env PATH=/usr/bin:/bin HOME=/nonexistent ./configure 2>&1) && { echo "configure without cargo succeeded" >&2; exit 1; }
    grep -q "configure: error: cargo not found. kafka_queue is written in Rust" <<<"$out" || { echo "configure without cargo: $out" >&2; exit 1; }
    CARGO_TARGET_DIR="$1/target/phproot" ./configure >/dev/null
    make --no-print-directory >/dev/null
    make --no-print-directory install
' phproot-build "$REPO"
