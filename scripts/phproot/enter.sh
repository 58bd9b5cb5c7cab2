#!/usr/bin/env bash
# Runs a command inside the root of a PHP version (made by scripts/phproot/setup.sh), in a
# private mount namespace: every bind mount below disappears with the command, whatever happens.
#
# Usage: scripts/phproot/enter.sh VERSION COMMAND [ARG...]   (VERSION: 8.4 or 8.5)
#
# Inside, these are the host's own, at the same paths: the repository (so paths, the built
# extension and the test scripts are where they are outside), the temp dir, the Rust toolchain
# ($CARGO_HOME, $RUSTUP_HOME) and the Java runtime (the chaos helper's Admin client). The
# network, loopback included, is the host's: the local broker answers as it does outside.
# The working directory is kept when it is inside the repository or the temp dir.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$REPO/scripts/phproot/version.sh" "${1:-}"
shift
if [[ ! -f $CHROOT/.kafka_queue-ready ]]; then
    echo "phproot: no PHP $PHP_VERSION root at $CHROOT: run make php${PHP_VERSION/./}-setup (scripts/phproot/setup.sh $PHP_VERSION)" >&2
    exit 2
fi
(($#)) || { echo "usage: $0 VERSION COMMAND [ARG...]" >&2; exit 2; }

CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
TMP=${TMPDIR:-/tmp}
JAVA_HOME=${JAVA_HOME:-}
if [[ -z $JAVA_HOME ]] && command -v java >/dev/null 2>&1; then
    JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
fi

binds=("$REPO" "$TMP")
[[ -d $CARGO_HOME ]] && binds+=("$CARGO_HOME")
[[ -d $RUSTUP_HOME ]] && binds+=("$RUSTUP_HOME")
if [[ -n $JAVA_HOME && -d $JAVA_HOME ]]; then
    binds+=("$JAVA_HOME")
    # Debian's JDK keeps its configuration under /etc/java-N-openjdk, linked from JAVA_HOME/conf.
    for conf in /etc/java-*-openjdk; do [[ -d $conf ]] && binds+=("$conf"); done
fi

cwd=$PWD
case $cwd/ in "$REPO"/* | "$TMP"/*) ;; *) cwd=$REPO ;; esac

path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
[[ -d $CARGO_HOME/bin ]] && path=$CARGO_HOME/bin:$path
[[ -n $JAVA_HOME ]] && path=$path:$JAVA_HOME/bin

# The mounts are made in a new mount namespace (unshare -m), so they are never seen by, and
# never left behind on, the host.
exec unshare --mount --propagation private -- /bin/bash -c '
    set -e
    root=$1 cwd=$2 path=$3
    shift 3
    while [[ $1 != -- ]]; do
        mkdir -p "$root$1"
        mount --rbind "$1" "$root$1"
        shift
    done
    shift
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    cp -f /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    exec chroot "$root" /usr/bin/env PATH="$path" /bin/bash -c "cd \"\$0\" && exec \"\$@\"" "$cwd" "$@"
' phproot-enter "$CHROOT" "$cwd" "$path" "${binds[@]}" -- \
    env CARGO_HOME="$CARGO_HOME" RUSTUP_HOME="$RUSTUP_HOME" ${JAVA_HOME:+JAVA_HOME="$JAVA_HOME"} "$@"
