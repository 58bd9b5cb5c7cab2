#!/usr/bin/env bash
# make install: builds kafka_queue for the PHP of PHP_CONFIG (default: the php-config on PATH),
# copies it into that PHP's extension directory as kafka_queue.so and checks that it loads.
#
#   make install                                  the default PHP (as make build: target/release)
#   make install PHP_CONFIG=/usr/bin/php-config8.4   another PHP (cargo's build dir: target/php8.4)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
say() { printf 'install: %s\n' "$*"; }

config=${PHP_CONFIG:-php-config}
config_path=$(command -v "$config") || { say "$config not found: install PHP's development files (php-dev) or set PHP_CONFIG" >&2; exit 1; }
php=$("$config_path" --php-binary)
version=$("$config_path" --version)
ext_dir=$("$config_path" --extension-dir)

if [[ -z ${PHP_CONFIG:-} ]]; then
    # The same build as make build and the tests.
    cargo build --release --quiet
    so=target/release/libkafka_queue.so
else
    # Another PHP: its own build directory, so that the default build stays as it is.
    target=target/php${version%.*}
    PHP=$php PHP_CONFIG=$config_path CARGO_TARGET_DIR=$target cargo build --release --quiet
    so=$target/release/libkafka_queue.so
fi
install -m 0755 "$so" "$ext_dir/kafka_queue.so"
"$php" -n -d extension=kafka_queue -r 'exit(class_exists("KafkaQueue") ? 0 : 1);' || {
    say "$ext_dir/kafka_queue.so does not load in $php" >&2
    exit 1
}
say "kafka_queue.so is in $ext_dir and loads in PHP $version ($php)"
say "enable it in the php.ini of every PHP that runs the site (FPM and CLI), or in a file of $("$config_path" --ini-dir 2>/dev/null || echo 'its conf.d'):"
say "  extension=kafka_queue"
