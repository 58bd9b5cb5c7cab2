#!/usr/bin/env bash
# Local Apache Kafka (KRaft, no ZooKeeper, no Docker) on loopback for kafka_queue.
#
# Usage: scripts/kafka/kafka.sh COMMAND [ARGS]
#
#   fetch             download the pinned Kafka jars (scripts/kafka/pom.xml) into .kafka/libs
#   start             fetch and format if needed, start the broker, wait until it answers
#   stop              stop the broker (SIGTERM, then SIGKILL after a deadline)
#   restart           stop, then start
#   status            print running/starting/stopped (exit 0 running, 3 otherwise)
#   wait              wait until the running broker answers
#   topics [ARGS]     no ARGS: list topics; otherwise pass ARGS to Kafka's TopicCommand
#   tool CLASS [ARGS] run any Kafka class with the jars on the class path
#                     (e.g. org.apache.kafka.tools.ProducerPerformance)
#   reset             stop the broker and delete its data
#
#   cluster-start [N] a quorum of N (default 3) combined broker+controller nodes;
#                     node i listens on 127.0.0.1:19i92, controller 127.0.0.1:19i93
#   cluster-stop | cluster-status | cluster-reset
#   node-start I | node-stop I | node-kill I   one cluster node (failover tests)
#   node-pause I | node-resume I   SIGSTOP / SIGCONT one cluster node: up, but answering no one
#
# State lives under .kafka/ in the repository: libs/ (jars) and data/<instance>/
# (server.properties, kafka-logs/, server.log, broker.out, broker.pid).
#
# Environment (single instance):
#   KAFKA_QUEUE_BROKER_PORT      default 19092
#   KAFKA_QUEUE_CONTROLLER_PORT  default 19093
#   KAFKA_NODE_ID                default 1
#   KAFKA_QUEUE_INSTANCE         default "single" (data dir .kafka/data/<instance>)
#   KAFKA_QUEUE_DATA_DIR         overrides the data dir entirely
#   KAFKA_QUEUE_VOTERS           default <node id>@127.0.0.1:<controller port>
#   KAFKA_HEAP_OPTS              default "-Xmx512m -Xms256m" (cluster nodes: KAFKA_CLUSTER_HEAP_OPTS)
#   KAFKA_OPTS                   extra JVM options for the broker
#   KAFKA_QUEUE_BROKER_PROPERTIES extra broker properties, key=value separated by spaces (applied
#                                when the instance starts, e.g. group.consumer.heartbeat.interval.ms=1000)
#   KAFKA_QUEUE_BOOTSTRAP        bootstrap servers for `topics` (default: this instance)
#   KAFKA_QUEUE_START_TIMEOUT    seconds, default 120 (a loaded 2-core machine can need more
#                                than 60); KAFKA_QUEUE_STOP_TIMEOUT default 30
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)
KAFKA_DIR=$REPO_DIR/.kafka
LIBS_DIR=$KAFKA_DIR/libs
POM=$SCRIPT_DIR/pom.xml
TEMPLATE=$SCRIPT_DIR/server.properties.in
LOG4J=$SCRIPT_DIR/log4j2.properties
JAVA=${JAVA:-java}
START_TIMEOUT=${KAFKA_QUEUE_START_TIMEOUT:-120}
STOP_TIMEOUT=${KAFKA_QUEUE_STOP_TIMEOUT:-30}

say() { printf 'kafka: %s\n' "$*"; }
die() { printf 'kafka: error: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------- instances

# Globals describing the instance being acted on; set by select_single / select_cluster_node.
INSTANCE='' NODE_ID='' BROKER_PORT='' CONTROLLER_PORT='' VOTERS='' RF='' MIN_ISR=''
DATA_DIR='' HEAP='' PROPS='' LOG_DIR='' PID_FILE='' OUT_FILE='' SERVER_LOG=''

set_paths() {
    PROPS=$DATA_DIR/server.properties
    LOG_DIR=$DATA_DIR/kafka-logs
    PID_FILE=$DATA_DIR/broker.pid
    OUT_FILE=$DATA_DIR/broker.out
    SERVER_LOG=$DATA_DIR/server.log
}

select_single() {
    NODE_ID=${KAFKA_NODE_ID:-1}
    BROKER_PORT=${KAFKA_QUEUE_BROKER_PORT:-19092}
    CONTROLLER_PORT=${KAFKA_QUEUE_CONTROLLER_PORT:-19093}
    INSTANCE=${KAFKA_QUEUE_INSTANCE:-single}
    DATA_DIR=${KAFKA_QUEUE_DATA_DIR:-$KAFKA_DIR/data/$INSTANCE}
    VOTERS=${KAFKA_QUEUE_VOTERS:-$NODE_ID@127.0.0.1:$CONTROLLER_PORT}
    RF=1
    MIN_ISR=1
    HEAP=${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}
    set_paths
}

CLUSTER_SIZE_FILE=$KAFKA_DIR/data/cluster.size
CLUSTER_ID_FILE=$KAFKA_DIR/data/cluster.id

cluster_port() { echo $((19092 + 100 * $1)); }

cluster_bootstrap() {
    local n=$1 i out=''
    for ((i = 1; i <= n; i++)); do out+="${out:+,}127.0.0.1:$(cluster_port "$i")"; done
    echo "$out"
}

select_cluster_node() {
    local i=$1 n=$2 j
    NODE_ID=$i
    BROKER_PORT=$(cluster_port "$i")
    CONTROLLER_PORT=$((BROKER_PORT + 1))
    INSTANCE=cluster-$i
    DATA_DIR=$KAFKA_DIR/data/$INSTANCE
    VOTERS=''
    for ((j = 1; j <= n; j++)); do VOTERS+="${VOTERS:+,}$j@127.0.0.1:$(($(cluster_port "$j") + 1))"; done
    RF=$((n < 3 ? n : 3))
    MIN_ISR=$((RF >= 3 ? 2 : 1))
    HEAP=${KAFKA_CLUSTER_HEAP_OPTS:--Xmx384m -Xms128m}
    set_paths
}

# ---------------------------------------------------------------- helpers

need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found (scripts/install-deps.sh installs it)"; }

# Serialises commands that change state (two `make kafka-start` at once, say).
# LOCK_FILE: secure.sh (which sources this file) has its own, so both brokers can start at once.
LOCK_FILE=$KAFKA_DIR/.lock
lock() {
    mkdir -p "$KAFKA_DIR"
    exec 9>"$LOCK_FILE"
    flock -w 300 9 || die "another kafka.sh holds $LOCK_FILE"
}

# A short-lived JVM running one of Kafka's tools; its log (WARN+) goes to .kafka/tools.log.
tool_cmd() {
    TOOL=("$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true
        "-Dlog4j2.configurationFile=$LOG4J" "-Dkafka.logs.dir=$KAFKA_DIR" -Dkafka.log.file=tools.log
        -cp "$LIBS_DIR/*")
}

# shellcheck disable=SC2016 # $0 is expanded by the inner bash
port_open() { timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$1" 2>/dev/null; }

# True when PID is this instance's broker (guards against a recycled pid).
is_our_broker() {
    local pid=$1
    [[ -r /proc/$pid/cmdline ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "kafka.Kafka $PROPS"
}

# Prints the broker's pid if it is running; falls back to the command line when the pid file is gone.
running_pid() {
    local pid=''
    if [[ -f $PID_FILE ]]; then
        pid=$(<"$PID_FILE")
        if [[ $pid =~ ^[0-9]+$ ]] && is_our_broker "$pid"; then
            echo "$pid"
            return 0
        fi
    fi
    pid=$(pgrep -f -- "kafka\\.Kafka $PROPS" 2>/dev/null | head -n 1) || true
    if [[ -n $pid ]] && is_our_broker "$pid"; then
        [[ -d $DATA_DIR ]] && echo "$pid" >"$PID_FILE"
        echo "$pid"
        return 0
    fi
    return 1
}

show_log_tail() {
    local f
    for f in "$OUT_FILE" "$SERVER_LOG"; do
        if [[ -s $f ]]; then
            printf 'kafka: --- last lines of %s ---\n' "${f#"$REPO_DIR"/}" >&2
            tail -n 25 "$f" >&2
        fi
    done
}

render_props() {
    mkdir -p "$DATA_DIR"
    sed -e "s|@NODE_ID@|$NODE_ID|g" \
        -e "s|@VOTERS@|$VOTERS|g" \
        -e "s|@BROKER_PORT@|$BROKER_PORT|g" \
        -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" \
        -e "s|@LOG_DIR@|$LOG_DIR|g" \
        -e "s|@REPLICATION_FACTOR@|$RF|g" \
        -e "s|@MIN_ISR@|$MIN_ISR|g" \
        "$TEMPLATE" >"$PROPS.tmp"
    local extra
    for extra in ${KAFKA_QUEUE_BROKER_PROPERTIES:-}; do
        printf '%s\n' "$extra" >>"$PROPS.tmp"
    done
    if grep -v "^#" "$PROPS.tmp" | grep -q "@[A-Z_]*@"; then
        die "unreplaced placeholder in $TEMPLATE: $(grep -v '^#' "$PROPS.tmp" | grep -o '@[A-Z_]*@' | head -n 1)"
    fi
    mv "$PROPS.tmp" "$PROPS"
}

new_cluster_id() {
    local TOOL id
    tool_cmd
    id=$("${TOOL[@]}" kafka.tools.StorageTool random-uuid | tail -n 1)
    [[ $id =~ ^[A-Za-z0-9_-]{22}$ ]] || die "StorageTool random-uuid printed '$id'"
    echo "$id"
}

# Formats the log dir once (meta.properties present = formatted). $1: cluster id, optional.
ensure_formatted() {
    local id=${1:-} TOOL
    [[ -f $LOG_DIR/meta.properties ]] && return 0
    [[ -n $id ]] || id=$(new_cluster_id)
    say "formatting $INSTANCE storage (cluster id $id)"
    tool_cmd
    if ! "${TOOL[@]}" kafka.tools.StorageTool format -t "$id" -c "$PROPS" --ignore-formatted \
        >"$DATA_DIR/format.out" 2>&1; then
        cat "$DATA_DIR/format.out" >&2
        die "formatting $LOG_DIR failed"
    fi
}

# ---------------------------------------------------------------- commands

cmd_fetch() {
    local want have='' n t0 tmp
    need java
    want=$(sha256sum "$POM" | cut -d ' ' -f 1)
    [[ -f $LIBS_DIR/.pom.sha256 ]] && have=$(<"$LIBS_DIR/.pom.sha256")
    if [[ $have == "$want" ]] && compgen -G "$LIBS_DIR/kafka_2.13-*.jar" >/dev/null; then
        [[ ${1:-} == quiet ]] || say "jars up to date in ${LIBS_DIR#"$REPO_DIR"/}"
        return 0
    fi
    need mvn
    say "fetching jars (Maven, scripts/kafka/pom.xml)"
    t0=$(now)
    tmp=$KAFKA_DIR/libs.tmp
    rm -rf "$tmp"
    mkdir -p "$tmp"
    if ! mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
        -DoutputDirectory="$tmp" -DincludeScope=runtime; then
        rm -rf "$tmp"
        die "mvn dependency:copy-dependencies failed"
    fi
    echo "$want" >"$tmp/.pom.sha256"
    rm -rf "$LIBS_DIR"
    mv "$tmp" "$LIBS_DIR"
    n=$(find "$LIBS_DIR" -name '*.jar' | wc -l)
    say "fetched $n jars in $(since "$t0") s"
}

# Starts the current instance in the background (no waiting). $1: cluster id, optional.
# Sets LAUNCHED=1 if a process was started, 0 if one was already there.
launch() {
    local pid p jvm heap
    LAUNCHED=0
    if pid=$(running_pid); then
        return 0
    fi
    rm -f "$PID_FILE"
    for p in "$BROKER_PORT" "$CONTROLLER_PORT"; do
        if port_open "$p"; then
            die "127.0.0.1:$p is in use by another process, not by the $INSTANCE broker"
        fi
    done
    render_props
    ensure_formatted "${1:-}"
    [[ -f $OUT_FILE ]] && mv -f "$OUT_FILE" "$OUT_FILE.1"
    read -r -a heap <<<"$HEAP"
    read -r -a jvm <<<"${KAFKA_OPTS:-}"
    # setsid: own session, so the broker outlives the shell or make that started it.
    # Close every inherited fd above 2 (the lock on fd 9, pipes of whoever called us):
    # a long-lived broker holding them would keep a lock or a reader waiting.
    (
        for fd in /proc/self/fd/*; do
            fd=${fd##*/}
            if ((fd > 2)); then eval "exec $fd>&-"; fi
        done
        exec setsid "$JAVA" "${heap[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
            -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
            -Djava.awt.headless=true "-Dlog4j2.configurationFile=$LOG4J" \
            "-Dkafka.logs.dir=$DATA_DIR" -Dkafka.log.file=server.log "${jvm[@]}" \
            -cp "$LIBS_DIR/*" kafka.Kafka "$PROPS"
    ) </dev/null >"$OUT_FILE" 2>&1 &
    pid=$!
    echo "$pid" >"$PID_FILE"
    LAUNCHED=1
}

# Waits until the instance's port accepts connections (deadline: absolute epoch seconds).
wait_port() {
    local deadline=$1
    while ! port_open "$BROKER_PORT"; do
        if ! running_pid >/dev/null; then
            say "$INSTANCE: the broker process exited while starting" >&2
            show_log_tail
            return 1
        fi
        if (($(date +%s) >= deadline)); then
            say "$INSTANCE: no answer on 127.0.0.1:$BROKER_PORT after ${START_TIMEOUT} s" >&2
            show_log_tail
            return 1
        fi
        sleep 0.2
    done
}

# A real client round trip (AdminClient listTopics) against BOOTSTRAP, retried until deadline.
wait_client() {
    local bootstrap=$1 deadline=$2 left TOOL
    tool_cmd
    while :; do
        left=$((deadline - $(date +%s)))
        ((left >= 5)) || left=5
        if timeout "$left" "${TOOL[@]}" org.apache.kafka.tools.TopicCommand \
            --bootstrap-server "$bootstrap" --list >/dev/null 2>&1; then
            return 0
        fi
        if (($(date +%s) >= deadline)); then
            say "$bootstrap did not answer a client request within ${START_TIMEOUT} s" >&2
            show_log_tail
            return 1
        fi
        sleep 1
    done
}

cmd_start() {
    local t0 deadline pid
    t0=$(now)
    deadline=$(($(date +%s) + START_TIMEOUT))
    lock
    cmd_fetch quiet
    select_single
    if pid=$(running_pid) && port_open "$BROKER_PORT"; then
        say "already running (pid $pid) on 127.0.0.1:$BROKER_PORT"
        return 0
    fi
    launch
    ((LAUNCHED)) || say "$INSTANCE broker (pid $(running_pid)) is still starting, waiting"
    wait_port "$deadline" || exit 1
    wait_client "127.0.0.1:$BROKER_PORT" "$deadline" || exit 1
    say "started on 127.0.0.1:$BROKER_PORT (pid $(running_pid)) in $(since "$t0") s"
}

cmd_wait() {
    local deadline
    deadline=$(($(date +%s) + START_TIMEOUT))
    select_single
    running_pid >/dev/null || die "$INSTANCE broker is not running (start it with: make kafka-start)"
    wait_port "$deadline" || exit 1
    wait_client "127.0.0.1:$BROKER_PORT" "$deadline" || exit 1
    say "ready on 127.0.0.1:$BROKER_PORT"
}

# Sends SIGTERM to the current instance's broker; prints its pid if there was one.
signal_stop() {
    local pid
    pid=$(running_pid) || return 1
    kill -TERM "$pid" 2>/dev/null || true
    echo "$pid"
}

# Waits for PID to exit, SIGKILL after the deadline (absolute epoch seconds).
reap() {
    local pid=$1 deadline=$2
    while is_our_broker "$pid"; do
        if (($(date +%s) >= deadline)); then
            say "$INSTANCE did not stop within ${STOP_TIMEOUT} s, sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.5
            break
        fi
        sleep 0.2
    done
    rm -f "$PID_FILE"
}

stop_current() {
    local pid t0
    t0=$(now)
    if ! pid=$(signal_stop); then
        rm -f "$PID_FILE"
        say "$INSTANCE not running"
        return 0
    fi
    reap "$pid" $(($(date +%s) + STOP_TIMEOUT))
    say "stopped $INSTANCE (pid $pid) in $(since "$t0") s"
}

cmd_stop() {
    lock
    select_single
    stop_current
}

status_current() {
    local pid
    if pid=$(running_pid); then
        if port_open "$BROKER_PORT"; then
            say "$INSTANCE running (pid $pid) on 127.0.0.1:$BROKER_PORT"
            return 0
        fi
        say "$INSTANCE starting (pid $pid), 127.0.0.1:$BROKER_PORT not answering yet"
        return 3
    fi
    say "$INSTANCE stopped"
    return 3
}

cmd_status() {
    select_single
    status_current
}

cmd_topics() {
    local TOOL bootstrap
    select_single
    bootstrap=${KAFKA_QUEUE_BOOTSTRAP:-127.0.0.1:$BROKER_PORT}
    [[ -d $LIBS_DIR ]] || die "no jars yet: run scripts/kafka/kafka.sh fetch"
    tool_cmd
    if (($# == 0)); then
        set -- --list
    fi
    exec "${TOOL[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" "$@"
}

cmd_tool() {
    local TOOL
    (($# >= 1)) || die "usage: kafka.sh tool CLASS [ARGS]"
    [[ -d $LIBS_DIR ]] || die "no jars yet: run scripts/kafka/kafka.sh fetch"
    tool_cmd
    exec "${TOOL[@]}" "$@"
}

cmd_reset() {
    lock
    select_single
    stop_current
    rm -rf "$DATA_DIR"
    say "deleted ${DATA_DIR#"$REPO_DIR"/}"
}

# ---------------------------------------------------------------- cluster

cluster_size() {
    [[ -f $CLUSTER_SIZE_FILE ]] || die "no cluster yet (run: scripts/kafka/kafka.sh cluster-start)"
    cat "$CLUSTER_SIZE_FILE"
}

node_arg() {
    local i=${1:-} n
    n=$(cluster_size)
    if ! [[ $i =~ ^[0-9]+$ ]] || ((i < 1 || i > n)); then
        die "node must be 1..$n"
    fi
    select_cluster_node "$i" "$n"
}

cmd_cluster_start() {
    local n=${1:-3} i t0 deadline id have
    [[ $n =~ ^[1-9]$ ]] || die "cluster size must be 1..9"
    t0=$(now)
    deadline=$(($(date +%s) + START_TIMEOUT))
    lock
    cmd_fetch quiet
    mkdir -p "$KAFKA_DIR/data"
    if [[ -f $CLUSTER_SIZE_FILE ]]; then
        have=$(<"$CLUSTER_SIZE_FILE")
        [[ $have == "$n" ]] || die "a $have-node cluster exists; run cluster-reset first to change its size"
    fi
    echo "$n" >"$CLUSTER_SIZE_FILE"
    [[ -f $CLUSTER_ID_FILE ]] || new_cluster_id >"$CLUSTER_ID_FILE"
    id=$(<"$CLUSTER_ID_FILE")
    for ((i = 1; i <= n; i++)); do
        select_cluster_node "$i" "$n"
        launch "$id"
    done
    for ((i = 1; i <= n; i++)); do
        select_cluster_node "$i" "$n"
        wait_port "$deadline" || exit 1
    done
    wait_client "$(cluster_bootstrap "$n")" "$deadline" || exit 1
    say "cluster of $n started on $(cluster_bootstrap "$n") in $(since "$t0") s"
}

cmd_cluster_stop() {
    local n i t0 deadline
    local -a pids=()
    [[ -f $CLUSTER_SIZE_FILE ]] || { say "no cluster"; return 0; }
    lock
    n=$(<"$CLUSTER_SIZE_FILE")
    t0=$(now)
    for ((i = 1; i <= n; i++)); do
        select_cluster_node "$i" "$n"
        pids[i]=$(signal_stop) || pids[i]=''
    done
    deadline=$(($(date +%s) + STOP_TIMEOUT))
    for ((i = 1; i <= n; i++)); do
        select_cluster_node "$i" "$n"
        [[ -n ${pids[i]} ]] && reap "${pids[i]}" "$deadline"
    done
    say "cluster stopped in $(since "$t0") s"
}

cmd_cluster_status() {
    local n i rc=0
    [[ -f $CLUSTER_SIZE_FILE ]] || { say "no cluster"; return 3; }
    n=$(<"$CLUSTER_SIZE_FILE")
    for ((i = 1; i <= n; i++)); do
        select_cluster_node "$i" "$n"
        status_current || rc=3
    done
    return "$rc"
}

cmd_cluster_reset() {
    cmd_cluster_stop
    rm -rf "$KAFKA_DIR"/data/cluster-* "$CLUSTER_SIZE_FILE" "$CLUSTER_ID_FILE"
    say "deleted the cluster data"
}

cmd_node_start() {
    local t0 deadline
    t0=$(now)
    deadline=$(($(date +%s) + START_TIMEOUT))
    lock
    node_arg "${1:-}"
    launch "$(<"$CLUSTER_ID_FILE")"
    wait_port "$deadline" || exit 1
    wait_client "127.0.0.1:$BROKER_PORT" "$deadline" || exit 1
    say "$INSTANCE up on 127.0.0.1:$BROKER_PORT in $(since "$t0") s"
}

cmd_node_stop() {
    lock
    node_arg "${1:-}"
    stop_current
}

cmd_node_kill() {
    local pid
    lock
    node_arg "${1:-}"
    if pid=$(running_pid); then
        kill -KILL "$pid"
        reap "$pid" $(($(date +%s) + 5))
        say "killed $INSTANCE (pid $pid)"
    else
        say "$INSTANCE not running"
    fi
}

# SIGSTOP or SIGCONT to the current node: a paused broker keeps its connections open and answers
# nothing, as one cut off by the network would. $1: STOP or CONT.
signal_node() {
    local pid
    lock
    node_arg "${2:-}"
    pid=$(running_pid) || die "$INSTANCE not running"
    kill "-$1" "$pid"
    say "sent SIG$1 to $INSTANCE (pid $pid)"
}

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

main() {
    local cmd=${1:-}
    (($#)) && shift
    case $cmd in
    fetch) lock && cmd_fetch ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    restart) cmd_stop && cmd_start ;;
    status) cmd_status ;;
    wait) cmd_wait ;;
    topics) cmd_topics "$@" ;;
    tool) cmd_tool "$@" ;;
    reset) cmd_reset ;;
    cluster-start) cmd_cluster_start "$@" ;;
    cluster-stop) cmd_cluster_stop ;;
    cluster-status) cmd_cluster_status ;;
    cluster-reset) cmd_cluster_reset ;;
    node-start) cmd_node_start "$@" ;;
    node-stop) cmd_node_stop "$@" ;;
    node-kill) cmd_node_kill "$@" ;;
    node-pause) signal_node STOP "$@" ;;
    node-resume) signal_node CONT "$@" ;;
    -h | --help | help) usage ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
}

# scripts/kafka/secure.sh sources this file for its functions.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    main "$@"
fi
