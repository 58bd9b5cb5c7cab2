#!/usr/bin/env bash
# Sets up, once, the root a PHP suite runs in (scripts/phproot/version.sh says which Debian
# ships which PHP): a minimal Debian made by debootstrap in the git-ignored folder
# .phproot/<version>/root, with Debian's PHP of that version (CLI, headers, embed SAPI, FPM),
# PHPUnit, clang (bindgen) and the C libraries librdkafka links against. Each step runs only
# when its result is missing, so running it again costs a second.
#
# Usage: scripts/phproot/setup.sh VERSION   (8.4 or 8.5)
#
# The host's PHP is never touched. Needs root (debootstrap, chroot) and the Debian registry.
# Environment: KAFKA_QUEUE_PHP84_ROOT, KAFKA_QUEUE_PHP85_ROOT (default .phproot/<version>/root),
# DEBIAN_MIRROR.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$REPO/scripts/phproot/version.sh" "${1:-}"
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
V=$PHP_VERSION
# Same list as scripts/install-deps.sh, for this PHP; make and gcc build librdkafka.
PACKAGES=("php$V-cli" "php$V-dev" "libphp$V-embed" "php$V-fpm" "php$V-xml" "php$V-mbstring" phpunit
    clang libclang-dev make gcc g++ pkg-config libssl-dev libsasl2-dev libcurl4-openssl-dev
    zlib1g-dev libzstd-dev ca-certificates)

say() { printf 'php%s-setup: %s\n' "${V/./}" "$*"; }
seconds() { echo $(($(date +%s) - $1)); }

((EUID == 0)) || { say "needs root (debootstrap and chroot); run it as root or with sudo" >&2; exit 1; }
command -v unshare >/dev/null || { say "unshare (util-linux) is missing" >&2; exit 1; }

# One setup of a root at a time: a second one (make test starts them early, in the
# background) waits here, then finds the work done.
mkdir -p "$(dirname "$CHROOT")"
exec 9>"$(dirname "$CHROOT")/setup.lock"
flock 9

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
    debootstrap --variant=minbase "$SUITE" "$CHROOT.partial" "$MIRROR" >"$(dirname "$CHROOT")/debootstrap.log" 2>&1 || {
        say "debootstrap failed; see $(dirname "$CHROOT")/debootstrap.log" >&2
        exit 1
    }
    mv "$CHROOT.partial" "$CHROOT"
    say "debootstrap: $(seconds "$t") s"
fi
if [[ $SUITE == sid ]]; then
    # Unstable's Release file is signed valid for a week only; a registry that serves a
    # snapshot of it serves an expired one, which apt refuses unless told not to look.
    echo 'Acquire::Check-Valid-Until "false";' >"$CHROOT/etc/apt/apt.conf.d/99kafka_queue-snapshot"
fi
if [[ -n $EXTRA_SUITE ]]; then
    # Its packages have the lowest priority: apt takes only those named below that the main
    # suite does not have, and what they need from it.
    echo "deb $MIRROR $EXTRA_SUITE main" >"$CHROOT/etc/apt/sources.list.d/$EXTRA_SUITE.list"
fi
# enter.sh refuses a root without this mark; the packages step below needs enter.sh.
touch "$CHROOT/.kafka_queue-ready"

in_root() { "$REPO/scripts/phproot/enter.sh" "$V" "$@"; }

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
say "ok ($(in_root "php$V" -n -r 'echo "PHP ", PHP_VERSION, PHP_ZTS ? " ZTS" : " NTS";'), $(in_root phpunit --version | head -n 1))"
