#!/usr/bin/env bash
# Release archives for people without Rust: one per PHP the suite covers, named the way PIE
# looks for a release's pre-packaged binaries,
#   php_kafka_queue-<version>_php<major.minor>-<arch>-linux-glibc-nts.tgz
# (the name build.rs recorded, which `php --ri kafka_queue` prints as "release"), holding
# kafka_queue.so, the php.ini lines and the stub file; dist/SHA256SUMS lists their checksums.
# Each archive is then unpacked again and its kafka_queue.so loaded into that PHP, which must
# report the same release name.
#
#   PHP 8.2: the host's PHP; the .so of `make build` (target/release)
#   PHP 8.4, 8.5: the roots of scripts/phproot (set up when missing); the .so that their suite's
#            build (scripts/phproot/build.sh, as PIE does it) installed in the root, built
#            again first when any source is newer
#
# Usage: scripts/dist/dist.sh   (dist/ is emptied first)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO"
DIST=$REPO/dist
versions=(8.2 8.4 8.5)

say() { printf 'dist: %s\n' "$*"; }

# Runs PHP VERSION's CLI with ARGS (the host's 8.2, or that version's root's).
php_of() {
    local version=$1
    shift
    case $version in
    8.2) php8.2 "$@" ;;
    *) scripts/phproot/enter.sh "$version" "php$version" "$@" ;;
    esac
}

# The release name the extension at SO reports when PHP VERSION loads it; fails if it does not load.
release_of() {
    php_of "$1" -n -d "extension=$2" -r '
        if (!class_exists("KafkaQueue", FALSE)) { fwrite(STDERR, "kafka_queue did not load\n"); exit(1); }
        ob_start(); (new ReflectionExtension("kafka_queue"))->info(); $info = ob_get_clean();
        if (!preg_match("/^release => (\S+)$/m", $info, $m)) { fwrite(STDERR, "no release line\n"); exit(1); }
        echo $m[1];'
}

rm -rf "$DIST"
mkdir -p "$DIST"
work=$(mktemp -d "${TMPDIR:-/tmp}/kafka_queue-dist.XXXXXX")
trap 'rm -rf "$work"' EXIT

for v in "${versions[@]}"; do
    case $v in
    8.2)
        cargo build --release --quiet
        so=$REPO/target/release/libkafka_queue.so
        ;;
    *)
        scripts/phproot/setup.sh "$v" >/dev/null
        source scripts/phproot/version.sh "$v"
        so=$CHROOT$(scripts/phproot/enter.sh "$v" php-config --extension-dir)/kafka_queue.so
        if [[ ! -f $so ]] || [[ -n $(find Cargo.toml Cargo.lock build.rs src -newer "$so" -print -quit) ]]; then
            scripts/phproot/build.sh "$v" >/dev/null
        fi
        ;;
    esac
    release=$(release_of "$v" "$so") || { say "the PHP $v build does not load in PHP $v" >&2; exit 1; }
    [[ $release == php_kafka_queue-*_php$v-* ]] || { say "the PHP $v build says it is $release" >&2; exit 1; }

    stage=$work/$release
    mkdir -p "$stage"
    install -m 0755 "$so" "$stage/kafka_queue.so"
    cp php/kafka_queue.stub.php "$stage/"
    printf '; %s: copy kafka_queue.so into `php-config --extension-dir` of PHP %s and put these\n; lines in the php.ini (or conf.d) of every PHP that runs the site (FPM and CLI).\nextension=kafka_queue\n;kafka_queue.brokers = kafka-1.example.net:9092,kafka-2.example.net:9092\n' \
        "$release" "$v" >"$stage/kafka_queue.ini"
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$stage" -czf "$DIST/$release.tgz" \
        kafka_queue.so kafka_queue.ini kafka_queue.stub.php

    # What a user gets: unpack the archive and load its .so.
    check=$work/check-$v
    mkdir -p "$check"
    tar -xzf "$DIST/$release.tgz" -C "$check"
    got=$(release_of "$v" "$check/kafka_queue.so") || { say "$release.tgz: its kafka_queue.so does not load in PHP $v" >&2; exit 1; }
    [[ $got == "$release" ]] || { say "$release.tgz: its kafka_queue.so says $got" >&2; exit 1; }
    say "$release.tgz: kafka_queue.so loads in PHP $(php_of "$v" -n -r 'echo PHP_VERSION;')"
done

(cd "$DIST" && sha256sum -- *.tgz >SHA256SUMS && sha256sum --quiet -c SHA256SUMS)
say "dist/SHA256SUMS:"
sed 's/^/  /' "$DIST/SHA256SUMS"
