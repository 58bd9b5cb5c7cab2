#!/usr/bin/env bash
# Installs the system packages kafka_queue needs to build and test, with apt-get,
# and only when something is missing (so it is cheap to run again).
#   PHP 8.2 (CLI, headers, embed SAPI, xml, mbstring), clang/libclang (bindgen), PHPUnit,
#   composer and the PHP extensions Drupal core needs (SQLite, GD, curl) for the module's tests,
#   the C libraries of a secured, compressed Kafka client; debootstrap (the PHP 8.4 and 8.5
#   roots of scripts/phproot);
#   a Java runtime and Maven only when `java` / `mvn` are not on PATH (local Kafka broker).
# Arguments name more packages (the benchmarks add strace, nginx, php-fpm and wrk).
# Rust (cargo) is not installed from here: the script checks for it and says how to get it.
set -euo pipefail

# The C libraries librdkafka links against for secured clusters and compression (system ones,
# like the distribution's own PHP extensions): OpenSSL, libsasl2 (SCRAM needs OpenSSL, GSSAPI
# needs libsasl2), libcurl (OAUTHBEARER OIDC), zlib, zstd; pkg-config finds them.
PACKAGES=(php8.2-cli php8.2-dev libphp8.2-embed clang libclang-dev phpunit php8.2-xml php8.2-mbstring
    composer php8.2-sqlite3 php8.2-gd php8.2-curl debootstrap
    pkg-config libssl-dev libsasl2-dev libcurl4-openssl-dev zlib1g-dev libzstd-dev)
PACKAGES+=("$@")

say() { printf 'install-deps: %s\n' "$*"; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for p in "${PACKAGES[@]}"; do
    installed "$p" || missing+=("$p")
done
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
# The chaos suite and the secured broker (scripts/kafka/secure.sh) compile small Admin-API helpers.
command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
# The secured broker's CA and certificate.
command -v openssl >/dev/null 2>&1 || missing+=(openssl)

if ((${#missing[@]})); then
    command -v apt-get >/dev/null 2>&1 || { say "apt-get not found; install by hand: ${missing[*]}" >&2; exit 1; }
    sudo=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null 2>&1 || { say "not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
        sudo=(sudo)
    fi
    say "installing ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
else
    say "system packages already installed"
fi

# Kafka 4 needs Java 17 or newer.
java_major=$(java -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
if [[ -n $java_major ]] && ((java_major < 17)); then
    say "warning: java $java_major found, the Kafka broker needs Java 17+ (e.g. openjdk-17-jre-headless)" >&2
fi

if ! command -v cargo >/dev/null 2>&1; then
    say "cargo not found: install a stable Rust toolchain with rustup (see the Rust project's" >&2
    say "install page), then open a new shell or run: . \"\$HOME/.cargo/env\"" >&2
    exit 1
fi
say "ok ($(php -r 'echo "PHP ", PHP_VERSION;'), $(cargo --version | cut -d ' ' -f 1-2), java $java_major)"
