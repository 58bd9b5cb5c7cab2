#!/usr/bin/env bash
# The chaos suite: fault injection against real brokers on loopback.
#
# Usage: chaos/run.sh [--ci] [SCENARIO...]
#
#   workers    worker processes SIGKILLed mid-processing and replaced
#   broker     a single broker SIGKILLed and restarted during produce and during drain
#   cluster    3 brokers (RF 3, min.insync.replicas 2): leaders and the group coordinator
#              SIGKILLed and restarted, one after another
#   rolling    the same cluster restarted node by node with SIGTERM (controlled shutdown), as
#              an upgrade does: not one createItem() may fail
#   partitioned  the same cluster's busiest leader paused (SIGSTOP) for 20 s: up, answering no one
#   stall      the broker paused (SIGSTOP) past every timeout, then resumed
#   badinput   corrupted deleted lists in Kafka, foreign records, edge values of the PHP API
#   fenced     the broker paused past the group session while workers drain: members dropped by
#              the coordinator are replaced, and no deleted item comes back
#
#   --ci       the reduced form (fewer items, shorter runs; of the cluster scenarios only
#              rolling, in full): about 9 minutes
#   default    every scenario, full form: about 25 minutes on 2 cores
#
# Each scenario prints one line
#   NAME: created=N processed=N duplicates=N lost=N time=Ns [more figures] result=ok|FAIL
# and exits non-zero on a loss, a phantom item, a deleted item delivered again, or a broken
# bound. Logs of every process stay in $CHAOS_OUT (default: a directory under the temp dir).
#
# Brokers: the single-broker scenarios use a broker instance of their own ("chaos", on
# 127.0.0.1:$CHAOS_BROKER_PORT, default 19592; stopped at the end unless CHAOS_KEEP_BROKER=1);
# the cluster scenarios use kafka.sh's 3-node cluster (19192, 19292, 19392) and stop it.
# The shared development broker on 19092 is never touched.
#
# Environment: KAFKA_QUEUE_EXTENSION (the .so; default target/release/libkafka_queue.so),
# CHAOS_IDEMPOTENCE=1 (the producers of broker and of the cluster scenarios set
# enable.idempotence=true),
# CHAOS_EXPECT_FAIL="stall badinput" (scenarios that fail because of a known, reported bug:
# their failure is shown as XFAIL and does not fail the run; an unexpected pass is shown too).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EXT=${KAFKA_QUEUE_EXTENSION:-$ROOT/target/release/libkafka_queue.so}
export KAFKA_QUEUE_EXTENSION=$EXT
export CHAOS_OUT=${CHAOS_OUT:-${TMPDIR:-/tmp}/kafka_queue_chaos/run-$(date +%Y%m%d-%H%M%S)}
export RUST_BACKTRACE=${RUST_BACKTRACE:-0}
PORT=${CHAOS_BROKER_PORT:-19592}
export CHAOS_BROKER_PORT=$PORT

ALL=(workers broker cluster rolling partitioned stall badinput fenced)
CI_SET=(workers broker stall badinput fenced rolling)
ci=0
scenarios=()
for arg in "$@"; do
    case $arg in
    --ci) ci=1 ;;
    -h | --help)
        sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
        exit 0
        ;;
    workers | broker | cluster | rolling | partitioned | stall | badinput | fenced) scenarios+=("$arg") ;;
    *)
        echo "chaos: unknown scenario '$arg' (known: ${ALL[*]})" >&2
        exit 2
        ;;
    esac
done
if ((${#scenarios[@]} == 0)); then
    if ((ci)); then scenarios=("${CI_SET[@]}"); else scenarios=("${ALL[@]}"); fi
fi
export CHAOS_CI=$ci

[[ -f $EXT ]] || { echo "chaos: no extension at $EXT (make build)" >&2; exit 2; }
if ! command -v java >/dev/null || ! command -v javac >/dev/null; then
    echo "chaos: java and javac are needed" >&2
    exit 2
fi
mkdir -p "$CHAOS_OUT"

kafka_chaos() {
    KAFKA_QUEUE_INSTANCE=chaos KAFKA_QUEUE_BROKER_PORT=$PORT KAFKA_QUEUE_CONTROLLER_PORT=$((PORT + 1)) \
        KAFKA_HEAP_OPTS="-Xmx384m -Xms128m" "$ROOT/scripts/kafka/kafka.sh" "$@"
}

needs_single=0
for s in "${scenarios[@]}"; do
    [[ $s == cluster || $s == rolling || $s == partitioned ]] || needs_single=1
done

# shellcheck disable=SC2317 # called through the trap
cleanup() {
    if ((needs_single)) && [[ ${CHAOS_KEEP_BROKER:-0} != 1 ]]; then
        kafka_chaos stop >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

t0=$(date +%s)
echo "chaos: $( ((ci)) && echo reduced || echo full ) run of: ${scenarios[*]}; logs in $CHAOS_OUT"
if ((needs_single)); then
    kafka_chaos start || { echo "chaos: the chaos broker did not start" >&2; exit 1; }
fi

summary=()
failed=0
for s in "${scenarios[@]}"; do
    echo "chaos: --- $s"
    args=()
    [[ $s == workers || $s == badinput ]] && args=("127.0.0.1:$PORT")
    line=$(php -d "extension=$EXT" "$ROOT/chaos/scenarios/$s.php" "${args[@]}" | tail -n 1)
    rc=${PIPESTATUS[0]}
    [[ -n $line ]] || line="$s: no summary (exit $rc)"
    echo "$line"
    expected=0
    for x in ${CHAOS_EXPECT_FAIL:-}; do [[ $x == "$s" ]] && expected=1; done
    if ((rc != 0)); then
        if ((expected)); then line="$line [XFAIL: known bug]"; else failed=1; fi
    elif ((expected)); then
        line="$line [XPASS: listed in CHAOS_EXPECT_FAIL but passed]"
    fi
    summary+=("$line")
done

echo "chaos: === summary ($(($(date +%s) - t0)) s)"
printf '%s\n' "${summary[@]}" | tee "$CHAOS_OUT/summary.txt"
exit "$failed"
