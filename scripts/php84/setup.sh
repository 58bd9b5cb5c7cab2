#!/usr/bin/env bash
# Sets up, once, the PHP 8.4 root the 8.4 suite runs in: a minimal Debian 13 (trixie) made by
# debootstrap in the git-ignored folder .php84/root, with Debian's PHP 8.4 (CLI, headers, embed
# SAPI, FPM), PHPUnit, clang (bindgen) and the C libraries librdkafka links against. Each step
# runs only when its result is missing, so running it again costs a second.
#
# The host's PHP is never touched. Needs root (debootstrap, chroot) and the Debian registry.
# Environment: KAFKA_QUEUE_PHP84_ROOT (default .php84/root), DEBIAN_MIRROR.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CHROOT=${KAFKA_QUEUE_PHP84_ROOT:-$REPO/.php84/root}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=trixie
# Same list as scripts/install-deps.sh, for PHP 8.4; make and gcc build librdkafka.
PACKAGES=(php8.4-cli php8.4-dev libphp8.4-embed php8.4-fpm php8.4-xml php8.4-mbstring phpunit
    clang libclang-dev make gcc g++ pkg-config libssl-dev libsasl2-dev libcurl4-openssl-dev
    zlib1g-dev libzstd-dev ca-certificates)

say() { printf 'php84-setup: %s\n' "$*"; }
seconds() { echo $(($(date +%s) - $1)); }

((EUID == 0)) || { say "needs root (debootstrap and chroot); run it as root or with sudo" >&2; exit 1; }
command -v unshare >/dev/null || { say "unshare (util-linux) is missing" >&2; exit 1; }

if [[ ! -x $CHROOT/usr/bin/apt-get ]]; then
    if ! command -v debootstrap >/dev/null; then
        say "installing debootstrap"
        apt-get -o DPkg::Lock::Timeout=600 update -qq
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq debootstrap >/dev/null
    fi
    if [[ ! -f /usr/share/debootstrap/scripts/$SUITE ]]; then
        say "this debootstrap does not know Debian $SUITE; install a newer debootstrap" >&2
        exit 1
    fi
    t=$(date +%s)
    say "debootstrap --variant=minbase $SUITE into $CHROOT (about a minute)"
    rm -rf "$CHROOT.partial"
    mkdir -p "$(dirname "$CHROOT")"
    debootstrap --variant=minbase "$SUITE" "$CHROOT.partial" "$MIRROR" >"$(dirname "$CHROOT")/debootstrap.log" 2>&1 || {
        say "debootstrap failed; see $(dirname "$CHROOT")/debootstrap.log" >&2
        exit 1
    }
    mv "$CHROOT.partial" "$CHROOT"
    say "debootstrap: $(seconds "$t") s"
fi
# enter.sh refuses a root without this mark; the packages step below needs enter.sh.
touch "$CHROOT/.kafka_queue-ready"

in_root() { "$REPO/scripts/php84/enter.sh" "$@"; }

missing=()
for p in "${PACKAGES[@]}"; do
    in_root dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    t=$(date +%s)
    say "apt-get install (inside) ${missing[*]}"
    in_root apt-get update -qq
    in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    in_root apt-get clean
    say "packages: $(seconds "$t") s"
fi
say "ok ($(in_root php -n -r 'echo "PHP ", PHP_VERSION, PHP_ZTS ? " ZTS" : " NTS";'), $(in_root phpunit --version | head -n 1))"
